// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Goroutine ancestry: a goroutine starts inside the span its creator was in, so work a handler
 * hands to a new goroutine stays that handler's child.
 *
 * One uprobe on the RET of runtime.newproc1(fn, callergp, ...) *g: the new g is the result, and
 * newproc1 has already stored both its goid and its creator's goid (parentGoid) in it. One trap
 * per goroutine creation; nothing to clean up on exit, since goids are never reused and the
 * current-span map ages entries out (LRU).
 */
#include "tb_common.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u64 off_g_parent_goid = 0;

SEC("uprobe")
int uprobe_newproc1_return(struct pt_regs *ctx)
{
	void *newg = GO_ARG1(ctx);
	if (!newg)
		return 0;
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct tb_goid_key creator = {.pid = pid, .goid = go_read_ptr(newg, off_g_parent_goid)};
	struct tb_span_context *cur = bpf_map_lookup_elem(&tb_current_span, &creator);
	if (!cur)
		return 0;
	struct tb_span_context inherited = *cur;
	struct tb_goid_key child = {.pid = pid, .goid = go_read_ptr(newg, off_g_goid)};
	bpf_map_update_elem(&tb_current_span, &child, &inherited, BPF_ANY);
	return 0;
}
