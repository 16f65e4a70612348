/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What every tracebee probe object shares: the event ring buffer, the kernel-side
 * drop counters, span id generation and the common event header fill.
 * The agent loads one object per (library, offset set) and points all of them at
 * one ring buffer and one drop map (bpf_map__reuse_fd), so one reader serves all.
 */
#ifndef TB_COMMON_H
#define TB_COMMON_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "tracebee.h"
#include "go_abi.h"

/* Ring-buffer size in bytes; the agent may resize it before load. */
#define TB_RINGBUF_DEFAULT_SIZE (8 * 1024 * 1024)

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, TB_RINGBUF_DEFAULT_SIZE);
} tb_events SEC(".maps");

/* Kernel-side drop counters, per CPU; indexes are enum tb_drop_reason. */
enum tb_drop_reason {
	TB_DROP_RINGBUF_FULL = 0,
	TB_DROP_INFLIGHT_FULL = 1,
	TB_DROP_REASONS = 2,
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, TB_DROP_REASONS);
} tb_drops SEC(".maps");

/*
 * Unread bytes at which a submit wakes the reader. Below it the reader's periodic poll picks the
 * record up: waking on every record raises an irq_work self-interrupt per event, which costs
 * microseconds per hit under virtualisation (docs/BENCHMARKS.md). Set by the agent before load.
 */
const volatile __u64 tb_wakeup_bytes = 64 * 1024;

/*
 * Whether programs may call bpf_probe_read_kernel (lockdown=confidentiality withdraws it). Set by the
 * agent before load from a load test; when false the code that reads sockets is dead and the verifier
 * never sees the helper call.
 */
const volatile bool tb_kernel_reads = true;

/*
 * The agent's pid namespace (st_dev and st_ino of its /proc/self/ns/pid) when that is not the initial one, as
 * for a sidecar container sharing its service's pid namespace. Then every process and thread id a program keys
 * state by or reports is the one that namespace sees: the agent's /proc, the pids of its targets and of its maps'
 * keys all use those. A task outside that namespace gets id 0 (no process has it; the agent drops its events).
 * Both 0 in the initial namespace: the helper's ids as they are, and the code below is dead to the verifier.
 */
const volatile __u64 tb_pidns_dev = 0;
const volatile __u64 tb_pidns_ino = 0;

/* bpf_get_current_pid_tgid(), in the agent's pid namespace (tgid << 32 | pid). */
static __always_inline __u64 tb_pid_tgid(void)
{
	if (tb_pidns_ino) {
		struct bpf_pidns_info ns;
		if (bpf_get_ns_current_pid_tgid(tb_pidns_dev, tb_pidns_ino, &ns, sizeof(ns)))
			return 0;
		return (__u64)ns.tgid << 32 | ns.pid;
	}
	return bpf_get_current_pid_tgid();
}

