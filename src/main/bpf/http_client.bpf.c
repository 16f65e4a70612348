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

struct client_call {
	struct tb_call call;  /* arg is the *http.Request */
	struct tb_conn conn;  /* zero until persistConn.roundTrip ran */
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
	if (tb_call_restarted(&http_client_calls, &key, req))
		return 0;

	tb_inject_register(key.pid);
	struct client_call call = {};
	tb_call_begin(ctx, &call.call, req, has_request_ctx ? go_read_iface_data(req, off_request_ctx) : NULL);
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
	if (!call)
		return 0;
	void *pc = GO_ARG1(ctx);
	bool tls = go_read_ptr(pc, off_pconn_tls_state) != 0;
	struct tb_conn conn = {};
	if (!tb_read_conn(&conn, tb_conn_fd(go_read_iface_data(pc, off_pconn_conn), tls)))
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
	if (!cc)
		return 0;
	struct tb_call *call = &cc->call;
	if (cc->conn.inode) {
		tb_link_withdraw(&cc->conn, 0);
		tb_inject_withdraw(&cc->conn);
	}

	struct tb_http_client_event *e = tb_reserve(sizeof(*e), &call->sc);
	if (!e) {
		bpf_map_delete_elem(&http_client_calls, &key);
		return 0;
	}
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
	if (err_itab) {
		e->flags |= TB_HTTP_CLIENT_FLAG_ERROR;
	} else if (resp) {
		__u64 v = 0;
		bpf_probe_read_user(&v, sizeof(v), (char *)resp + off_response_status_code);
		e->status = (__u16)v;
		v = 0;
		bpf_probe_read_user(&v, sizeof(v), (char *)resp + off_response_proto_major);
		e->proto_major = (__u8)v;
		v = 0;
		bpf_probe_read_user(&v, sizeof(v), (char *)resp + off_response_proto_minor);
		e->proto_minor = (__u8)v;
	}

	e->method_len = go_read_string(e->method, TB_HTTP_METHOD_MAX, req, off_request_method);
	void *url = (void *)go_read_ptr(req, off_request_url);
	e->scheme_len = go_read_string(e->scheme, TB_HTTP_SCHEME_MAX, url, off_url_scheme);
	e->host_len = go_read_string(e->host, TB_HTTP_HOST_MAX, url, off_url_host);
	e->path_len = go_read_string(e->path, TB_HTTP_PATH_MAX, url, off_url_path);
	e->query_len = go_read_string(e->query, TB_HTTP_QUERY_MAX, url, off_url_raw_query);
	if (go_read_ptr(url, off_url_user))
		e->flags |= TB_HTTP_CLIENT_FLAG_USERINFO;

	tb_submit(e);
	bpf_map_delete_elem(&http_client_calls, &key);
	return 0;
}
