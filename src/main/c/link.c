// SPDX-License-Identifier: Apache-2.0
/* Attaching programs; a bpf_link owns the perf event and the kernel link, destroy detaches. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
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

/* The fd of one uprobe_multi link of prog at every offset of the binary at path; pid -1 = every process. */
jint JNICALL tb_attachUprobeMulti0(JNIEnv *env, jclass clazz, jint prog_fd, jstring path, jlongArray offsets,
				   jint pid, jlong cookie)
{
	const char *cpath;
	__u64 *offs, *cookies;
	jsize n;
	int fd;

	if (!path || !offsets)
		return -EINVAL;
	n = (*env)->GetArrayLength(env, offsets);
	if (n <= 0)
		return -EINVAL;
	offs = calloc((size_t)n, sizeof(*offs));
	cookies = calloc((size_t)n, sizeof(*cookies));
	cpath = tb_utf(env, path);
	if (!offs || !cookies || !cpath) {
		free(offs);
		free(cookies);
		if (cpath)
			tb_release_utf(env, path, cpath);
		return -ENOMEM;
	}
	(*env)->GetLongArrayRegion(env, offsets, 0, n, (jlong *)offs);
	for (jsize i = 0; i < n; i++)
		cookies[i] = (__u64)cookie;
	fd = tb_uprobe_multi_link(prog_fd, cpath, offs, cookies, (__u32)n, pid);
	tb_release_utf(env, path, cpath);
	free(offs);
	free(cookies);
	return fd;
}

/* Where the kernel's uprobe_multi support is tried: a function of this library, never called. */
__attribute__((noinline, used)) int tb_uprobe_multi_target(int x)
{
	__asm__ volatile("" : "+r"(x));
	return x + 1;
}

/*
 * A path to the file this process maps addr from, and the file offset: /proc/self/map_files/<range>, which
 * reaches the file even when it was deleted after loading (the agent extracts this library to a temporary file
 * and removes it).
 */
static int mapped_file(const void *addr, char *path, size_t size, __u64 *offset)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[4096];
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end, off;

		if (sscanf(line, "%lx-%lx %*s %lx", &start, &end, &off) == 3 &&
		    (uintptr_t)addr >= start && (uintptr_t)addr < end) {
			snprintf(path, size, "/proc/self/map_files/%lx-%lx", start, end);
			*offset = (uintptr_t)addr - start + off;
			err = 0;
			break;
		}
	}
	fclose(f);
	return err;
}

/* 0 when the kernel creates a uprobe_multi link (on this library's own tb_uprobe_multi_target), else -errno. */
int tb_uprobe_multi_probe(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = (enum bpf_attach_type)TB_TRACE_UPROBE_MULTI);
	char path[4096];
	__u64 offset, cookie = 0;
	int prog, link, err;

	err = mapped_file((const void *)tb_uprobe_multi_target, path, sizeof(path), &offset);
	if (err)
		return err;
	prog = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "tb_probe_um", "GPL", insns, 2, &opts);
	if (prog < 0)
		return tb_libbpf_err(prog);
	link = tb_uprobe_multi_link(prog, path, &offset, &cookie, 1, getpid());
	close(prog);
	if (link < 0)
		return link;
	close(link);
	return 0;
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
