// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * net/http client spans.
 *
 * Entry of net/http.(*Transport).roundTrip(req *Request) (*Response, error) starts a span: a child of
 * the span the request's context derives from, else of the span the calling goroutine is in (e.g.
 * the handler's server span);
 * a uprobe on every RET reads the request and the returned response or error and emits one
 * tb_http_client_event. Nothing is written to the target: the URL's credentials are never copied.
 *
 * Entry of net/http.(*persistConn).roundTrip, called by roundTrip on the same goroutine once it has an
 * HTTP/1.x connection, reads that connection's socket and publishes the span for a server on this host
 * (tb_conn.h). A retry on a fresh connection calls it again: the earlier offer is withdrawn.
 * There too, unless the request already carries one, it offers a traceparent header line that the
 * sk_msg program (http_inject.bpf.c) writes into the request as it leaves: the callee continues the
 * trace wherever it runs, in whatever language. Plain HTTP/1.x only (TLS leaves as ciphertext).
 */
#include "tb_common.h"
#include "tb_conn.h"
#include "go_headers.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Struct field offsets, set by the agent before load from the target's DWARF or the versioned table. */
const volatile __u64 off_request_method = 0;
const volatile __u64 off_request_url = 0;
const volatile __u64 off_url_scheme = 0;
const volatile __u64 off_url_user = 0;
const volatile __u64 off_url_host = 0;
const volatile __u64 off_url_path = 0;
const volatile __u64 off_url_raw_query = 0;
const volatile __u64 off_response_status_code = 0;
const volatile __u64 off_response_proto_major = 0;
const volatile __u64 off_response_proto_minor = 0;
const volatile __u64 off_request_ctx = 0;  /* net/http.Request.ctx: the span may come from the context chain */
const volatile bool has_request_ctx = false;
/* From a persistConn to its socket; has_client_conn only when all are known. */
const volatile bool has_client_conn = false;
const volatile __u64 off_pconn_conn = 0;       /* net/http.persistConn.conn (net.Conn) */
const volatile __u64 off_pconn_tls_state = 0;  /* net/http.persistConn.tlsState, non-nil on TLS */

/*
 * Client calls, keyed by goroutine. An entry outlives its call (the RET marks it inactive): the goroutine's
 * next call is written over it in place, which saves an LRU insert and delete (~250 ns) per call on
 * goroutines that make many (a keep-alive server connection's handler goroutine). LRU: entries of goroutines
 * that ended, and calls that never returned, age out.
 */
struct client_call {
	struct tb_call call;  /* arg is the *http.Request */
	struct tb_conn conn;  /* zero until persistConn.roundTrip ran */
	__u8 active;          /* the call is in flight: entry ran, RET not yet */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct tb_goroutine_key);
	__type(value, struct client_call);
	__uint(max_entries, 16384);
} http_client_calls SEC(".maps");

SEC("uprobe")
int uprobe_transport_round_trip(struct pt_regs *ctx)
{
	struct tb_goroutine_key key = tb_goroutine(ctx);
	void *req = GO_ARG2(ctx); /* receiver *Transport is ARG1 */
	struct client_call *cc = bpf_map_lookup_elem(&http_client_calls, &key);
	if (cc && cc->active && cc->call.arg == req)
		return 0;  /* the prologue's stack-growth restart of the call in flight */

	tb_inject_register(key.pid);
	void *goctx = has_request_ctx ? go_read_iface_data(req, off_request_ctx) : NULL;
	if (cc) {
		cc->active = 0;
		__builtin_memset(&cc->conn, 0, sizeof(cc->conn));
		tb_call_begin(ctx, &cc->call, req, goctx);
		cc->active = 1;
		return 0;
	}
	struct client_call call = {.active = 1};
	tb_call_begin(ctx, &call.call, req, goctx);
	if (bpf_map_update_elem(&http_client_calls, &key, &call, BPF_ANY))
		tb_count_drop(TB_DROP_INFLIGHT_FULL);
	return 0;
}

