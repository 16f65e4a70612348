/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What a framework router probe does once it knows the route template that matched: hand it to the
 * server span of the request being routed (tb_routes in tb_common.h), where the server probe's RET
 * takes it into the span's event. The goroutine's tb_current_span entry is marked (routed) too, so that the RET
 * of a request no router saw (most of them, where no framework router is probed) skips the lookup: ~190 ns of
 * a cold hash bucket per request here.
 */
#ifndef TB_ROUTES_H
#define TB_ROUTES_H

#include "tb_common.h"

/*
 * Records template (a Go string in the target) as the route of the server span the current goroutine
 * is in. The first route recorded for a span wins: an outer router, or a framework that routes a
 * request twice, must not replace the route of the handler that actually ran first. Templates longer
 * than TB_HTTP_ROUTE_MAX are dropped rather than cut: a truncated template is not the route.
 */
static __always_inline void tb_route_record(struct pt_regs *ctx, const struct go_string *template, __u8 source)
{
	if (!template->ptr || template->len <= 0 || template->len > TB_HTTP_ROUTE_MAX)
		return;
	struct tb_goid_key g = tb_current_goid(ctx);
	struct tb_span_context *span = bpf_map_lookup_elem(&tb_current_span, &g);
	if (!span || !tb_has_span(span))
		return;  /* not inside a traced server request */
	struct tb_span_key k = {.pid = g.pid};
	__builtin_memcpy(k.span_id, span->span_id, TB_SPAN_ID_SIZE);
	if (bpf_map_lookup_elem(&tb_routes, &k))
		return;
	struct tb_route r = {.source = source};
	r.len = go_read_string_at(r.route, TB_HTTP_ROUTE_MAX, template);
	if (r.len && !bpf_map_update_elem(&tb_routes, &k, &r, BPF_NOEXIST))
		span->routed = 1;  /* the server's RET looks tb_routes up only for a span marked so */
}

#endif /* TB_ROUTES_H */
