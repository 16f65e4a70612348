// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * google.golang.org/grpc client spans, unary and streaming (v1.60.0+).
 *
 * Unary: grpc.(*ClientConn).Invoke(cc, ctx, method string, args, reply any, opts ...CallOption) error entry
 * starts a CLIENT span — interceptors run inside it — and every RET emits it with the status of the returned
 * error: nil is OK, a *internal/status.Error carries its code and message, anything else (an interceptor's own
 * error) is UNKNOWN, as grpc's status.Code reports it. Calls nest on one goroutine (an interceptor making an
 * RPC) and a RET does not see its arguments, so each goroutine keeps a small stack of calls in flight, by
 * goid; a nested call is a child of the call it runs in.
 *
 * Streaming: (*ClientConn).NewStream(cc, ctx, desc, method string, opts...) entry starts the span on the same
 * stack. NewStream's result may be an interceptor's wrapper, so the call learns grpc's own *clientStream at
 * the RET of newClientStreamWithParams (under NewStream, on the same goroutine; unary calls pass there too
 * and are ignored) and moves to grpc_streams under it when NewStream returns without error. The span ends at
 * the entry of (*clientStream).finish(cs, err), which every stream reaches once, whichever way it ends and on
 * whichever goroutine (grpc's context watcher ends a cancelled one): io.EOF is success. A NewStream that fails
 * ends the span at its RET, unless finish already did.
 *
 * Same-host link by (connection, HTTP/2 stream id), without writing the target (tb_conn.h): the stream id
 * is assigned under the transport's lock after the request's header fields are built, and the HEADERS go
 * out from the transport's loopy-writer goroutine. So:
 *  - every RET of internal/transport.(*http2Client).createHeaderFields, on the calling goroutine, notes
 *    which call the returned header slice belongs to (by the slice's array address);
 *  - the loopy writer's entry for a new stream — (*loopyWriter).originateStream(l, str, hdr *headerFrame)
 *    up to v1.82.0, (*loopyWriter).clientHeaderHandler(l, hdr *clientHeaders) from v1.82.1 — finds the
 *    call by hdr.hf, reads the connection's socket and publishes the span under (tuple, hdr.streamID)
 *    before a byte of the stream is written; a traced server on this host takes it when it decodes the
 *    HEADERS. The call withdraws an offer nobody took when it ends.
 *
 * Outgoing traceparent for servers anywhere (plaintext HTTP/2 only, when the agent runs the sk_msg program,
 * http_inject.bpf.c): at the same loopy hook the call also offers its traceparent as an HPACK field for
 * (connection, stream id), which the sk_msg program appends to that stream's HEADERS frame — unless the
 * call's own header fields already carry a traceparent (decided at createHeaderFields' RET).
 */
#include "tb_common.h"
#include "tb_conn.h"
#include "tb_grpc.h"
#include "tb_call_stack.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u64 off_client_conn_authority = 0;  /* grpc.ClientConn.authority */
const volatile bool has_client_conn_authority = false;
const volatile __u64 off_status_error_status = 0;    /* internal/status.Error.s (*Status) */
const volatile bool has_status_error = false;
/* the connection and the new stream at the loopy writer; has_loopy_conn when the connection is known */
const volatile __u64 off_loopy_conn = 0;             /* internal/transport.loopyWriter.conn (net.Conn) */
const volatile bool has_loopy_conn = false;
const volatile __u64 off_header_frame_stream_id = 0; /* internal/transport.headerFrame.streamID (up to v1.82.0) */
const volatile __u64 off_header_frame_hf = 0;        /* .hf []hpack.HeaderField */
const volatile bool has_header_frame = false;
const volatile __u64 off_client_headers_stream_id = 0; /* internal/transport.clientHeaders.streamID (v1.82.1+) */
const volatile __u64 off_client_headers_hf = 0;
const volatile bool has_client_headers = false;
const volatile __u64 addr_io_eof = 0;                /* io.EOF, an error variable (itab, data); 0 unknown */

#define GRPC_CODE_UNKNOWN 2

struct grpc_client_call {
	struct tb_call call;  /* arg: the request message's data word (unary), the *StreamDesc (streaming) */
	void *cc;             /* *ClientConn */
	struct go_string method;
	__u64 hf;             /* the header slice of its last stream, while the loopy writer has not sent it */
	__u64 cs;             /* streaming: the *clientStream grpc made for it, 0 before */
	__u8 flags;           /* TB_GRPC_FLAG_STREAM for a streaming call */
	__u8 _pad[7];
};

#define GRPC_DEPTH 4

TB_CALL_STACK(grpc_client, struct grpc_client_call, GRPC_DEPTH)

/* The header slice of a stream being opened, by its array address, until the loopy writer sends it. */
struct grpc_hf_key {
	__u32 pid;
	__u32 _pad;
	__u64 hf;
};

struct grpc_hf_offer {
	struct tb_span_context sc;
	bool has_traceparent;  /* the call's own fields carry one: nothing is injected */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct grpc_hf_key);
	__type(value, struct grpc_hf_offer);
	__uint(max_entries, 8192);
} grpc_hf_pending SEC(".maps");

