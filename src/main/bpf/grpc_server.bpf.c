// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * google.golang.org/grpc server spans (HTTP/2 transport, v1.60.0+).
 *
 * A call crosses three goroutines' worth of functions, so the span is assembled in steps:
 *  1. internal/transport.(*http2Server).operateHeaders(t, ctx, frame *http2.MetaHeadersFrame, handle) entry,
 *     on the connection's reader goroutine, once the HEADERS that open a stream are decoded: the start
 *     time, :path, :authority and the W3C traceparent/tracestate metadata (HPACK already resolved in
 *     frame.Fields), else the same-host link a traced client published for this (connection, stream id)
 *     (tb_conn.h). Kept per stream under (tgid, *http2Server, stream id): stream ids are only unique
 *     within a connection.
 *  2. grpc.(*Server).handleStream(s, t ServerTransport, stream) entry, on the handler goroutine (a new one
 *     per stream, or a worker): takes the stream's record and starts the SERVER span — a child of the
 *     remote parent if there is one, else a new trace, never of the goroutine's inherited span (the
 *     reader goroutine that created it belongs to no call). The span becomes the goroutine's current
 *     span and is registered under the stream's context, which every context the handler gets derives
 *     from: the handler's own calls (net/http, database/sql, go-redis, gRPC) become its children.
 *  3. (*http2Server).WriteStatus (up to v1.68) / writeStatus (v1.69+) entry, on the handler goroutine: the
 *     status code and message.
 *  4. every RET of handleStream emits the span.
 * handleStream's stream argument changed type: *transport.Stream up to v1.68, a *ServerStream holding a
 * *Stream in v1.69-v1.76, a *ServerStream embedding it from v1.77; the agent sets grpc_stream_layout.
 * A server mounted on net/http (ServeHTTP) never runs operateHeaders: it gets no gRPC span (its net/http
 * span stays).
 */
#include "tb_common.h"
#include "tb_conn.h"
#include "tb_traceparent.h"
#include "tb_grpc.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* golang.org/x/net/http2: the decoded HEADERS of a new stream */
const volatile __u64 off_meta_headers_frame = 0;    /* MetaHeadersFrame.HeadersFrame (*HeadersFrame) */
const volatile __u64 off_meta_fields = 0;           /* MetaHeadersFrame.Fields ([]hpack.HeaderField) */
const volatile __u64 off_meta_truncated = 0;        /* MetaHeadersFrame.Truncated */
const volatile __u64 off_headers_frame_header = 0;  /* HeadersFrame.FrameHeader (embedded) */
const volatile __u64 off_frame_stream_id = 0;       /* FrameHeader.StreamID */
const volatile __u64 off_field_value = 0;           /* hpack.HeaderField.Value */
/* google.golang.org/grpc/internal/transport */
const volatile __u64 off_stream_id = 0;             /* Stream.id */
const volatile __u64 off_stream_ctx = 0;            /* Stream.ctx */
const volatile __u64 off_server_stream_stream = 0;  /* ServerStream.Stream (v1.69+) */
const volatile bool has_server_stream = false;
const volatile __u64 off_server_conn = 0;           /* http2Server.conn (net.Conn) */
const volatile bool has_server_conn = false;

#define GRPC_STREAM_PLAIN 0     /* handleStream gets a *transport.Stream (up to v1.68) */
#define GRPC_STREAM_POINTER 1   /* a *ServerStream whose Stream member is a *Stream (v1.69-v1.76) */
#define GRPC_STREAM_EMBEDDED 2  /* a *ServerStream embedding the Stream (v1.77+) */
const volatile __u8 grpc_stream_layout = GRPC_STREAM_PLAIN;

/* Header fields scanned per stream; gRPC's own come first, metadata after. More are counted, not read. */
#define GRPC_MAX_FIELDS 64

/* A stream's key: stream ids are per connection, so with the connection's transport. */
struct grpc_stream_key {
	__u32 pid;
	__u32 stream_id;
	__u64 transport;  /* *http2Server */
};

