// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * net/http server spans.
 *
 * Entry of net/http.serverHandler.ServeHTTP(sh, rw ResponseWriter, req *Request)
 * remembers the request per goroutine; a uprobe on every RET of the function
 * (Go cannot use uretprobes: the runtime moves stacks) reads the request and the
 * response status and emits one tb_http_server_event.
 *
 * The span's parent, in order: the request's W3C traceparent header (go_headers.h); else a traced
 * client on this host that sent the request on this TCP connection (tb_conn.h); else the span the
 * goroutine is in; else none (a new trace). All decided at entry, so the handler's own calls inherit it:
 * through the goroutine, the goroutines it starts, and the request's context.Context.
 *
 * The route: Request.Pattern (a Go 1.22+ ServeMux) and, when a framework router matched, its template,
 * which gin_routes.bpf.c / gorilla_routes.bpf.c left in tb_routes under this span's id.
 */
#include "tb_common.h"
#include "tb_conn.h"
#include "go_headers.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Struct field offsets, set by the agent before load from the target's DWARF or the versioned table. */
const volatile __u64 off_request_method = 0;
const volatile __u64 off_request_url = 0;
const volatile __u64 off_request_proto_major = 0;
const volatile __u64 off_request_proto_minor = 0;
const volatile __u64 off_request_host = 0;
const volatile __u64 off_request_remote_addr = 0;
const volatile __u64 off_request_pattern = 0;
const volatile bool has_request_pattern = false;
const volatile __u64 off_request_tls = 0;
const volatile bool has_request_tls = false;
const volatile __u64 off_request_ctx = 0;       /* net/http.Request.ctx (context.Context) */
const volatile bool has_request_ctx = false;
const volatile __u64 off_url_path = 0;
const volatile __u64 off_url_raw_query = 0;
const volatile __u64 off_response_status = 0;
const volatile bool has_response_status = false;
/* From the ResponseWriter to the connection's socket; has_server_conn only when all are known. */
const volatile bool has_server_conn = false;
const volatile __u64 off_response_conn = 0;     /* net/http.response.conn (*http.conn) */
const volatile __u64 off_conn_rwc = 0;          /* net/http.conn.rwc (net.Conn) */
const volatile __u64 off_conn_tls_state = 0;    /* net/http.conn.tlsState, non-nil on TLS */

/* In-flight server calls, keyed by goroutine. LRU: a call that never returns (panic) ages out. */
struct server_call {
	struct tb_call call;  /* arg is the *http.Request */
	void *rw;             /* data word of the ResponseWriter interface: *http.response on HTTP/1.x */
	struct go_string tracestate;  /* the incoming tracestate value, copied at return */
	struct tb_conn conn;
	void *ctx;            /* data word of Request.ctx: the key this span is registered under */
	__u8 proto_major;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct tb_goroutine_key);
	__type(value, struct server_call);
	__uint(max_entries, 16384);
} http_server_calls SEC(".maps");

SEC("uprobe")
int uprobe_server_handler_serve_http(struct pt_regs *ctx)
{
	struct tb_goroutine_key key = tb_goroutine(ctx);
	void *req = GO_ARG4(ctx);
	if (tb_call_restarted(&http_server_calls, &key, req))
		return 0;

	struct server_call sc = {.rw = GO_ARG3(ctx)};
	struct tb_goid_key gkey = tb_call_begin(ctx, &sc.call, req, NULL);
	sc.proto_major = (__u8)go_read_ptr(req, off_request_proto_major);
	sc.ctx = has_request_ctx ? go_read_iface_data(req, off_request_ctx) : NULL;

	struct tb_span_context remote = {};
	bool continued = false;
	struct tb_trace_headers th;
	tb_find_trace_headers((void *)go_read_ptr(req, off_request_header), &th);
	if (th.traceparent.ptr) {
		continued = tb_parse_traceparent(&th.traceparent, &remote);
		tb_count(continued ? TB_CNT_TRACEPARENT_IN : TB_CNT_TRACEPARENT_BAD);
		if (continued)
			sc.tracestate = th.tracestate;
	}
	/* http.response, and so the connection, only exists for HTTP/1.x (HTTP/2 has its own writer). */
	if (has_server_conn && sc.proto_major == 1 && sc.rw) {
		void *c = (void *)go_read_ptr(sc.rw, off_response_conn);
		bool tls = go_read_ptr(c, off_conn_tls_state) != 0;
		if (tb_read_conn(&sc.conn, tb_conn_fd(go_read_iface_data(c, off_conn_rwc), tls))) {
			struct tb_span_context linked;
			if (tb_link_take(&sc.conn, 0, &linked) && !continued) {
				remote = linked;
				continued = true;
			}
		}
	}
	if (continued) {
		sc.call.parent = remote;
		tb_join_remote(&sc.call.sc, &remote);
	}

	if (bpf_map_update_elem(&http_server_calls, &key, &sc, BPF_ANY)) {
		tb_count_drop(TB_DROP_INFLIGHT_FULL);
		return 0;
	}
	/*
	 * Work the handler does on this goroutine, on goroutines it starts, or anywhere with a context
	 * derived from the request's, is a child of this span.
	 */
	bpf_map_update_elem(&tb_current_span, &gkey, &sc.call.sc, BPF_ANY);
	if (sc.ctx) {
		struct tb_ctx_key ck = {.pid = key.pid, .ctx = (__u64)sc.ctx};
		bpf_map_update_elem(&tb_ctx_spans, &ck, &sc.call.sc, BPF_ANY);
	}
	return 0;
}

