/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Error convention of the JNI layer: natives return >= 0 on success and -errno on failure;
 * the Java side (io.tracebee.bpf.Native) turns a negative value into a BpfException that
 * names the operation. Natives never throw, except OutOfMemoryError raised by the JVM itself.
 */
#ifndef TB_ERRORS_H
#define TB_ERRORS_H

#include <errno.h>

/* -errno of the last failed libc/libbpf call; never 0 so a failure cannot look like success. */
static inline int tb_neg_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

/* libbpf 1.x returns -errno directly; older conventions may hand back -1 with errno set. */
static inline int tb_libbpf_err(int ret)
{
	if (ret >= 0)
		return ret;
	return ret == -1 && errno > 0 ? -errno : ret;
}

#endif /* TB_ERRORS_H */
