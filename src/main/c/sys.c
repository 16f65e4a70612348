// SPDX-License-Identifier: Apache-2.0
/* Capability probes, clocks, and small system queries. */
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "errors.h"
#include "tb_jni.h"

#define PROBE_PROG 0
#define PROBE_RINGBUF 1

/* 0 when the kernel lets us load a trivial program (what = 0) or create a ring buffer (what = 1). */
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