/* Commits a reserved record, waking the reader only when enough data waits. */
static __always_inline void tb_submit(void *record)
{
	__u64 unread = bpf_ringbuf_query(&tb_events, BPF_RB_AVAIL_DATA);
	bpf_ringbuf_submit(record, unread >= tb_wakeup_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

/*
 * Counters are per CPU, but a uprobe program can be preempted on its CPU by another (migration is off, preemption
 * is not): a plain += could lose a count. An atomic add cannot.
 */
static __always_inline void tb_count_drop(__u32 reason)
{
	__u64 *n = bpf_map_lookup_elem(&tb_drops, &reason);
	if (n)
		__sync_fetch_and_add(n, 1);
}

/* Kernel-side event counters (not losses), per CPU; indexes are enum tb_counter. */
enum tb_counter {
	TB_CNT_LINK_PUBLISHED = 0,   /* client requests offered to a same-host server (tb_conn.h) */
	TB_CNT_LINK_MATCHED = 1,     /* ... taken by a traced server: a cross-process parent */
	TB_CNT_LINK_UNMATCHED = 2,   /* ... withdrawn when the client call ended, no traced server took it */
	TB_CNT_TRACEPARENT_IN = 3,   /* server requests that continued an incoming traceparent */
	TB_CNT_TRACEPARENT_BAD = 4,  /* incoming traceparent headers that were malformed (ignored) */
	TB_CNT_HEADERS_UNSCANNED = 5, /* header maps too large to scan in full */
	TB_CNT_INJECT_DONE = 6,      /* traceparent headers written into outgoing requests and gRPC streams (sk_msg) */
	TB_CNT_INJECT_EXISTING = 7,  /* outgoing requests that already carried one (left alone) */
	TB_CNT_INJECT_FAILED = 8,    /* offered but not written: connection not tracked, not a request start, no room */
	TB_CNT_INJECT_REFUSED = 9,   /* requests and gRPC streams sent without one because injection is unavailable */
	TB_CNT_MSG_LINK_HEADER = 10,      /* consumed messages whose parent came from a traceparent header */
	TB_CNT_MSG_LINK_OFFSET = 11,      /* ... from a traced producer on this host, by topic/partition/offset */
	TB_CNT_MSG_LINK_FINGERPRINT = 12, /* ... by content fingerprint */
	TB_CNT_MSG_LINK_AMBIGUOUS = 13,   /* ... whose fingerprint matched several traced sends: left unlinked */
	TB_CNT_MSG_LINK_NONE = 14,        /* ... with no traced producer found */
	TB_CNT_MSG_UNTRACKED = 15,        /* produced messages past TB_KAFKA_MAX_MSGS in one call: no span, no link */
	TB_CNT_UNSAMPLED = 16,            /* spans not sent because their trace is sampled out (tracked all the same) */
	TB_COUNTERS = 17,
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, TB_COUNTERS);
} tb_counters SEC(".maps");

static __always_inline void tb_count(__u32 counter)
{
	__u64 *n = bpf_map_lookup_elem(&tb_counters, &counter);
	if (n)
		__sync_fetch_and_add(n, 1);
}

/*
 * Client span contexts waiting for a server on this host, by connection (tb_conn.h). An entry lives
 * from a client's request until a server takes it or the client call ends; LRU bounds what calls
 * that never end can leave behind.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct tb_link_key);
	__type(value, struct tb_span_context);
	__uint(max_entries, 16384);
} tb_conn_links SEC(".maps");

/* Key of per-goroutine state: goroutine pointers are only unique within a process. */
struct tb_goroutine_key {
	__u32 pid;
	__u32 _pad;
	__u64 goroutine;
};

/*
 * A goroutine by its goid, which the runtime never reuses (g structs are reused): state kept by
 * goid cannot leak to an unrelated goroutine that later runs on the same g.
 */
struct tb_goid_key {
	__u32 pid;
	__u32 _pad;
	__u64 goid;
};

/* Offset of runtime.g.goid; every probe object gets it before load. */
const volatile __u64 off_g_goid = 0;

/* The goid of the goroutine a uprobe fired on (g is in r14/x28). */
static __always_inline struct tb_goid_key tb_current_goid(struct pt_regs *ctx)
{
	struct tb_goid_key k = {
		.pid = tb_pid_tgid() >> 32,
		.goid = go_read_ptr((void *)GO_GOROUTINE(ctx), off_g_goid),
	};
	return k;
}

/*
 * The span each goroutine is currently inside, by goid, shared by every probe object (the agent
 * makes them reuse one map), so a client call made by a handler becomes that handler's child
 * whichever library probes it. Goroutines inherit it when created (goroutines.bpf.c).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct tb_goid_key);
	__type(value, struct tb_span_context);
	__uint(max_entries, 65536);
} tb_current_span SEC(".maps");

/*
 * Goroutine ancestry (goroutines.bpf.c): at a go statement of the program's own code, the span the creating
 * goroutine is in, with the statement's return address (what the runtime stores as the new g's gopc). Keyed
 * by the creator's goid: the new goroutine, at its first probe and with no span of its own, takes it if its
 * parentGoid and gopc say this statement started it.
 */
struct tb_go_started {
	__u64 gopc;
	struct tb_span_context sc;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct tb_goid_key);
	__type(value, struct tb_go_started);
	__uint(max_entries, 16384);
} tb_go_started SEC(".maps");

