// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * http.route for gin (github.com/gin-gonic/gin v1.5.0+): the template of the route that matched, as
 * gin's own Context.FullPath() reports it ("/users/:id").
 *
 * (*Engine).handleHTTPRequest(engine, c *Context) looks the request up in the method's tree, sets
 * c.fullPath on a match and runs the handlers before it returns. Its entry remembers c per goroutine;
 * its RET reads c.fullPath and records it for the server span (tb_routes.h). Reading the field gin
 * itself sets, rather than a result of the tree lookup, gives the right answer where lookups are not
 * the routing decision: with HandleMethodNotAllowed, a 405 looks the path up in other methods' trees
 * (found, but fullPath stays empty), and engine.HandleContext re-routes through a nested call (the
 * inner, re-routed template is recorded first and wins). No route on 404, 405 and redirects: gin
 * leaves fullPath empty there.
 */
#include "tb_routes.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u64 off_context_full_path = 0;  /* gin.Context.fullPath (string) */

/* The *gin.Context of the handleHTTPRequest call in flight, per goroutine. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct tb_goroutine_key);
	__type(value, __u64);
	__uint(max_entries, 16384);
} gin_calls SEC(".maps");

SEC("uprobe")
int uprobe_gin_handle_http_request(struct pt_regs *ctx)
{
	struct tb_goroutine_key key = tb_goroutine(ctx);
	/* A stack-growth restart of the prologue stores the same c again: harmless. */
	__u64 c = (__u64)GO_ARG2(ctx);
	if (bpf_map_update_elem(&gin_calls, &key, &c, BPF_ANY))
		tb_count_drop(TB_DROP_INFLIGHT_FULL);
	return 0;
}

SEC("uprobe")
int uprobe_gin_handle_http_request_return(struct pt_regs *ctx)
{
	struct tb_goroutine_key key = tb_goroutine(ctx);
	__u64 *c = bpf_map_lookup_elem(&gin_calls, &key);
	if (!c)
		return 0;  /* the outer call of a HandleContext re-route: the inner one took the entry */
	struct go_string full = {};
	bpf_probe_read_user(&full, sizeof(full), (void *)(*c + off_context_full_path));
	bpf_map_delete_elem(&gin_calls, &key);
	tb_route_record(ctx, &full, TB_ROUTE_GIN);
	return 0;
}