/* What operateHeaders learned about a new stream, until its handleStream RET. */
struct grpc_stream {
	__u64 start_ns;
	struct tb_span_context parent;  /* remote parent (traceparent, or a same-host link); zero span id = none */
	struct tb_conn conn;
	__u16 method_len;
	__u16 authority_len;
	__u16 tracestate_len;
	__u16 _pad;
	char method[TB_GRPC_METHOD_MAX];
	char authority[TB_GRPC_AUTHORITY_MAX];
	char tracestate[TB_TRACESTATE_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct grpc_stream_key);
	__type(value, struct grpc_stream);
	__uint(max_entries, 16384);
} grpc_streams SEC(".maps");

/* a stream record is too large for the BPF stack: it is built here */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct grpc_stream);
	__uint(max_entries, 1);
} grpc_stream_scratch SEC(".maps");

/* A handleStream call in flight, per goroutine. */
struct grpc_server_call {
	struct tb_call call;  /* arg is the stream handleStream got */
	struct grpc_stream_key stream;
	void *ctx;            /* data word of Stream.ctx: the key the span is registered under */
	__s32 status;
	__u16 message_len;
	__u16 _pad;
	char message[TB_GRPC_MESSAGE_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct tb_goroutine_key);
	__type(value, struct grpc_server_call);
	__uint(max_entries, 16384);
} grpc_server_calls SEC(".maps");

struct grpc_field_scan {
	const char *fields;
	struct go_string path;
	struct go_string authority;
	struct go_string traceparent;
	struct go_string tracestate;
	__u32 traceparents;  /* 0, 1, or 2 for "more than one" */
};

/* One header field: keeps the values of the names we want (HTTP/2 field names are lowercase on the wire). */
static long grpc_field_cb(__u64 i, void *arg)
{
	struct grpc_field_scan *s = arg;
	const char *f = s->fields + i * GO_HPACK_FIELD_SIZE;
	struct go_string name = {}, value = {};
	if (bpf_probe_read_user(&name, sizeof(name), f + off_field_name) ||
	    bpf_probe_read_user(&value, sizeof(value), f + off_field_value))
		return 0;
	if (name.len == 5 && go_string_equals(name.ptr, ":path", 5)) {
		s->path = value;
	} else if (name.len == 10 && go_string_equals(name.ptr, ":authority", 10)) {
		s->authority = value;
	} else if (name.len == 11 && go_string_equals(name.ptr, "traceparent", 11)) {
		s->traceparent = value;
		/* saturating: the verifier explores every distinct value a loop callback leaves behind */
		s->traceparents = s->traceparents ? 2 : 1;
	} else if (name.len == 10 && !s->tracestate.ptr && go_string_equals(name.ptr, "tracestate", 10)) {
		s->tracestate = value;
	}
	return 0;
}

/* Reads the stream's fields into st; its remote parent from a traceparent, if exactly one valid one came. */
static __always_inline bool grpc_read_fields(struct grpc_stream *st, const void *frame)
{
	struct { const char *ptr; __s64 len; __s64 cap; } fields = {};
	__u8 truncated = 0;
	if (bpf_probe_read_user(&fields, sizeof(fields), (const char *)frame + off_meta_fields) || !fields.ptr)
		return false;
	bpf_probe_read_user(&truncated, sizeof(truncated), (const char *)frame + off_meta_truncated);
	__u64 n = fields.len > 0 ? (__u64)fields.len : 0;
	if (n > GRPC_MAX_FIELDS) {
		tb_count(TB_CNT_HEADERS_UNSCANNED);
		n = GRPC_MAX_FIELDS;
	}
	struct grpc_field_scan scan = {.fields = fields.ptr};
	bpf_loop(n, grpc_field_cb, &scan, 0);
	st->method_len = go_read_string_at(st->method, TB_GRPC_METHOD_MAX, &scan.path);
	st->authority_len = go_read_string_at(st->authority, TB_GRPC_AUTHORITY_MAX, &scan.authority);
	if (!scan.traceparents)
		return false;
	/* W3C: a repeated traceparent makes the receiver discard both; a truncated list may hide one */
	struct tb_span_context remote = {};
	bool ok = scan.traceparents == 1 && !truncated && tb_parse_traceparent(&scan.traceparent, &remote);
	tb_count(ok ? TB_CNT_TRACEPARENT_IN : TB_CNT_TRACEPARENT_BAD);
	if (!ok)
		return false;
	st->parent = remote;
	st->tracestate_len = go_read_string_at(st->tracestate, TB_TRACESTATE_MAX, &scan.tracestate);
	return true;
}