/* Streams in flight, from NewStream's return to their finish, by *clientStream. */
struct grpc_stream_key {
	__u32 pid;
	__u32 _pad;
	__u64 cs;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct grpc_stream_key);
	__type(value, struct grpc_client_call);
	__uint(max_entries, 8192);
} grpc_streams SEC(".maps");

/* The link a call published (its last attempt's), by the call's span, for withdrawal and the event. */
struct grpc_client_link {
	struct tb_conn conn;
	__u32 stream_id;
	__u32 injecting;  /* a traceparent field is offered for the stream's HEADERS too */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct tb_span_key);
	__type(value, struct grpc_client_link);
	__uint(max_entries, 8192);
} grpc_client_links SEC(".maps");

/*
 * Starts a call on the goroutine's stack: cc, ctx (itab, data) and method are the arguments Invoke and NewStream
 * share; arg tells the prologue's stack-growth restart of the same call from a new one.
 */
static __always_inline int grpc_client_push(struct pt_regs *ctx, void *arg, const char *method, __s64 method_len,
					    __u8 flags)
{
	struct tb_goid_key key = tb_current_goid(ctx);
	struct grpc_client_stack *st = grpc_client_stack_of(&key, true);
	if (!st) {
		tb_count_drop(TB_DROP_INFLIGHT_FULL);
		return 0;
	}
	__u32 depth = st->depth;
	if (depth > 0 && depth <= GRPC_DEPTH && st->frames[depth - 1].call.arg == arg &&
	    st->frames[depth - 1].method.ptr == method)
		return 0;  /* the prologue's stack-growth restart of the same call */
	if (depth >= GRPC_DEPTH) {
		st->overflow++;
		return 0;
	}
	struct grpc_client_call *c = &st->frames[depth];
	c->cc = GO_ARG1(ctx);
	c->hf = 0;
	c->cs = 0;
	c->flags = flags;
	c->method.ptr = method;
	c->method.len = method_len;
	if (depth > 0 && depth <= GRPC_DEPTH) {
		/* nested in a call on this goroutine (an interceptor's RPC): the enclosing call is the parent */
		struct grpc_client_call *outer = &st->frames[depth - 1];
		c->call.start_ns = bpf_ktime_get_ns();
		c->call.arg = arg;
		c->call.parent = outer->call.sc;
		c->call.parent.origin = TB_ORIGIN_LOCAL;
		tb_child_of(&c->call.sc, &outer->call.sc);
		c->call.sc.origin = TB_ORIGIN_LOCAL;
	} else {
		tb_call_begin(ctx, &c->call, arg, GO_ARG3(ctx));
	}
	st->depth = depth + 1;
	tb_inject_register(key.pid);  /* before grpc dials: a connection is under the sk_msg program from connect(2) */
	return 0;
}

SEC("uprobe")
int uprobe_grpc_invoke(struct pt_regs *ctx)
{
	/* cc, ctx (itab, data), method (ptr, len), args (itab, data), reply (itab, data), opts on the stack */
	return grpc_client_push(ctx, GO_ARG7(ctx), GO_ARG4(ctx), (__s64)GO_ARG5(ctx), 0);
}