/* Offsets of runtime.g.parentGoid and .gopc; has_go_ancestry when both are known. */
const volatile __u64 off_g_parent_goid = 0;
const volatile __u64 off_g_gopc = 0;
const volatile bool has_go_ancestry = false;

static __always_inline bool tb_has_span(const struct tb_span_context *sc)
{
	__u64 id;
	__builtin_memcpy(&id, sc->span_id, sizeof(id));
	return id != 0;
}

static __always_inline bool tb_same_span(const struct tb_span_context *a, const struct tb_span_context *b)
{
	__u64 x, y;
	__builtin_memcpy(&x, a->span_id, sizeof(x));
	__builtin_memcpy(&y, b->span_id, sizeof(y));
	return x == y;
}

/*
 * The slow path of tb_current_from: takes the span the go statement that started the goroutine left, if any,
 * into slot or else a new entry; returns whether it did. A function of its own (verified in its callers'
 * context): inlined, its copies spilled ~200 bytes of the callers' 512-byte stack.
 */
static __noinline int tb_inherit(struct pt_regs *ctx, const struct tb_goid_key *key, struct tb_span_context *slot)
{
	void *g = (void *)GO_GOROUTINE(ctx);
	struct tb_goid_key creator = {.pid = key->pid, .goid = go_read_ptr(g, off_g_parent_goid)};
	if (!creator.goid)
		return 0;
	struct tb_go_started *st = bpf_map_lookup_elem(&tb_go_started, &creator);
	if (!st || st->gopc != go_read_ptr(g, off_g_gopc))
		return 0;
	if (slot) {
		*slot = st->sc;
		return 1;
	}
	bpf_map_update_elem(&tb_current_span, key, &st->sc, BPF_NOEXIST);
	return 1;
}

/*
 * origin of a tb_current_span entry without a span, left by a probe whose span ended: the goroutine already
 * had a span of its own, so it is past its first probe and inherits nothing from its creator any more.
 */
#define TB_SLOT_SETTLED 0xff

/*
 * The span the goroutine of this uprobe (key: tb_current_goid) is in: its own, or else the one its creator
 * was in at the go statement that started it, which it keeps from then on. NULL when neither.
 *
 * slot is the goroutine's entry in tb_current_span as the caller looked it up (NULL when it has none). An
 * entry whose span id is zero means "in no span": a probe that ends a span may zero the entry in place
 * instead of deleting it, so that the goroutine's next span is written in place too (an LRU update or
 * delete costs 100-200 ns, a lookup ~35). Every reader of tb_current_span treats such an entry as absent.
 */
static __always_inline struct tb_span_context *tb_current_from(struct pt_regs *ctx, const struct tb_goid_key *key,
							       struct tb_span_context *slot)
{
	if (slot && tb_has_span(slot))
		return slot;
	if (slot && slot->origin == TB_SLOT_SETTLED)
		return NULL;
	if (!has_go_ancestry || !tb_inherit(ctx, key, slot))
		return NULL;
	return slot ? slot : bpf_map_lookup_elem(&tb_current_span, key);
}

static __always_inline struct tb_span_context *tb_current(struct pt_regs *ctx, const struct tb_goid_key *key)
{
	return tb_current_from(ctx, key, bpf_map_lookup_elem(&tb_current_span, key));
}

