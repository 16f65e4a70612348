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

/*
 * Server calls, keyed by goroutine (g pointer). An entry outlives its call: the RET marks it inactive
 * instead of deleting it, and the goroutine's next request (a keep-alive connection is served by one
 * goroutine) is written over it in place — an LRU insert and delete cost ~250 ns a request, a lookup
 * ~35 — along with the connection read for the previous request, reused when the goroutine (goid) and
 * its *http.conn are the same: one goroutine serves one connection for its whole life. LRU: entries of
 * goroutines that ended, and calls that never returned (panic), age out.
 */
struct server_call {
	struct tb_call call;  /* arg is the *http.Request */
	void *rw;             /* data word of the ResponseWriter interface: *http.response on HTTP/1.x */
	struct go_string tracestate;  /* the incoming tracestate value, copied at return */
	struct tb_conn conn;
	void *ctx;            /* data word of Request.ctx: the key this span is registered under */
	__u64 goid;           /* the goroutine of the call */
	void *conn_of;        /* the *http.conn that conn was read from, on goroutine conn_goid */
	__u64 conn_goid;
	__u8 proto_major;
	__u8 active;          /* the call is in flight: entry ran, RET not yet */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct tb_goroutine_key);
	__type(value, struct server_call);
	__uint(max_entries, 16384);
} http_server_calls SEC(".maps");

/* A zeroed call, to create a goroutine's entry from (a server_call is too large for the BPF stack beside the rest). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct server_call);
	__uint(max_entries, 1);
} http_server_empty SEC(".maps");

/* The connection of an HTTP/1.x request into sc->conn: kept from the goroutine's previous request when it is the same. */
static __always_inline bool server_conn(struct server_call *sc, __u64 goid)
{
	void *c = (void *)go_read_ptr(sc->rw, off_response_conn);
	if (!c)
		return false;
	if (sc->conn_of == c && sc->conn_goid == goid && sc->conn.inode)
		return true;
	sc->conn_of = NULL;
	__u8 buf[48] __attribute__((aligned(8)));
	struct go_win w;
	go_win_read(&w, buf, sizeof(buf), c, go_min(off_conn_rwc, off_conn_tls_state),
		    go_max(off_conn_rwc + 16, off_conn_tls_state + 8));
	bool tls = go_win_ptr(&w, buf, off_conn_tls_state) != 0;
	if (!tb_read_conn(&sc->conn, tb_conn_fd((void *)go_win_ptr(&w, buf, off_conn_rwc + 8), tls))) {
		__builtin_memset(&sc->conn, 0, sizeof(sc->conn));
		return false;
	}
	sc->conn_of = c;
	sc->conn_goid = goid;
	return true;
}

struct req_entry_fields {
	__u64 proto_major;
	__u64 header;
	__u64 ctx;  /* data word of Request.ctx */
};

/*
 * The Request fields the entry wants (ProtoMajor, Header, ctx), in one read of the span they cover. A global
 * function so that the window (~220 bytes) does not count against the entry's stack.
 */
__noinline int req_entry_fields(__u64 req, struct req_entry_fields *out)
{
	__u8 buf[320] __attribute__((aligned(8)));
	struct go_win w;
	if (!out)
		return 0;
	__u64 lo = go_min(off_request_proto_major, off_request_header);
	__u64 hi = go_max(off_request_proto_major, off_request_header) + 8;
	if (has_request_ctx) {
		lo = go_min(lo, off_request_ctx);
		hi = go_max(hi, off_request_ctx + 16);
	}
	go_win_read(&w, buf, sizeof(buf), (void *)req, lo, hi);
	out->proto_major = go_win_ptr(&w, buf, off_request_proto_major);
	out->header = go_win_ptr(&w, buf, off_request_header);
	out->ctx = has_request_ctx ? go_win_ptr(&w, buf, off_request_ctx + 8) : 0;
	return 0;
}

