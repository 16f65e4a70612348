// SPDX-License-Identifier: Apache-2.0
/* Attaching programs; a bpf_link owns the perf event and the kernel link, destroy detaches. */
#include <bpf/libbpf.h>

#include "errors.h"
#include "tb_jni.h"

jlong JNICALL tb_attachUprobe0(JNIEnv *env, jclass clazz, jlong prog, jstring path, jlong offset,
			       jint pid, jlong cookie, jboolean retprobe)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .bpf_cookie = (__u64)cookie, .retprobe = retprobe == JNI_TRUE);
	struct bpf_link *link;
	const char *cpath;
	int err;

	if (!path || offset < 0)
		return -EINVAL;
	cpath = tb_utf(env, path);
	if (!cpath)
		return -ENOMEM;
	link = bpf_program__attach_uprobe_opts(TB_PTR(prog), pid, cpath, (size_t)offset, &opts);
	err = link ? 0 : tb_neg_errno();
	tb_release_utf(env, path, cpath);
	return err ? err : TB_HANDLE(link);
}

jint JNICALL tb_linkFd0(JNIEnv *env, jclass clazz, jlong link)
{
	int fd = bpf_link__fd(TB_PTR(link));

	return fd >= 0 ? fd : -EBADF;
}

jint JNICALL tb_linkDestroy0(JNIEnv *env, jclass clazz, jlong link)
{
	return tb_libbpf_err(bpf_link__destroy(TB_PTR(link)));
}
