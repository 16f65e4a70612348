// SPDX-License-Identifier: Apache-2.0
/*
 * uprobe_multi links (Linux 6.6+): one link for many addresses of one binary. Removing uprobes is what makes
 * detaching slow: the kernel waits for readers to finish once per uprobe link (~90 ms each here), but once per
 * uprobe_multi link. libbpf 1.1 predates them, so the link is created with the bpf syscall directly, and the
 * programs must be loaded with this expected attach type (BPF_TRACE_UPROBE_MULTI). Shared by the JNI library and
 * the test programs (src/test/c/uprobe_floor.c measures a hit through such a link).
 */
#ifndef TB_UPROBE_MULTI_H
#define TB_UPROBE_MULTI_H

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>

#define TB_TRACE_UPROBE_MULTI 48

/* The BPF_LINK_CREATE part of union bpf_attr with its uprobe_multi member (include/uapi/linux/bpf.h, 6.6). */
struct tb_link_create_uprobe_multi {
	__u32 prog_fd;
	__u32 target_fd;
	__u32 attach_type;
	__u32 flags;
	__u64 path;
	__u64 offsets;
	__u64 ref_ctr_offsets;
	__u64 cookies;
	__u32 cnt;
	__u32 multi_flags;
	__u32 pid;
	__u32 _pad;
};

/* The fd of a uprobe_multi link of prog_fd at cnt file offsets of the binary at path (pid < 0: every process), or -errno. */
static inline int tb_uprobe_multi_link(int prog_fd, const char *path, const __u64 *offsets, const __u64 *cookies,
				       __u32 cnt, int pid)
{
	struct tb_link_create_uprobe_multi a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_fd = (__u32)prog_fd;
	a.attach_type = TB_TRACE_UPROBE_MULTI;
	a.path = (__u64)(uintptr_t)path;
	a.offsets = (__u64)(uintptr_t)offsets;
	a.cookies = (__u64)(uintptr_t)cookies;
	a.cnt = cnt;
	a.pid = pid < 0 ? 0 : (__u32)pid;
	fd = (int)syscall(__NR_bpf, BPF_LINK_CREATE, &a, sizeof(a));
	return fd < 0 ? -errno : fd;
}

#endif
