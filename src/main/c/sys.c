// SPDX-License-Identifier: Apache-2.0
/* Capability probes, clocks, and small system queries. */
#include <errno.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "errors.h"
#include "tb_jni.h"

#define PROBE_PROG 0
#define PROBE_RINGBUF 1
#define PROBE_UPROBE_MULTI 2

/* 0 when the kernel lets us load a trivial program (what = 0), create a ring buffer (1) or a uprobe_multi link (2). */
jint JNICALL tb_probe0(JNIEnv *env, jclass clazz, jint what)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd;

	switch (what) {
	case PROBE_PROG:
		fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "tb_probe", "GPL", insns, 2, NULL);
		break;
	case PROBE_RINGBUF:
		fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "tb_probe", 0, 0, (__u32)sysconf(_SC_PAGESIZE), NULL);
		break;
	case PROBE_UPROBE_MULTI:
		return tb_uprobe_multi_probe();
	default:
		return -EINVAL;
	}
	if (fd < 0)
		return tb_libbpf_err(fd);
	close(fd);
	return 0;
}

static jlong ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (jlong)ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/* out = { CLOCK_MONOTONIC before, CLOCK_REALTIME, CLOCK_MONOTONIC after }; bpf_ktime_get_ns is MONOTONIC. */
void JNICALL tb_clocks0(JNIEnv *env, jclass clazz, jlongArray out)
{
	jlong v[3];

	v[0] = ns(CLOCK_MONOTONIC);
	v[1] = ns(CLOCK_REALTIME);
	v[2] = ns(CLOCK_MONOTONIC);
	(*env)->SetLongArrayRegion(env, out, 0, 3, v);
}

jint JNICALL tb_possibleCpus0(JNIEnv *env, jclass clazz)
{
	return libbpf_num_possible_cpus();
}

jint JNICALL tb_closeFd0(JNIEnv *env, jclass clazz, jint fd)
{
	return close(fd) ? tb_neg_errno() : 0;
}

/*
 * A duplicate, in this process, of file descriptor fd of process pid (pidfd_open + pidfd_getfd,
 * Linux 5.6+; needs ptrace-attach rights over pid). -errno on failure.
 */
jint JNICALL tb_pidfdGetFd0(JNIEnv *env, jclass clazz, jint pid, jint fd)
{
	int pidfd, dup, err;

	pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (pidfd < 0)
		return -errno;
	dup = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	err = dup < 0 ? -errno : 0;
	close(pidfd);
	return err ? err : dup;
}

/* The kernel's cookie of a socket (SO_COOKIE), as bpf_get_socket_cookie() sees it. -errno on failure. */
jlong JNICALL tb_socketCookie0(JNIEnv *env, jclass clazz, jint fd)
{
	__u64 cookie = 0;
	socklen_t len = sizeof(cookie);

	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len) < 0)
		return -errno;
	return (jlong)cookie;
}