SEC("uprobe")
int uprobe_grpc_operate_headers(struct pt_regs *ctx)
{
	/* t, ctx (itab, data), frame, handle */
	void *t = GO_ARG1(ctx);
	void *frame = GO_ARG4(ctx);
	void *headers = (void *)go_read_ptr(frame, off_meta_headers_frame);
	__u32 sid = 0;
	if (!headers || bpf_probe_read_user(&sid, sizeof(sid), (char *)headers + off_headers_frame_header + off_frame_stream_id) || !sid)
		return 0;
	__u32 zero = 0;
	struct grpc_stream *st = bpf_map_lookup_elem(&grpc_stream_scratch, &zero);
	if (!st)
		return 0;
	st->start_ns = bpf_ktime_get_ns();
	__builtin_memset(&st->parent, 0, sizeof(st->parent));
	__builtin_memset(&st->conn, 0, sizeof(st->conn));
	st->method_len = 0;
	st->authority_len = 0;
	st->tracestate_len = 0;
	bool continued = grpc_read_fields(st, frame);

	/* the link is taken even when a traceparent came, so that it does not linger until the client withdraws it */
	bool wrapped = false;  /* TLS: nothing to do with it here */
	if (has_server_conn && tb_read_conn(&st->conn, grpc_conn_fd((char *)t + off_server_conn, &wrapped))) {
		struct tb_span_context linked;
		if (tb_link_take(&st->conn, sid, &linked) && !continued)
			st->parent = linked;
	}
	struct grpc_stream_key key = {.pid = tb_pid_tgid() >> 32, .stream_id = sid, .transport = (__u64)t};
	/* BPF_ANY: a record a refused stream left behind under a reused transport address must not survive */
	if (bpf_map_update_elem(&grpc_streams, &key, st, BPF_ANY))
		tb_count_drop(TB_DROP_INFLIGHT_FULL);
	return 0;
}

/* The transport.Stream inside handleStream's stream argument, by the release's layout. */
static __always_inline void *grpc_stream_base(void *stream)
{
	if (grpc_stream_layout == GRPC_STREAM_PLAIN)
		return stream;
	if (!has_server_stream)
		return NULL;
	if (grpc_stream_layout == GRPC_STREAM_POINTER)
		return (void *)go_read_ptr(stream, off_server_stream_stream);
	return (char *)stream + off_server_stream_stream;
}

