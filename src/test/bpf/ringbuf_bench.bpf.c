// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Synthetic ring-buffer producer for tests and the read-throughput benchmark. Run through
 * BPF_PROG_TEST_RUN (XDP supports repeat): the first 4 bytes of the packet say how many
 * 64-byte records one run emits. Records carry a sequence number and a pattern derived from it,
 * so a consumer can check every byte. Single producer: runs must not overlap (plain counters).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define BENCH_RING_BYTES (1 << 20) /* the test resizes it before load */
#include "bench_producer.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define BENCH_MAGIC 0x7462656eU /* "tben" */

/* Exactly 64 bytes, the size of a small real event. */
struct bench_record {
	__u64 seq;
	__u32 size;
	__u32 magic;
	__u64 w[6]; /* w[i] = seq ^ ((i + 1) * BENCH_GOLDEN) */
};

/* Every N-th record is reserved and discarded instead of submitted (0 = never). */
const volatile __u32 discard_every = 0;

/* bench_submit_flags: 0 = the kernel's adaptive wake-up. */
const volatile __u64 wakeup_threshold = 0;

/* bpf_loop wants its context on the stack. */
struct loop_ctx {
	struct bench_state *st;
};

static long emit_one(__u64 index, void *ctx)
{
	struct bench_state *st = ((struct loop_ctx *)ctx)->st;
	struct bench_record *r;
	__u64 seq;

	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		st->dropped++;
		return 0;
	}
	seq = st->next_seq++;
	if (discard_every && seq % discard_every == discard_every - 1) {
		bpf_ringbuf_discard(r, BPF_RB_NO_WAKEUP);
		return 0;
	}
	r->seq = seq;
	r->size = sizeof(*r);
	r->magic = BENCH_MAGIC;
	for (int i = 0; i < 6; i++)
		r->w[i] = seq ^ ((__u64)(i + 1) * BENCH_GOLDEN);
	bpf_ringbuf_submit(r, bench_submit_flags(wakeup_threshold));
	st->produced++;
	return 0;
}

SEC("xdp")
int produce(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct loop_ctx lc;
	__u32 zero = 0, n;

	if (data + sizeof(__u32) > end)
		return XDP_ABORTED;
	n = *(__u32 *)data;
	lc.st = bpf_map_lookup_elem(&state, &zero);
	if (!lc.st)
		return XDP_ABORTED;
	bpf_loop(n, emit_one, &lc, 0);
	return XDP_PASS;
}