SEC("uprobe")
int uprobe_persist_conn_round_trip(struct pt_regs *ctx)
{
	if (!has_client_conn)
		return 0;
	struct tb_goroutine_key key = tb_goroutine(ctx);
	struct client_call *call = bpf_map_lookup_elem(&http_client_calls, &key);
	if (!call || !call->active)
		return 0;
	void *pc = GO_ARG1(ctx);
	/* conn and tlsState: one read */
	__u8 buf[64] __attribute__((aligned(8)));
	struct go_win w;
	go_win_read(&w, buf, sizeof(buf), pc, go_min(off_pconn_conn, off_pconn_tls_state),
		    go_max(off_pconn_conn + 16, off_pconn_tls_state + 8));
	bool tls = go_win_ptr(&w, buf, off_pconn_tls_state) != 0;
	struct tb_conn conn = {};
	if (!tb_read_conn(&conn, tb_conn_fd((void *)go_win_ptr(&w, buf, off_pconn_conn + 8), tls)))
		return 0;
	if (call->conn.inode && call->conn.inode != conn.inode) {
		tb_link_withdraw(&call->conn, 0);
		tb_inject_withdraw(&call->conn);
	}
	call->conn = conn;
	struct tb_span_context offer = call->call.sc;
	offer.origin = TB_ORIGIN_CONN;
	tb_link_publish(&conn, 0, &offer);

	if (tls)
		return 0;
	if (!tb_inject_enabled) {
		tb_count(TB_CNT_INJECT_REFUSED);
		return 0;
	}
	/* Decided here, from Go's header map: a scan of the outgoing bytes cannot see headers that a
	 * later write carries. */
	struct tb_trace_headers th;
	tb_find_trace_headers((void *)go_read_ptr(call->call.arg, off_request_header), &th);
	if (th.traceparent.ptr)
		tb_count(TB_CNT_INJECT_EXISTING);
	else
		tb_inject_offer(&conn, &call->call.sc);
	return 0;
}

SEC("uprobe")
int uprobe_transport_round_trip_return(struct pt_regs *ctx)
{
	struct tb_goroutine_key key = tb_goroutine(ctx);
	struct client_call *cc = bpf_map_lookup_elem(&http_client_calls, &key);
	if (!cc || !cc->active)
		return 0;
	cc->active = 0;  /* the entry stays, for the goroutine's next call */
	struct tb_call *call = &cc->call;
	if (cc->conn.inode) {
		tb_link_withdraw(&cc->conn, 0);
		tb_inject_withdraw(&cc->conn);
	}

	struct tb_http_client_event *e = tb_reserve(sizeof(*e), &call->sc);
	if (!e)
		return 0;
	tb_fill_header(&e->h, ctx, TB_EV_HTTP_CLIENT, sizeof(*e), call);

	/* Results come back in the argument registers: *Response in ARG1, the error interface in ARG2/ARG3. */
	void *resp = GO_ARG1(ctx);
	void *err_itab = GO_ARG2(ctx);
	void *req = call->arg;
	e->conn = cc->conn;
	e->flags = 0;
	e->status = 0;
	e->proto_major = 0;
	e->proto_minor = 0;
	__u8 buf[128] __attribute__((aligned(8)));
	struct go_win w;
	if (err_itab) {
		e->flags |= TB_HTTP_CLIENT_FLAG_ERROR;
	} else if (resp) {
		/* StatusCode, ProtoMajor, ProtoMinor: one read */
		go_win_read(&w, buf, sizeof(buf), resp,
			    go_min(off_response_status_code, go_min(off_response_proto_major, off_response_proto_minor)),
			    go_max(off_response_status_code, go_max(off_response_proto_major, off_response_proto_minor)) + 8);
		e->status = (__u16)go_win_ptr(&w, buf, off_response_status_code);
		e->proto_major = (__u8)go_win_ptr(&w, buf, off_response_proto_major);
		e->proto_minor = (__u8)go_win_ptr(&w, buf, off_response_proto_minor);
	}

	struct go_string s;
	go_win_read(&w, buf, sizeof(buf), req, go_min(off_request_method, off_request_url),
		    go_max(off_request_method + 16, off_request_url + 8));
	go_win_string(&w, buf, off_request_method, &s);
	e->method_len = go_read_string_at(e->method, TB_HTTP_METHOD_MAX, &s);
	void *url = (void *)go_win_ptr(&w, buf, off_request_url);

	/* Scheme, User, Host, Path, RawQuery: one read */
	__u64 lo = go_min(go_min(off_url_scheme, off_url_user), go_min(off_url_host, go_min(off_url_path, off_url_raw_query)));
	__u64 hi = go_max(go_max(off_url_scheme + 16, off_url_user + 8),
			  go_max(off_url_host + 16, go_max(off_url_path + 16, off_url_raw_query + 16)));
	go_win_read(&w, buf, sizeof(buf), url, lo, hi);
	go_win_string(&w, buf, off_url_scheme, &s);
	e->scheme_len = go_read_string_at(e->scheme, TB_HTTP_SCHEME_MAX, &s);
	go_win_string(&w, buf, off_url_host, &s);
	e->host_len = go_read_string_at(e->host, TB_HTTP_HOST_MAX, &s);
	go_win_string(&w, buf, off_url_path, &s);
	e->path_len = go_read_string_at(e->path, TB_HTTP_PATH_MAX, &s);
	go_win_string(&w, buf, off_url_raw_query, &s);
	e->query_len = go_read_string_at(e->query, TB_HTTP_QUERY_MAX, &s);
	if (go_win_ptr(&w, buf, off_url_user))
		e->flags |= TB_HTTP_CLIENT_FLAG_USERINFO;

	tb_submit(e);
	return 0;
}
