// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Synthetic producer of real net/http server events, for the read-side and agent-at-rate benchmarks
 * (bench/read-side.sh, bench/agent-at-rate.sh). One traced HTTP server request produces exactly one ring
 * record today: struct tb_http_server_event, submitted by http_server.bpf.c when serverHandler.ServeHTTP
 * returns (entry and return are paired in the kernel). This program writes that record as the probe would
 * for "GET /hello/{id}" with a 200, a keep-alive TCP connection on loopback, and a fresh trace per request
 * (local root: no parent), with distinct trace and span ids.
 *
 * Run through BPF_PROG_TEST_RUN (XDP). The test packet carries the run's parameters:
 *   u32 count   records this run emits
 *   u32 tgid    the pid stamped into the records (an attached target's, for a live agent)
 *   u64 target  the agent's target id (the uprobes' BPF cookie)
 * Submits like tb_submit: no wake-up unless wakeup_bytes are unread (the agent's probes' default 64 KiB).
 * The ring ("events") can be the agent's own (bpf_map__reuse_fd); the counters ("state") are this object's.
 * Field names match ringbuf_bench.bpf.c so src/test/c/ringbuf_consumer.c reads either. Single producer.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "tracebee.h"

#define BENCH_RING_BYTES (8 << 20) /* resized or replaced before load */
#include "bench_producer.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* As tb_drops (index 0: ring full); the injector points it at the agent's, so its loss metric counts ours. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 2);
} drops SEC(".maps");

/* As tb_wakeup_bytes; 0 = the kernel's adaptive wake-up. */
const volatile __u64 wakeup_threshold = 64 * 1024;

struct run_params {
	__u32 count;
	__u32 tgid;
	__u64 target;
};

/* String literals in memcpy compile to immediate stores (a static const array would land in .rodata). */
#define PUT(field, len_field, lit)                                  \
	do {                                                        \
		__builtin_memcpy(e->field, lit, sizeof(lit) - 1);   \
		e->len_field = sizeof(lit) - 1;                     \
	} while (0)

struct loop_ctx {
	struct bench_state *st;
	__u32 tgid;
	__u64 target;
	__u64 salt;
};

static long emit_one(__u64 index, void *ctx)
{
	struct loop_ctx *lc = ctx;
	struct bench_state *st = lc->st;
	struct tb_http_server_event *e;
	__u64 seq, now, id;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__u32 full = 0;
		__u64 *n = bpf_map_lookup_elem(&drops, &full);

		if (n)
			__sync_fetch_and_add(n, 1);
		st->dropped++;
		return 0;
	}
	seq = st->next_seq++;
	now = bpf_ktime_get_ns();
	id = (seq + 1) * BENCH_GOLDEN;

	/* Like the real probe, only what it writes: the strings' tails stay as the ring left them. */
	__builtin_memset(&e->h.sc, 0, sizeof(e->h.sc));
	__builtin_memset(&e->h.parent, 0, sizeof(e->h.parent));
	__builtin_memset(&e->conn, 0, sizeof(e->conn));
	e->flags = 0;
	e->query_len = 0;
	e->tracestate_len = 0;
	e->route_len = 0;
	e->route_source = 0;
	e->h.kind = TB_EV_HTTP_SERVER;
	e->h.size = sizeof(*e);
	e->h.pid = lc->tgid;
	e->h.tid = lc->tgid;
	e->h.start_ns = now - 150000;
	e->h.end_ns = now;
	e->h.goroutine = 0xc000100000ULL + (seq & 0xffff) * 0x1a0;
	e->h.target = lc->target;
	__builtin_memcpy(e->h.sc.trace_id, &lc->salt, 8);
	__builtin_memcpy(e->h.sc.trace_id + 8, &id, 8);
	id ^= lc->salt | 1;
	__builtin_memcpy(e->h.sc.span_id, &id, 8);
	e->h.sc.flags = 1;
	e->h.sc.local_root = 1;

	e->status = 200;
	e->proto_major = 1;
	e->proto_minor = 1;
	PUT(method, method_len, "GET");
	PUT(path, path_len, "/hello/42");
	PUT(pattern, pattern_len, "GET /hello/{id}");
	PUT(remote_addr, remote_len, "127.0.0.1:51234");
	PUT(host, host_len, "127.0.0.1:8080");
	/* ::ffff:127.0.0.1 on both ends, local port 8080; 1,024 keep-alive connections taking turns, each with its
	 * own socket and peer port (what the agent's caches of recurring values see change from span to span) */
	e->conn.saddr[10] = 0xff;
	e->conn.saddr[11] = 0xff;
	e->conn.saddr[12] = 127;
	e->conn.saddr[15] = 1;
	__builtin_memcpy(e->conn.daddr, e->conn.saddr, 16);
	e->conn.sport = 8080;
	e->conn.dport = 40000 + (seq & 0x3ff);
	e->conn.netns = 4026531840U;
	e->conn.inode = 100000 + (seq & 0x3ff);

	bpf_ringbuf_submit(e, bench_submit_flags(wakeup_threshold));
	st->produced++;
	return 0;
}

SEC("xdp")
int produce(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct run_params *p = data;
	struct loop_ctx lc;
	__u32 zero = 0;

	if (data + sizeof(*p) > end)
		return XDP_ABORTED;
	lc.st = bpf_map_lookup_elem(&state, &zero);
	if (!lc.st)
		return XDP_ABORTED;
	lc.tgid = p->tgid;
	lc.target = p->target;
	lc.salt = bpf_get_prandom_u32() | ((__u64)bpf_get_prandom_u32() << 32);
	bpf_loop(p->count, emit_one, &lc, 0);
	return XDP_PASS;
}
