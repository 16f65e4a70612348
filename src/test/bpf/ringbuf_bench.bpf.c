// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Synthetic ring-buffer producer for tests and the read-throughput benchmark. Run through
 * BPF_PROG_TEST_RUN (XDP supports repeat): the first 4 bytes of the packet say how many
 * 64-byte records one run emits. Records carry a sequence number and a pattern derived from it,
 * so a consumer can check every byte. Single producer: runs must not overlap (plain counters).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define BENCH_MAGIC 0x7462656eU /* "tben" */
#define BENCH_GOLDEN 0x9E3779B97F4A7C15ULL

/* Exactly 64 bytes, the size of a small real event. */
struct bench_record {
	__u64 seq;
	__u32 size;
	__u32 magic;
	__u64 w[6]; /* w[i] = seq ^ ((i + 1) * BENCH_GOLDEN) */
};

struct bench_state {
	__u64 next_seq;
	__u64 produced;
	__u64 dropped;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20); /* the test resizes it before load */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct bench_state);
	__uint(max_entries, 1);
} state SEC(".maps");

/* Every N-th record is reserved and discarded instead of submitted (0 = never). */
const volatile __u32 discard_every = 0;

/*
 * 0: the kernel's adaptive wake-up (wake the reader when it had caught up). Otherwise submit without
 * wake-up unless at least this many bytes are pending, trading latency (bounded by the reader's poll
 * timeout) for far fewer wake-ups when the reader keeps up.
 */
const volatile __u64 wakeup_threshold = 0;

static __always_inline __u64 submit_flags(void)
{
	if (!wakeup_threshold)
		return 0;
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_threshold ? BPF_RB_FORCE_WAKEUP
										 : BPF_RB_NO_WAKEUP;
}

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
	bpf_ringbuf_submit(r, submit_flags());
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