/* Moves the route a framework router recorded for this span (tb_routes.h), if any, into the event. */
static __always_inline void take_route(struct tb_http_server_event *e, __u32 pid)
{
	struct tb_span_key k = {.pid = pid};
	__builtin_memcpy(k.span_id, e->h.sc.span_id, TB_SPAN_ID_SIZE);
	struct tb_route *r = bpf_map_lookup_elem(&tb_routes, &k);
	if (!r) {
		e->route_len = 0;
		e->route_source = TB_ROUTE_NONE;
		return;
	}
	__builtin_memcpy(e->route, r->route, TB_HTTP_ROUTE_MAX);
	e->route_len = r->len;
	e->route_source = r->source;
	bpf_map_delete_elem(&tb_routes, &k);
}

SEC("uprobe")
int uprobe_server_handler_serve_http_return(struct pt_regs *ctx)
{
	struct tb_goroutine_key key = tb_goroutine(ctx);
	struct server_call *sc = bpf_map_lookup_elem(&http_server_calls, &key);
	if (!sc)
		return 0;

	/*
	 * The goroutine leaves this span: back to the enclosing one in this process, if any. A remote
	 * parent (header, connection) was never the goroutine's span: a keep-alive connection's next
	 * request on this goroutine must not inherit it.
	 */
	struct tb_goid_key gkey = tb_current_goid(ctx);
	if (tb_has_span(&sc->call.parent) && sc->call.parent.origin == TB_ORIGIN_LOCAL)
		bpf_map_update_elem(&tb_current_span, &gkey, &sc->call.parent, BPF_ANY);
	else
		bpf_map_delete_elem(&tb_current_span, &gkey);

	if (sc->ctx) {
		struct tb_ctx_key ck = {.pid = key.pid, .ctx = (__u64)sc->ctx};
		bpf_map_delete_elem(&tb_ctx_spans, &ck);
	}

	struct tb_http_server_event *e = tb_reserve(sizeof(*e), &sc->call.sc);
	if (!e) {
		bpf_map_delete_elem(&http_server_calls, &key);
		return 0;
	}
	tb_fill_header(&e->h, ctx, TB_EV_HTTP_SERVER, sizeof(*e), &sc->call);

	void *req = sc->call.arg;
	__u64 status = 0;
	if (has_response_status && sc->rw && sc->proto_major == 1)
		bpf_probe_read_user(&status, sizeof(status), (char *)sc->rw + off_response_status);
	e->status = (__u16)status;
	e->proto_major = sc->proto_major;  /* read at entry */
	e->proto_minor = (__u8)go_read_ptr(req, off_request_proto_minor);

	e->method_len = go_read_string(e->method, TB_HTTP_METHOD_MAX, req, off_request_method);
	void *url = (void *)go_read_ptr(req, off_request_url);
	e->path_len = go_read_string(e->path, TB_HTTP_PATH_MAX, url, off_url_path);
	e->query_len = go_read_string(e->query, TB_HTTP_QUERY_MAX, url, off_url_raw_query);
	e->pattern_len = has_request_pattern
		? go_read_string(e->pattern, TB_HTTP_PATTERN_MAX, req, off_request_pattern) : 0;
	e->remote_len = go_read_string(e->remote_addr, TB_HTTP_ADDR_MAX, req, off_request_remote_addr);
	e->host_len = go_read_string(e->host, TB_HTTP_HOST_MAX, req, off_request_host);
	e->conn = sc->conn;
	e->tracestate_len = go_read_string_at(e->tracestate, TB_TRACESTATE_MAX, &sc->tracestate);
	e->flags = 0;
	if (has_request_tls && go_read_ptr(req, off_request_tls))
		e->flags |= TB_HTTP_FLAG_TLS;
	take_route(e, key.pid);

	tb_submit(e);
	bpf_map_delete_elem(&http_server_calls, &key);
	return 0;
}