SEC("uprobe")
int uprobe_grpc_new_stream(struct pt_regs *ctx)
{
	/* cc, ctx (itab, data), desc *StreamDesc, method (ptr, len), opts (ptr, len, cap) */
	return grpc_client_push(ctx, GO_ARG4(ctx), GO_ARG5(ctx), (__s64)GO_ARG6(ctx), TB_GRPC_FLAG_STREAM);
}

/* The status code of Invoke's returned error (itab, data); its message into e. */
static __always_inline void grpc_error_status(struct tb_grpc_event *e, __u64 itab, const void *data)
{
	e->message_len = 0;
	if (!itab) {
		e->status = 0;
	} else if (itab_status_error && itab == itab_status_error) {
		const void *st = has_status_error ? (const void *)go_read_ptr(data, off_status_error_status) : NULL;
		e->status = grpc_status_code(st, e->message, &e->message_len);
	} else if (itab_status_error) {
		e->status = GRPC_CODE_UNKNOWN;  /* not a status: grpc's status.Code says UNKNOWN */
		e->flags |= TB_GRPC_FLAG_FOREIGN_ERROR;
	} else {
		e->status = TB_GRPC_STATUS_UNKNOWN;  /* failed, but the error's type cannot be told (no symbols) */
	}
}

/* Withdraws the call's same-host offer if no server took it, and reports its connection and stream. */
static __always_inline void grpc_take_link(struct tb_grpc_event *e, __u32 pid, const struct tb_span_context *sc)
{
	struct tb_span_key k = {.pid = pid};
	__builtin_memcpy(k.span_id, sc->span_id, TB_SPAN_ID_SIZE);
	struct grpc_client_link *l = bpf_map_lookup_elem(&grpc_client_links, &k);
	if (!l) {
		__builtin_memset(&e->conn, 0, sizeof(e->conn));
		e->stream_id = 0;
		return;
	}
	e->conn = l->conn;
	e->stream_id = l->stream_id;
	tb_link_withdraw(&l->conn, l->stream_id);
	if (l->injecting)
		tb_h2_inject_withdraw(&l->conn, l->stream_id);
	bpf_map_delete_elem(&grpc_client_links, &k);
}

/* Emits call c, ended now with the error (err_itab, err_data): nil is OK. */
static __always_inline void grpc_client_emit(struct pt_regs *ctx, __u32 pid, const struct grpc_client_call *c,
					     __u64 err_itab, void *err_data)
{
	struct tb_grpc_event *e = tb_reserve(sizeof(*e), &c->call.sc);
	if (!e) {
		return;
	}
	tb_fill_header(&e->h, ctx, TB_EV_GRPC, sizeof(*e), &c->call);
	e->side = TB_GRPC_CLIENT;
	e->flags = c->flags;
	e->_pad = 0;
	e->_pad2 = 0;
	e->tracestate_len = 0;
	grpc_error_status(e, err_itab, err_data);
	grpc_take_link(e, pid, &c->call.sc);
	e->method_len = go_read_string_at(e->method, TB_GRPC_METHOD_MAX, &c->method);
	e->authority_len = has_client_conn_authority
		? go_read_string(e->authority, TB_GRPC_AUTHORITY_MAX, c->cc, off_client_conn_authority) : 0;
	tb_submit(e);
}

/* A stream that was never sent (its creation failed): its slice's memory may serve another stream. */
static __always_inline void grpc_forget_unsent(__u32 pid, const struct grpc_client_call *c)
{
	if (c->hf) {
		struct grpc_hf_key k = {.pid = pid, .hf = c->hf};
		bpf_map_delete_elem(&grpc_hf_pending, &k);
	}
}

SEC("uprobe")
int uprobe_grpc_invoke_return(struct pt_regs *ctx)
{
	/* the error in ARG1/ARG2 */
	struct tb_goid_key key;
	struct grpc_client_call *c = grpc_client_pop_current(ctx, &key);
	if (!c)
		return 0;
	grpc_forget_unsent(key.pid, c);  /* the call has returned: a stream it sent was answered */
	grpc_client_emit(ctx, key.pid, c, (__u64)GO_ARG1(ctx), GO_ARG2(ctx));
	return 0;
}

