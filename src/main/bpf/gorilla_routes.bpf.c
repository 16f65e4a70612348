// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * http.route for gorilla/mux (github.com/gorilla/mux): the path template of the route that matched
 * ("/items/{id:[0-9]+}"), what mux.CurrentRoute(r).GetPathTemplate() returns.
 *
 * (*Route).Match calls r.regexp.setMatch(req, match, r) only once every matcher of the route passed,
 * method included, so 404s and 405s never get here. The entry probe reads the group's path regexp and
 * records its template for the server span (tb_routes.h). A subrouter's route already carries its
 * prefix in its template, and its setMatch runs before the enclosing route's (the subrouter is one of
 * that route's matchers), so the first template recorded is the full one. A route without a path
 * matcher (host or method only) records nothing.
 *
 * The receiver is routeRegexpGroup{host, path *routeRegexp; queries []*routeRegexp}: a value from
 * v1.7.0 (its words arrive in registers), a pointer up to v1.6.2. One program per kind; the symbol
 * name says which applies.
 */
#include "tb_routes.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u64 off_group_path = 0;       /* mux.routeRegexpGroup.path (*routeRegexp) */
const volatile __u64 off_regexp_template = 0;  /* mux.routeRegexp.template (string) */

static __always_inline int record_template(struct pt_regs *ctx, const void *path)
{
	struct go_string template = {};
	if (!path || bpf_probe_read_user(&template, sizeof(template), (const char *)path + off_regexp_template))
		return 0;
	tb_route_record(ctx, &template, TB_ROUTE_GORILLA);
	return 0;
}

/*
 * By value, the receiver's words arrive in consecutive registers (host, path, queries' three words), so
 * path is the second. The DWARF offset of path confirms the layout: if gorilla ever moves the field, the
 * probe records nothing rather than read another register (off_group_path is a constant to the verifier).
 */
SEC("uprobe")
int uprobe_mux_set_match(struct pt_regs *ctx)
{
	if (off_group_path != 8)
		return 0;
	return record_template(ctx, GO_ARG2(ctx));
}

SEC("uprobe")
int uprobe_mux_set_match_pointer_receiver(struct pt_regs *ctx)
{
	return record_template(ctx, (const void *)go_read_ptr(GO_ARG1(ctx), off_group_path));
}