SEC("uprobe")
int uprobe_server_handler_serve_http(struct pt_regs *ctx)
{
	struct tb_goroutine_key key = tb_goroutine(ctx);
	struct tb_goid_key gkey = tb_current_goid(ctx);
	void *req = GO_ARG4(ctx);
	struct server_call *sc = bpf_map_lookup_elem(&http_server_calls, &key);
	if (sc && sc->active && sc->goid == gkey.goid && sc->call.arg == req)
		return 0;  /* the prologue's stack-growth restart of the call in flight */
	if (!sc) {
		__u32 zero = 0;
		struct server_call *empty = bpf_map_lookup_elem(&http_server_empty, &zero);
		if (!empty || bpf_map_update_elem(&http_server_calls, &key, empty, BPF_ANY)) {
			tb_count_drop(TB_DROP_INFLIGHT_FULL);
			return 0;
		}
		sc = bpf_map_lookup_elem(&http_server_calls, &key);
		if (!sc)
			return 0;
	}
	sc->active = 0;

	struct req_entry_fields rf = {};
	req_entry_fields((__u64)req, &rf);
	sc->proto_major = (__u8)rf.proto_major;
	void *header = (void *)rf.header;
	sc->ctx = (void *)rf.ctx;
	sc->rw = GO_ARG3(ctx);
	sc->goid = gkey.goid;

	sc->call.start_ns = bpf_ktime_get_ns();
	sc->call.arg = req;
	struct tb_span_context *slot = bpf_map_lookup_elem(&tb_current_span, &gkey);
	struct tb_span_context *cur = tb_current_from(ctx, &gkey, slot);
	if (cur) {
		slot = cur;  /* ancestry may just have made the goroutine's entry */
		sc->call.parent = *cur;
		sc->call.parent.origin = TB_ORIGIN_LOCAL;
		tb_child_of(&sc->call.sc, cur);
	} else {
		__builtin_memset(&sc->call.parent, 0, sizeof(sc->call.parent));
		tb_new_root(&sc->call.sc);
	}

	struct tb_span_context remote = {};
	bool continued = false;
	struct tb_trace_headers th;
	tb_find_trace_headers(header, &th);
	sc->tracestate.ptr = NULL;
	sc->tracestate.len = 0;
	if (th.traceparent.ptr) {
		continued = tb_parse_traceparent(&th.traceparent, &remote);
		tb_count(continued ? TB_CNT_TRACEPARENT_IN : TB_CNT_TRACEPARENT_BAD);
		if (continued)
			sc->tracestate = th.tracestate;
	}
	/* http.response, and so the connection, only exists for HTTP/1.x (HTTP/2 has its own writer). */
	if (has_server_conn && sc->proto_major == 1 && sc->rw && server_conn(sc, gkey.goid)) {
		struct tb_span_context linked;
		if (tb_link_take(&sc->conn, 0, &linked) && !continued) {
			remote = linked;
			continued = true;
		}
	} else {
		__builtin_memset(&sc->conn, 0, sizeof(sc->conn));
		sc->conn_of = NULL;
	}
	if (continued) {
		sc->call.parent = remote;
		tb_join_remote(&sc->call.sc, &remote);
	}
	sc->active = 1;

	/*
	 * Work the handler does on this goroutine, on goroutines it starts, or anywhere with a context
	 * derived from the request's, is a child of this span.
	 */
	if (slot)
		*slot = sc->call.sc;
	else
		bpf_map_update_elem(&tb_current_span, &gkey, &sc->call.sc, BPF_ANY);
	if (sc->ctx) {
		struct tb_ctx_key ck = {.pid = key.pid, .ctx = (__u64)sc->ctx};
		bpf_map_update_elem(&tb_ctx_spans, &ck, &sc->call.sc, BPF_ANY);
	}
	return 0;
}

/*
 * Moves the route a framework router recorded for this span (tb_routes.h), if any, into the event. routed: a
 * router may have (it marks the goroutine's entry; without one, nothing is looked up).
 */
