// SPDX-License-Identifier: Apache-2.0
/* Attaching programs; a bpf_link owns the perf event and the kernel link, destroy detaches. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <bpf/bpf.h>
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

/* Attaches a cgroup program (e.g. sock_ops) to the cgroup-v2 directory at path, as a bpf_link: it
 * detaches when the link is destroyed or the agent dies, unlike a legacy attachment. */
jlong JNICALL tb_attachCgroup0(JNIEnv *env, jclass clazz, jlong prog, jstring path)
{
	struct bpf_link *link;
	const char *cpath;
	int fd, err;

	if (!path)
		return -EINVAL;
	cpath = tb_utf(env, path);
	if (!cpath)
		return -ENOMEM;
	fd = open(cpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	err = fd < 0 ? -errno : 0;
	tb_release_utf(env, path, cpath);
	if (err)
		return err;
	link = bpf_program__attach_cgroup(TB_PTR(prog), fd);
	err = link ? 0 : tb_neg_errno();
	close(fd);
	return err ? err : TB_HANDLE(link);
}

/* Attaches a program where its section says (e.g. SEC("tp_btf/sched_process_exec")); returns the link handle. */
jlong JNICALL tb_attach0(JNIEnv *env, jclass clazz, jlong prog)
{
	struct bpf_link *link = bpf_program__attach(TB_PTR(prog));
	return link ? TB_HANDLE(link) : tb_neg_errno();
}

/* Attaches a program to a map (sk_msg verdict to a sockmap/sockhash); it lives as long as the map. */
jint JNICALL tb_progAttach0(JNIEnv *env, jclass clazz, jint progFd, jint targetFd, jint type)
{
	return tb_libbpf_err(bpf_prog_attach(progFd, targetFd, (enum bpf_attach_type)type, 0));
}