/*
 * Outgoing W3C traceparent injection without writing target memory (http_inject.bpf.c): a client
 * probe offers a preformatted header line for its request's connection; an sk_msg program inserts it
 * after the request line when the request's first bytes go out. Off unless the agent could attach the
 * sock_ops and sk_msg programs (tb_inject_enabled).
 */
const volatile bool tb_inject_enabled = false;

#define TB_TP_LINE_LEN 70  /* "traceparent: 00-<32 hex>-<16 hex>-<2 hex>\r\n" */

/* A connection from its client's side; addresses as in struct tb_conn. */
struct tb_inject_key {
	__u8 local[16];
	__u8 remote[16];
	__u16 local_port;
	__u16 remote_port;
	__u32 _pad;
};

struct tb_inject_line {
	char line[TB_TP_LINE_LEN + 2];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct tb_inject_key);
	__type(value, struct tb_inject_line);
	__uint(max_entries, 16384);
} tb_inject SEC(".maps");

/*
 * HTTP/2 (gRPC): a preformatted HPACK field — literal without indexing, new name (RFC 7541 6.2.2), so the
 * two ends' dynamic tables stay in step: 0x00, 0x0b "traceparent", 0x37 (55, no Huffman) and the value —
 * offered for one stream of one connection; the sk_msg program appends it to that stream's HEADERS frame.
 */
#define TB_H2_FIELD_LEN 69

struct tb_h2_inject_key {
	struct tb_inject_key conn;
	__u32 stream_id;
	__u32 _pad;
};

struct tb_h2_field {
	char b[TB_H2_FIELD_LEN + 3];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct tb_h2_inject_key);
	__type(value, struct tb_h2_field);
	__uint(max_entries, 16384);
} tb_h2_inject SEC(".maps");

/*
 * A process by its tgid. A struct rather than a bare __u32 so the map's BTF says the key is a process: the
 * agent purges the entries of processes that exited from every map whose key leads with pid or tgid.
 */
struct tb_tgid_key {
	__u32 tgid;
};

/* Processes whose new TCP connections the sock_ops program puts under the sk_msg program. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct tb_tgid_key);
	__type(value, __u8);
	__uint(max_entries, 4096);
} tb_inject_tgids SEC(".maps");

/*
 * Spans by the context.Context their call carries: a server registers its request's context, and a
 * call whose context derives from it (context.WithValue/WithCancel/WithTimeout... wrap their parent)
 * finds that span by walking up the chain, whichever goroutine it runs on (worker pools). Nothing is
 * written to the target: the map is keyed by the context's address.
 */
struct tb_ctx_key {
	__u32 pid;
	__u32 _pad;
	__u64 ctx;  /* data word of a context.Context interface */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct tb_ctx_key);
	__type(value, struct tb_span_context);
	__uint(max_entries, 65536);
} tb_ctx_spans SEC(".maps");

/* How many contexts up the chain a lookup climbs. */
#define TB_CTX_DEPTH 8

/*
 * The span registered for ctx or the nearest context it derives from. The standard library's
 * contexts (valueCtx, cancelCtx, timerCtx, withoutCancelCtx, afterFuncCtx) embed their parent
 * Context as the first field, so the parent's data word is at offset 8. A context type laid out
 * otherwise yields pointers that match nothing: the walk ends without a span, never a wrong one
 * unless an unrelated value happens to equal a registered context's address.
 */
static __always_inline bool tb_ctx_span(__u32 pid, void *ctx, struct tb_span_context *out)
{
	struct tb_ctx_key k = {.pid = pid};
	for (int i = 0; i < TB_CTX_DEPTH && ctx; i++) {
		k.ctx = (__u64)ctx;
		struct tb_span_context *sc = bpf_map_lookup_elem(&tb_ctx_spans, &k);
		if (sc) {
			*out = *sc;
			return true;
		}
		ctx = (void *)go_read_ptr(ctx, 8);
	}
	return false;
}