static __always_inline void take_route(struct tb_http_server_event *e, __u32 pid, bool routed)
{
	struct tb_span_key k = {.pid = pid};
	__builtin_memcpy(k.span_id, e->h.sc.span_id, TB_SPAN_ID_SIZE);
	struct tb_route *r = routed ? bpf_map_lookup_elem(&tb_routes, &k) : NULL;
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
	if (!sc || !sc->active)
		return 0;
	sc->active = 0;  /* the entry stays, for the goroutine's next request */

	/*
	 * The goroutine leaves this span: back to the enclosing one in this process, if any. A remote
	 * parent (header, connection) was never the goroutine's span: a keep-alive connection's next
	 * request on this goroutine must not inherit it. The goroutine's entry is kept, zeroed and settled when
	 * it is in no span (tb_current_from), so its next request writes it in place.
	 */
	struct tb_goid_key gkey = {.pid = key.pid, .goid = sc->goid};
	bool restore = tb_has_span(&sc->call.parent) && sc->call.parent.origin == TB_ORIGIN_LOCAL;
	struct tb_span_context *cur = bpf_map_lookup_elem(&tb_current_span, &gkey);
	/* unless the entry is still this span's, unmarked, a route may be waiting (an unended child span on top) */
	bool routed = !cur || cur->routed || !tb_same_span(cur, &sc->call.sc);
	if (cur) {
		if (restore) {
			*cur = sc->call.parent;
		} else {
			__builtin_memset(cur, 0, sizeof(*cur));
			cur->origin = TB_SLOT_SETTLED;
		}
	} else if (restore) {
		bpf_map_update_elem(&tb_current_span, &gkey, &sc->call.parent, BPF_ANY);
	}

	if (sc->ctx) {
		struct tb_ctx_key ck = {.pid = key.pid, .ctx = (__u64)sc->ctx};
		bpf_map_delete_elem(&tb_ctx_spans, &ck);
	}

	struct tb_http_server_event *e = tb_reserve(sizeof(*e), &sc->call.sc);
	if (!e)
		return 0;
	tb_fill_header(&e->h, ctx, TB_EV_HTTP_SERVER, sizeof(*e), &sc->call);

	void *req = sc->call.arg;
	__u64 status = 0;
	if (has_response_status && sc->rw && sc->proto_major == 1)
		bpf_probe_read_user(&status, sizeof(status), (char *)sc->rw + off_response_status);
	e->status = (__u16)status;
	e->proto_major = sc->proto_major;  /* read at entry */

	/* every field of the Request wanted here, in one read */
	__u8 buf[256] __attribute__((aligned(8)));
	struct go_win w;
	__u64 lo = go_min(go_min(off_request_method, off_request_url), go_min(off_request_proto_minor, off_request_host));
	lo = go_min(lo, off_request_remote_addr);
	__u64 hi = go_max(go_max(off_request_method + 16, off_request_url + 8),
			  go_max(off_request_proto_minor + 8, off_request_host + 16));
	hi = go_max(hi, off_request_remote_addr + 16);
	if (has_request_pattern) {
		lo = go_min(lo, off_request_pattern);
		hi = go_max(hi, off_request_pattern + 16);
	}
	if (has_request_tls) {
		lo = go_min(lo, off_request_tls);
		hi = go_max(hi, off_request_tls + 8);
	}
	go_win_read(&w, buf, sizeof(buf), req, lo, hi);
	struct go_string s;
	e->proto_minor = (__u8)go_win_ptr(&w, buf, off_request_proto_minor);
	go_win_string(&w, buf, off_request_method, &s);
	e->method_len = go_read_string_at(e->method, TB_HTTP_METHOD_MAX, &s);
	void *url = (void *)go_win_ptr(&w, buf, off_request_url);
	e->pattern_len = 0;
	if (has_request_pattern) {
		go_win_string(&w, buf, off_request_pattern, &s);
		e->pattern_len = go_read_string_at(e->pattern, TB_HTTP_PATTERN_MAX, &s);
	}
	go_win_string(&w, buf, off_request_remote_addr, &s);
	e->remote_len = go_read_string_at(e->remote_addr, TB_HTTP_ADDR_MAX, &s);
	go_win_string(&w, buf, off_request_host, &s);
	e->host_len = go_read_string_at(e->host, TB_HTTP_HOST_MAX, &s);
	e->flags = 0;
	if (has_request_tls && go_win_ptr(&w, buf, off_request_tls))
		e->flags |= TB_HTTP_FLAG_TLS;

	/* URL.Path and RawQuery: one read */
	go_win_read(&w, buf, sizeof(buf), url, go_min(off_url_path, off_url_raw_query),
		    go_max(off_url_path, off_url_raw_query) + 16);
	go_win_string(&w, buf, off_url_path, &s);
	e->path_len = go_read_string_at(e->path, TB_HTTP_PATH_MAX, &s);
	go_win_string(&w, buf, off_url_raw_query, &s);
	e->query_len = go_read_string_at(e->query, TB_HTTP_QUERY_MAX, &s);

	e->conn = sc->conn;
	e->tracestate_len = go_read_string_at(e->tracestate, TB_TRACESTATE_MAX, &sc->tracestate);
	take_route(e, key.pid, routed);

	tb_submit(e);
	return 0;
}
