// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Goroutine ancestry: a goroutine starts inside the span its creator was in, so work a handler
 * hands to a new goroutine stays that handler's child.
 *
 * One uprobe on every go statement of the program's own code (and sync.WaitGroup.Go): the
 * `CALL runtime.newproc` instruction, found by the agent, not the runtime's newproc1, so the
 * goroutines the standard library starts for itself cost nothing (net/http starts one per request
 * to watch the connection: one trap per request on every server, ~10 us here). x86 uprobes emulate
 * a call instruction rather than single-step it (arch/x86/kernel/uprobes.c), so this should be one
 * trap, not two (read in the kernel source, not measured here).
 *
 * The new goroutine does not exist yet: the program records the creator's current span with the
 * statement's return address, which the runtime stores in the new g as gopc, under the creator's
 * goid (tb_go_started). The new goroutine takes it at its first probe (tb_current in tb_common.h),
 * when its parentGoid and gopc match; a creator with no span clears its record, so a goroutine is
 * never handed a span its creator has left. One case reads the wrong span: the same statement runs
 * again, in another span, before the first goroutine it started reaches a probe; that goroutine then
 * gets the later span. Nothing to clean up on exit: goids are never reused and both maps are LRU.
 */
#include "tb_common.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#if defined(__TARGET_ARCH_arm64)
#define GO_CALL_LEN 4  /* BL imm26 */
#else
#define GO_CALL_LEN 5  /* CALL rel32 */
#endif

SEC("uprobe")
int uprobe_go_statement(struct pt_regs *ctx)
{
	struct tb_goid_key me = tb_current_goid(ctx);
	struct tb_span_context *cur = tb_current(ctx, &me);
	if (!cur) {
		bpf_map_delete_elem(&tb_go_started, &me);
		return 0;
	}
	struct tb_go_started st = {.gopc = PT_REGS_IP(ctx) + GO_CALL_LEN, .sc = *cur};
	bpf_map_update_elem(&tb_go_started, &me, &st, BPF_ANY);
	return 0;
}
