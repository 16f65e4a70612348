// SPDX-License-Identifier: Apache-2.0
/* Running programs without an event (BPF_PROG_TEST_RUN) and reading their run statistics. */
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "errors.h"
#include "tb_jni.h"

static void *copy_in(JNIEnv *env, jbyteArray arr, __u32 *len)
{
	void *p;

	*len = 0;
	if (!arr)
		return NULL;
	*len = (__u32)(*env)->GetArrayLength(env, arr);
	p = malloc(*len ? *len : 1);
	if (p)
		(*env)->GetByteArrayRegion(env, arr, 0, (jsize)*len, p);
	return p;
}

/* out[0] = program return value, out[1] = average duration per repetition in ns. */
jint JNICALL tb_progTestRun0(JNIEnv *env, jclass clazz, jint fd, jbyteArray data_in, jbyteArray ctx_in,
			     jint repeat, jlongArray out)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .repeat = repeat);
	jlong vals[2];
	void *data = NULL, *ctx = NULL;
	int err;

	if (data_in) {
		data = copy_in(env, data_in, &opts.data_size_in);
		if (!data)
			return -ENOMEM;
		opts.data_in = data;
	}
	if (ctx_in) {
		ctx = copy_in(env, ctx_in, &opts.ctx_size_in);
		if (!ctx) {
			free(data);
			return -ENOMEM;
		}
		opts.ctx_in = ctx;
	}
	err = bpf_prog_test_run_opts(fd, &opts) ? tb_neg_errno() : 0;
	free(data);
	free(ctx);
	if (err)
		return err;
	vals[0] = (jlong)opts.retval;
	vals[1] = (jlong)opts.duration;
	(*env)->SetLongArrayRegion(env, out, 0, 2, vals);
	return 0;
}

/*
 * out[0] = run_time_ns, out[1] = run_cnt, out[2] = recursion_misses, out[3] = id.
 * libbpf 1.1 has bpf_obj_get_info_by_fd only (bpf_prog_get_info_by_fd arrived in 1.2).
 * run_time_ns/run_cnt only count while kernel.bpf_stats_enabled or a stats fd is held.
 */
jint JNICALL tb_progInfo0(JNIEnv *env, jclass clazz, jint fd, jlongArray out)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	jlong vals[4];

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0)
		return tb_neg_errno();
	vals[0] = (jlong)info.run_time_ns;
	vals[1] = (jlong)info.run_cnt;
	vals[2] = (jlong)info.recursion_misses;
	vals[3] = (jlong)info.id;
	(*env)->SetLongArrayRegion(env, out, 0, 4, vals);
	return 0;
}

/* Run-time statistics stay on while the returned fd is open. */
jint JNICALL tb_enableStats0(JNIEnv *env, jclass clazz)
{
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	return fd >= 0 ? fd : tb_neg_errno();
}