/*
 * Route templates found by framework routers (gin, gorilla/mux: *_routes.bpf.c), by the server span they
 * belong to, until that span's RET takes them (http_server.bpf.c). A router finds the span through the
 * goroutine's current span; keying by its span id means a route can only ever land on the request that
 * matched it, however requests interleave on goroutines and connections. LRU: a route written under a
 * span that is not a traced server span is never taken and ages out.
 */
struct tb_span_key {
	__u32 pid;
	__u32 _pad;
	__u8 span_id[TB_SPAN_ID_SIZE];
};

struct tb_route {
	__u16 len;
	__u8 source;  /* enum tb_route_source */
	__u8 _pad[5];
	char route[TB_HTTP_ROUTE_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct tb_span_key);
	__type(value, struct tb_route);
	__uint(max_entries, 16384);
} tb_routes SEC(".maps");

static __always_inline void tb_random_bytes(__u8 *dst, int n)
{
	for (int i = 0; i < n; i += 4) {
		__u32 r = bpf_get_prandom_u32();
		__builtin_memcpy(dst + i, &r, 4);
	}
}

/*
 * The sampler (OTEL_TRACES_SAMPLER), set by the agent before load: decided here, where a trace enters a traced
 * process, so a sampled-out request costs no more than its context tracking. Children in the process follow
 * their parent; a parent in another process (a traceparent, a same-host link) is followed only by the
 * parent-based samplers.
 */
#define TB_SAMPLE_ALWAYS_ON 0
#define TB_SAMPLE_ALWAYS_OFF 1
#define TB_SAMPLE_RATIO 2
const volatile __u8 tb_sampler = TB_SAMPLE_ALWAYS_ON;
const volatile bool tb_sampler_parent_based = true;
/* TB_SAMPLE_RATIO: sampled when the trace id's last 8 bytes, big-endian, shifted right by one, are below this
 * (ratio * 2^63): the OpenTelemetry Go SDK's TraceIDRatioBased, so an SDK with the same ratio agrees. */
const volatile __u64 tb_sample_bound = 0;

static __always_inline __u8 tb_sample(const __u8 *trace_id)
{
	if (tb_sampler == TB_SAMPLE_ALWAYS_OFF)
		return 0;
	if (tb_sampler == TB_SAMPLE_RATIO) {
		__u64 x = 0;
		for (int i = 8; i < TB_TRACE_ID_SIZE; i++)
			x = x << 8 | trace_id[i];
		return (x >> 1) < tb_sample_bound;
	}
	return 1;
}

/* A new root span context: random trace and span id, sampled as the sampler says. */
static __always_inline void tb_new_root(struct tb_span_context *sc)
{
	tb_random_bytes(sc->trace_id, TB_TRACE_ID_SIZE);
	tb_random_bytes(sc->span_id, TB_SPAN_ID_SIZE);
	sc->flags = tb_sample(sc->trace_id);
	sc->local_root = 1;
	sc->routed = 0;
}

/* sc joins parent p's trace: p's trace id and flags; sc keeps its span id. */
static __always_inline void tb_join_trace(struct tb_span_context *sc, const struct tb_span_context *p)
{
	__builtin_memcpy(sc->trace_id, p->trace_id, TB_TRACE_ID_SIZE);
	sc->flags = p->flags;
	sc->local_root = 0;
	sc->routed = 0;
}

/*
 * sc continues p, a span in another process (a traceparent, a same-host link): p's trace; p's sampled flag
 * under a parent-based sampler, else the sampler's own decision on the trace id.
 */
static __always_inline void tb_join_remote(struct tb_span_context *sc, const struct tb_span_context *p)
{
	tb_join_trace(sc, p);
	if (!tb_sampler_parent_based)
		sc->flags = (sc->flags & ~1) | tb_sample(sc->trace_id);
}

/* sc becomes a new child of p: p's trace and flags, a fresh span id. */
static __always_inline void tb_child_of(struct tb_span_context *sc, const struct tb_span_context *p)
{
	tb_join_trace(sc, p);
	tb_random_bytes(sc->span_id, TB_SPAN_ID_SIZE);
}

