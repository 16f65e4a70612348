// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What the synthetic ring-buffer producers share (ringbuf_bench.bpf.c, http_events_bench.bpf.c): the ring
 * ("events"), their counters ("state", one producer at a time: plain counters) and the submit flags of a
 * wake-up threshold, as tb_submit (tb_common.h) applies tb_wakeup_bytes. Field names are what
 * src/test/c/ringbuf_consumer.c and the Java producers look up.
 */
#ifndef BENCH_PRODUCER_H
#define BENCH_PRODUCER_H

#define BENCH_GOLDEN 0x9E3779B97F4A7C15ULL

struct bench_state {
	__u64 next_seq;
	__u64 produced;
	__u64 dropped;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, BENCH_RING_BYTES); /* resized or replaced before load */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct bench_state);
	__uint(max_entries, 1);
} state SEC(".maps");

/*
 * 0: the kernel's adaptive wake-up (wake the reader when it had caught up). Otherwise no wake-up unless at least
 * this many bytes are unread, trading latency (bounded by the reader's poll timeout) for far fewer wake-ups.
 */
static __always_inline __u64 bench_submit_flags(__u64 wakeup_threshold)
{
	if (!wakeup_threshold)
		return 0;
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_threshold ? BPF_RB_FORCE_WAKEUP
										 : BPF_RB_NO_WAKEUP;
}

#endif
