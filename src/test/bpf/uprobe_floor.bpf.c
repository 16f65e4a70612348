// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Uprobe programs for the uprobe-cost benchmark (src/test/c/uprobe_floor.c, docs/BENCHMARKS.md
 * "Uprobe cost: floor vs net/http probe").
 *
 * `empty` is the floor: whatever a hit costs with it attached is the kernel's trap, uprobe dispatch
 * and BPF entry, nothing of our own. The others each add one ingredient of the real net/http RET
 * probe, to show what a hit of that probe is made of:
 *   read_user    8 bpf_probe_read_user of 16 bytes (the RET probe reads ~8 fields and strings)
 *   rb_nowakeup  64-byte ring-buffer record, submitted with BPF_RB_NO_WAKEUP
 *   rb_wakeup    the same with BPF_RB_FORCE_WAKEUP: queues irq_work (which wakes any reader) on
 *                every record, as the default adaptive wake-up does whenever the reader had caught up
 *   rb_adaptive  the same with flags 0, as the agent's probes submit; run with a reader thread
 *                polling the ring (uprobe_floor's "+reader" suffix) this is the agent's situation
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 24); /* 16 MiB: the C side drains it between timed loops */
} floor_events SEC(".maps");

SEC("uprobe")
int empty(void *ctx)
{
	return 0;
}

/* The same, loaded for a uprobe_multi link (how the agent attaches on Linux 6.6+): the floor of that path. */
SEC("uprobe")
int empty_multi(void *ctx)
{
	return 0;
}

SEC("uprobe")
int read_user(struct pt_regs *ctx)
{
	const char *sp = (const char *)PT_REGS_SP(ctx);
	char buf[16];
	__u64 sum = 0;

	for (int i = 0; i < 8; i++) {
		bpf_probe_read_user(buf, sizeof(buf), sp + 16 * i);
		sum += buf[0];
	}
	return sum == 0x7fffffff; /* keeps the reads */
}

static __always_inline int emit(__u64 flags)
{
	__u64 *r = bpf_ringbuf_reserve(&floor_events, 64, 0);

	if (!r)
		return 0;
	for (int i = 0; i < 8; i++)
		r[i] = i;
	bpf_ringbuf_submit(r, flags);
	return 0;
}

SEC("uprobe")
int rb_nowakeup(void *ctx)
{
	return emit(BPF_RB_NO_WAKEUP);
}

SEC("uprobe")
int rb_wakeup(void *ctx)
{
	return emit(BPF_RB_FORCE_WAKEUP);
}

SEC("uprobe")
int rb_adaptive(void *ctx)
{
	return emit(0);
}