/*
 * Starts a span: a child of the span its context.Context derives from (goctx, may be NULL), else of
 * the goroutine's current span, else a new root (*parent zeroed).
 */
static __always_inline void tb_start_span(struct pt_regs *ctx, const struct tb_goid_key *key, void *goctx,
					  struct tb_span_context *sc, struct tb_span_context *parent)
{
	struct tb_span_context from_ctx;
	const struct tb_span_context *cur;
	if (goctx && tb_ctx_span(key->pid, goctx, &from_ctx))
		cur = &from_ctx;
	else
		cur = tb_current(ctx, key);
	if (cur) {
		*parent = *cur;
		parent->origin = TB_ORIGIN_LOCAL;
		tb_child_of(sc, cur);
	} else {
		__builtin_memset(parent, 0, sizeof(*parent));
		tb_new_root(sc);
	}
}

/*
 * A call in flight between a function's entry and its RET, kept per goroutine (g pointer: a call
 * starts and ends on one goroutine). Probe-specific call records embed it first.
 */
struct tb_call {
	__u64 start_ns;
	void *arg;  /* the argument that identifies the call, e.g. the *http.Request */
	struct tb_span_context sc;
	struct tb_span_context parent;
};

static __always_inline struct tb_goroutine_key tb_goroutine(struct pt_regs *ctx)
{
	struct tb_goroutine_key k = {
		.pid = tb_pid_tgid() >> 32,
		.goroutine = GO_GOROUTINE(ctx),
	};
	return k;
}

/*
 * Whether this entry hit is the prologue's stack-growth restart of a call already in flight (the
 * same argument on the same goroutine): then the first hit's record is kept.
 */
static __always_inline bool tb_call_restarted(void *calls, const struct tb_goroutine_key *key, const void *arg)
{
	struct tb_call *prev = bpf_map_lookup_elem(calls, key);
	return prev && prev->arg == arg;
}

/*
 * Begins a call: its start time, and a span that is a child of the span its context.Context derives
 * from (goctx: the data word of the call's context, or NULL), else of the goroutine's current span.
 */
static __always_inline struct tb_goid_key tb_call_begin(struct pt_regs *ctx, struct tb_call *c, void *arg, void *goctx)
{
	struct tb_goid_key gkey = tb_current_goid(ctx);
	c->start_ns = bpf_ktime_get_ns();
	c->arg = arg;
	tb_start_span(ctx, &gkey, goctx, &c->sc, &c->parent);
	return gkey;
}

/*
 * Reserves the event of a span, or returns NULL: when its trace is sampled out there is nothing to send (the
 * span was tracked all the same, so its children know), and when the ring is full the loss is counted. size
 * must be a constant.
 */
static __always_inline void *tb_reserve(__u64 size, const struct tb_span_context *sc)
{
	if (!(sc->flags & 1)) {
		tb_count(TB_CNT_UNSAMPLED);
		return NULL;
	}
	void *e = bpf_ringbuf_reserve(&tb_events, size, 0);
	if (!e)
		tb_count_drop(TB_DROP_RINGBUF_FULL);
	return e;
}

/* Fills the common header of an event that ends call c now. */
static __always_inline void tb_fill_header(struct tb_event_header *h, struct pt_regs *ctx, __u32 kind, __u32 size,
					   const struct tb_call *c)
{
	__u64 pid_tgid = tb_pid_tgid();
	h->kind = kind;
	h->size = size;
	h->pid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
	h->start_ns = c->start_ns;
	h->end_ns = bpf_ktime_get_ns();
	h->goroutine = GO_GOROUTINE(ctx);
	h->target = bpf_get_attach_cookie(ctx);
	h->sc = c->sc;
	h->parent = c->parent;
}

#endif /* TB_COMMON_H */