SEC("uprobe")
int uprobe_grpc_new_client_stream_return(struct pt_regs *ctx)
{
	/* newClientStreamWithParams: (ClientStream (itab, data), error (itab, data)); data is grpc's *clientStream */
	struct tb_goid_key key = tb_current_goid(ctx);
	struct grpc_client_stack *st = grpc_client_stack_of(&key, false);
	struct grpc_client_call *c = st ? grpc_client_top(st) : NULL;
	__u64 cs = (__u64)GO_ARG2(ctx);
	if (!c || !(c->flags & TB_GRPC_FLAG_STREAM) || !cs || GO_ARG3(ctx))
		return 0;  /* a unary call's stream (the call on top is not a stream), or none was made */
	struct grpc_stream_key k = {.pid = key.pid};
	if (c->cs) {
		/* an interceptor opened another stream for the call: the span follows the newest */
		k.cs = c->cs;
		bpf_map_delete_elem(&grpc_streams, &k);
	}
	c->cs = cs;
	k.cs = cs;
	bpf_map_update_elem(&grpc_streams, &k, c, BPF_ANY);
	return 0;
}

SEC("uprobe")
int uprobe_grpc_new_stream_return(struct pt_regs *ctx)
{
	/* (ClientStream (itab, data), error (itab, data)) */
	struct tb_goid_key key;
	struct grpc_client_call *c = grpc_client_pop_current(ctx, &key);
	if (!c)
		return 0;
	__u64 err_itab = (__u64)GO_ARG3(ctx);
	if (!err_itab && c->cs)
		return 0;  /* in flight: finish ends it */
	if (c->cs) {
		/* failed after grpc made a stream (an interceptor's error): unless finish has ended it already */
		struct grpc_stream_key k = {.pid = key.pid, .cs = c->cs};
		if (bpf_map_delete_elem(&grpc_streams, &k))
			return 0;
	}
	if (err_itab)
		grpc_forget_unsent(key.pid, c);
	/* failed, or an interceptor answered without a grpc stream */
	grpc_client_emit(ctx, key.pid, c, err_itab, GO_ARG4(ctx));
	return 0;
}

SEC("uprobe")
int uprobe_grpc_stream_finish(struct pt_regs *ctx)
{
	/* (*clientStream).finish(cs, err (itab, data)): every stream once, unary ones too (not in grpc_streams) */
	struct grpc_stream_key k = {.pid = tb_pid_tgid() >> 32, .cs = (__u64)GO_ARG1(ctx)};
	struct grpc_client_call *found = bpf_map_lookup_elem(&grpc_streams, &k);
	if (!found)
		return 0;
	struct grpc_client_call c = *found;
	if (bpf_map_delete_elem(&grpc_streams, &k))
		return 0;  /* another finish of the stream, on another CPU, took it */
	__u64 err_itab = (__u64)GO_ARG2(ctx);
	void *err_data = GO_ARG3(ctx);
	if (err_itab && addr_io_eof && err_itab == go_read_ptr((const void *)addr_io_eof, 0) &&
	    (__u64)err_data == go_read_ptr((const void *)addr_io_eof, 8))
		err_itab = 0;  /* io.EOF: the stream ended normally */
	else if (err_itab && !addr_io_eof)
		c.flags |= TB_GRPC_FLAG_UNREAD;  /* io.EOF cannot be told from a failure without the symbol */
	grpc_client_emit(ctx, k.pid, &c, err_itab, err_data);
	return 0;
}

struct grpc_tp_scan {
	const char *fields;
	bool found;
};

static long grpc_tp_cb(__u64 i, void *arg)
{
	struct grpc_tp_scan *s = arg;
	struct go_string name = {};
	if (bpf_probe_read_user(&name, sizeof(name), s->fields + i * GO_HPACK_FIELD_SIZE + off_field_name))
		return 0;
	if (name.len == 11 && go_string_equals(name.ptr, "traceparent", 11)) {
		s->found = true;
		return 1;
	}
	return 0;
}

#define GRPC_HF_SCAN 64  /* header fields looked at for the call's own traceparent */

