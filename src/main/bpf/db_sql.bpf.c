// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * database/sql client spans.
 *
 * Every query and exec of database/sql — through DB, Conn or Tx, with or without a context — reaches
 * (*DB).queryDC or (*DB).execDC with the statement text and the call's context:
 *   queryDC(db, ctx, txctx context.Context, dc *driverConn, releaseConn func(error), query string, args []any)
 *   execDC(db, ctx context.Context, dc *driverConn, release func(error), query string, args []any)
 * The entry probes start a span (a child of the span the context derives from, else of the goroutine's)
 * and keep the statement's string header; the RET probes copy the statement (bounded) and emit one
 * tb_db_event. Prepared statements run through Stmt and bypass both: not covered yet.
 */
#include "tb_common.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct db_call {
	struct tb_call call;    /* arg is the *DB */
	struct go_string query;
	__u16 flags;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct tb_goroutine_key);
	__type(value, struct db_call);
	__uint(max_entries, 16384);
} db_calls SEC(".maps");

static __always_inline int db_begin(struct pt_regs *ctx, void *db, void *goctx, const char *q, __s64 qlen, __u16 flags)
{
	struct tb_goroutine_key key = tb_goroutine(ctx);
	if (tb_call_restarted(&db_calls, &key, db))
		return 0;
	struct db_call c = {.query = {.ptr = q, .len = qlen}, .flags = flags};
	tb_call_begin(ctx, &c.call, db, goctx);
	if (bpf_map_update_elem(&db_calls, &key, &c, BPF_ANY))
		tb_count_drop(TB_DROP_INFLIGHT_FULL);
	return 0;
}

/* err_itab: the itab word of the returned error (nil = success). */
static __always_inline int db_end(struct pt_regs *ctx, void *err_itab)
{
	struct tb_goroutine_key key = tb_goroutine(ctx);
	struct db_call *c = bpf_map_lookup_elem(&db_calls, &key);
	if (!c)
		return 0;
	struct tb_db_event *e = bpf_ringbuf_reserve(&tb_events, sizeof(*e), 0);
	if (!e) {
		tb_count_drop(TB_DROP_RINGBUF_FULL);
		bpf_map_delete_elem(&db_calls, &key);
		return 0;
	}
	tb_fill_header(&e->h, ctx, TB_EV_DB_SQL, sizeof(*e), &c->call);
	e->flags = c->flags | (err_itab ? TB_DB_FLAG_ERROR : 0);
	e->query_full_len = c->query.len > 0 ? (__u32)c->query.len : 0;
	e->query_len = go_read_string_at(e->query, TB_DB_QUERY_MAX, &c->query);
	tb_submit(e);
	bpf_map_delete_elem(&db_calls, &key);
	return 0;
}

SEC("uprobe")
int uprobe_db_query_dc(struct pt_regs *ctx)
{
	/* db, ctx (itab, data), txctx (itab, data), dc, releaseConn, query (ptr, len) */
	return db_begin(ctx, GO_ARG1(ctx), GO_ARG3(ctx), GO_ARG8(ctx), (__s64)GO_ARG9(ctx), 0);
}

SEC("uprobe")
int uprobe_db_query_dc_return(struct pt_regs *ctx)
{
	return db_end(ctx, GO_ARG2(ctx));  /* (*Rows in ARG1, error in ARG2/ARG3) */
}

SEC("uprobe")
int uprobe_db_exec_dc(struct pt_regs *ctx)
{
	/* db, ctx (itab, data), dc, release, query (ptr, len) */
	return db_begin(ctx, GO_ARG1(ctx), GO_ARG3(ctx), GO_ARG6(ctx), (__s64)GO_ARG7(ctx), TB_DB_FLAG_EXEC);
}

SEC("uprobe")
int uprobe_db_exec_dc_return(struct pt_regs *ctx)
{
	return db_end(ctx, GO_ARG3(ctx));  /* (Result in ARG1/ARG2, error in ARG3/ARG4) */
}