SEC("uprobe")
int uprobe_grpc_handle_stream(struct pt_regs *ctx)
{
	/* s, t (itab, data: the *http2Server), stream */
	struct tb_goroutine_key gk = tb_goroutine(ctx);
	void *stream = GO_ARG4(ctx);
	if (tb_call_restarted(&grpc_server_calls, &gk, stream))
		return 0;
	void *base = grpc_stream_base(stream);
	__u32 sid = 0;
	if (!base || bpf_probe_read_user(&sid, sizeof(sid), (char *)base + off_stream_id))
		return 0;
	struct grpc_server_call c = {};
	c.stream.pid = gk.pid;
	c.stream.stream_id = sid;
	c.stream.transport = (__u64)GO_ARG3(ctx);
	struct grpc_stream *st = bpf_map_lookup_elem(&grpc_streams, &c.stream);
	if (!st)
		return 0;  /* not a stream operateHeaders saw: another transport (ServeHTTP), or aged out */

	c.call.start_ns = st->start_ns;
	c.call.arg = stream;
	c.status = TB_GRPC_STATUS_UNKNOWN;
	c.ctx = go_read_iface_data(base, off_stream_ctx);
	if (tb_has_span(&st->parent)) {
		c.call.parent = st->parent;
		tb_join_remote(&c.call.sc, &st->parent);
		tb_random_bytes(c.call.sc.span_id, TB_SPAN_ID_SIZE);
	} else {
		tb_new_root(&c.call.sc);
	}
	if (bpf_map_update_elem(&grpc_server_calls, &gk, &c, BPF_ANY)) {
		tb_count_drop(TB_DROP_INFLIGHT_FULL);
		return 0;
	}
	struct tb_goid_key gkey = tb_current_goid(ctx);
	bpf_map_update_elem(&tb_current_span, &gkey, &c.call.sc, BPF_ANY);
	if (c.ctx) {
		struct tb_ctx_key ck = {.pid = gk.pid, .ctx = (__u64)c.ctx};
		bpf_map_update_elem(&tb_ctx_spans, &ck, &c.call.sc, BPF_ANY);
	}
	return 0;
}

SEC("uprobe")
int uprobe_grpc_write_status(struct pt_regs *ctx)
{
	/* t, s (the stream handleStream got), st *status.Status */
	struct tb_goroutine_key gk = tb_goroutine(ctx);
	struct grpc_server_call *c = bpf_map_lookup_elem(&grpc_server_calls, &gk);
	if (!c || c->call.arg != GO_ARG2(ctx) || c->status != TB_GRPC_STATUS_UNKNOWN)
		return 0;
	c->status = grpc_status_code(GO_ARG3(ctx), c->message, &c->message_len);
	return 0;
}

SEC("uprobe")
int uprobe_grpc_handle_stream_return(struct pt_regs *ctx)
{
	struct tb_goroutine_key gk = tb_goroutine(ctx);
	struct grpc_server_call *c = bpf_map_lookup_elem(&grpc_server_calls, &gk);
	if (!c)
		return 0;
	/* the goroutine leaves the span; a worker goroutine's next stream must not inherit it */
	struct tb_goid_key gkey = tb_current_goid(ctx);
	bpf_map_delete_elem(&tb_current_span, &gkey);
	if (c->ctx) {
		struct tb_ctx_key ck = {.pid = gk.pid, .ctx = (__u64)c->ctx};
		bpf_map_delete_elem(&tb_ctx_spans, &ck);
	}
	struct grpc_stream *st = bpf_map_lookup_elem(&grpc_streams, &c->stream);
	struct tb_grpc_event *e = tb_reserve(sizeof(*e), &c->call.sc);
	if (!e) {
		goto out;
	}
	tb_fill_header(&e->h, ctx, TB_EV_GRPC, sizeof(*e), &c->call);
	e->side = TB_GRPC_SERVER;
	e->flags = 0;
	e->_pad = 0;
	e->_pad2 = 0;
	e->status = c->status;
	e->stream_id = c->stream.stream_id;
	e->message_len = c->message_len;
	__builtin_memcpy(e->message, c->message, TB_GRPC_MESSAGE_MAX);
	if (st) {
		e->conn = st->conn;
		e->method_len = st->method_len;
		e->authority_len = st->authority_len;
		e->tracestate_len = st->tracestate_len;
		__builtin_memcpy(e->method, st->method, TB_GRPC_METHOD_MAX);
		__builtin_memcpy(e->authority, st->authority, TB_GRPC_AUTHORITY_MAX);
		__builtin_memcpy(e->tracestate, st->tracestate, TB_TRACESTATE_MAX);
	} else {
		__builtin_memset(&e->conn, 0, sizeof(e->conn));
		e->method_len = 0;
		e->authority_len = 0;
		e->tracestate_len = 0;
	}
	tb_submit(e);
out:
	bpf_map_delete_elem(&grpc_streams, &c->stream);
	bpf_map_delete_elem(&grpc_server_calls, &gk);
	return 0;
}