SEC("uprobe")
int uprobe_grpc_create_header_fields_return(struct pt_regs *ctx)
{
	/* ([]hpack.HeaderField (array, len, cap), error): the slice's array in ARG1 */
	struct tb_goid_key key = tb_current_goid(ctx);
	struct grpc_client_stack *st = grpc_client_stack_of(&key, false);
	void *hf = GO_ARG1(ctx);
	if (!st || !hf || !has_loopy_conn || !tb_kernel_reads)
		return 0;
	struct grpc_client_call *c = grpc_client_top(st);
	if (!c)
		return 0;  /* a stream no traced call opened (a retry after NewStream returned, an untraced call) */
	struct grpc_hf_key k = {.pid = key.pid, .hf = (__u64)hf};
	struct grpc_hf_offer offer = {.sc = c->call.sc};
	offer.sc.origin = TB_ORIGIN_CONN;
	if (tb_inject_enabled) {
		/* metadata the application set is among the fields: a second traceparent would void both */
		__u64 n = (__u64)GO_ARG2(ctx);
		struct grpc_tp_scan scan = {.fields = hf};
		bpf_loop(n < GRPC_HF_SCAN ? n : GRPC_HF_SCAN, grpc_tp_cb, &scan, 0);
		offer.has_traceparent = scan.found || n > GRPC_HF_SCAN;
	}
	if (bpf_map_update_elem(&grpc_hf_pending, &k, &offer, BPF_ANY) == 0)
		c->hf = (__u64)hf;
	return 0;
}

/* The loopy writer is about to send a new stream's HEADERS: publish its call's span for the server. */
static __always_inline int grpc_publish(struct pt_regs *ctx, void *loopy, const void *hdr, __u64 off_sid, __u64 off_hf)
{
	struct grpc_hf_key k = {.pid = tb_pid_tgid() >> 32, .hf = go_read_ptr(hdr, off_hf)};
	struct grpc_hf_offer *offer = bpf_map_lookup_elem(&grpc_hf_pending, &k);
	if (!offer)
		return 0;
	struct tb_span_context sc = offer->sc;
	bool has_traceparent = offer->has_traceparent;
	bpf_map_delete_elem(&grpc_hf_pending, &k);
	struct grpc_client_link l = {};
	if (bpf_probe_read_user(&l.stream_id, sizeof(l.stream_id), (const char *)hdr + off_sid) || !l.stream_id)
		return 0;
	bool tls = false;
	if (!tb_read_conn(&l.conn, grpc_conn_fd((char *)loopy + off_loopy_conn, &tls)))
		return 0;
	struct tb_span_key sk = {.pid = k.pid};
	__builtin_memcpy(sk.span_id, sc.span_id, TB_SPAN_ID_SIZE);
	/* a retry's new stream replaces the earlier attempt's offer */
	struct grpc_client_link *prev = bpf_map_lookup_elem(&grpc_client_links, &sk);
	if (prev) {
		tb_link_withdraw(&prev->conn, prev->stream_id);
		if (prev->injecting)
			tb_h2_inject_withdraw(&prev->conn, prev->stream_id);
	}
	tb_link_publish(&l.conn, l.stream_id, &sc);
	if (!tb_inject_enabled) {
		tb_count(TB_CNT_INJECT_REFUSED);
	} else if (has_traceparent) {
		tb_count(TB_CNT_INJECT_EXISTING);
	} else if (!tls) {
		tb_h2_inject_offer(&l.conn, l.stream_id, &sc);
		l.injecting = 1;
	}
	bpf_map_update_elem(&grpc_client_links, &sk, &l, BPF_ANY);
	return 0;
}

SEC("uprobe")
int uprobe_grpc_originate_stream(struct pt_regs *ctx)
{
	/* l, str *outStream, hdr *headerFrame */
	if (!has_header_frame || !has_loopy_conn)
		return 0;
	return grpc_publish(ctx, GO_ARG1(ctx), GO_ARG3(ctx), off_header_frame_stream_id, off_header_frame_hf);
}

SEC("uprobe")
int uprobe_grpc_client_header_handler(struct pt_regs *ctx)
{
	/* l, hdr *clientHeaders */
	if (!has_client_headers || !has_loopy_conn)
		return 0;
	return grpc_publish(ctx, GO_ARG1(ctx), GO_ARG2(ctx), off_client_headers_stream_id, off_client_headers_hf);
}
