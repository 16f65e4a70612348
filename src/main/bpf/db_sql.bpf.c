// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * database/sql client spans.
 *
 * Every query and exec of database/sql — through DB, Conn or Tx, with or without a context — reaches
 * (*DB).queryDC or (*DB).execDC with the statement text, the call's context and the driver connection:
 *   queryDC(db, ctx, txctx context.Context, dc *driverConn, releaseConn func(error), query string, args []any)
 *   execDC(db, ctx context.Context, dc *driverConn, release func(error), query string, args []any)
 * Prepared statements bypass both and run through (*Stmt).QueryContext / ExecContext (s, ctx, args...),
 * whose text is Stmt.query. Every Stmt is made by (*DB).prepareDC(db, ctx, dc, release, cg, query),
 * which is where a statement's DB learns its driver.
 *
 * The entry probes start a span (a child of the span the context derives from, else of the
 * goroutine's) and keep the statement's string header; the RET probes copy the statement (bounded)
 * and emit one tb_db_event. Which database: the dynamic type of the connection's driver.Conn (its
 * itab), looked up in db_types, which the agent fills from the binary's symbols after load; else
 * db_default_system, set when the binary links exactly one known driver. The returned error's itab,
 * looked up in the same map, names its type and says where its message, status code and wrapped
 * cause are.
 */
#include "tb_common.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* database/sql.driverConn.ci: the driver.Conn interface */
const volatile __u64 off_driver_conn_ci = 0;
const volatile bool has_driver_conn_ci = false;
/* database/sql.Stmt.db and .query, for prepared statements */
const volatile __u64 off_stmt_db = 0;
const volatile __u64 off_stmt_query = 0;
const volatile bool has_stmt = false;
/* the system to report when the driver's type is not known: set when the binary links one driver */
const volatile __u8 db_default_system = 0;

#define DB_NO_MEMBER 0xffff

/* What the agent knows about a dynamic type, by its itab (interface table) address. */
struct db_type {
	__u8 system;      /* a driver.Conn implementation: its database system, else 0 */
	__u8 error_type;  /* an error implementation: its index in the agent's list, else 0 */
	__u16 msg_off;    /* the error's message string in the pointed-to struct, or DB_NO_MEMBER */
	__u16 code_off;   /* the error's status code string, or DB_NO_MEMBER */
	__u16 cause_off;  /* the error it wraps (an error interface), or DB_NO_MEMBER */
};

#define DB_ERROR_DEPTH 3  /* wrappers followed to find a message and a status code */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u64);
	__type(value, struct db_type);
	__uint(max_entries, 256);
} db_types SEC(".maps");

/* *DB -> its driver's system, learned where a connection is at hand, for statements that run later */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u64);
	__type(value, __u8);
	__uint(max_entries, 1024);
} db_systems SEC(".maps");

/*
 * Calls by goroutine. An entry outlives its call (the RET marks it inactive): the goroutine's next call is
 * written over it in place, saving an LRU insert and delete (~250 ns) per call. LRU: entries of goroutines
 * that ended, and calls that never returned, age out.
 */
struct db_call {
	struct tb_call call;    /* arg is the *DB or the *Stmt */
	struct go_string query;
	__u16 flags;
	__u8 system;
	__u8 active;            /* the call is in flight: entry ran, RET not yet */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct tb_goroutine_key);
	__type(value, struct db_call);
	__uint(max_entries, 16384);
} db_calls SEC(".maps");

/* The database system of a driverConn (and remember it for the DB's prepared statements). */
static __always_inline __u8 db_system_of(void *db, void *dc)
{
	if (!has_driver_conn_ci || !dc)
		return db_default_system;
	__u64 itab = go_read_ptr(dc, off_driver_conn_ci);
	struct db_type *t = itab ? bpf_map_lookup_elem(&db_types, &itab) : 0;
	__u8 system = t && t->system ? t->system : db_default_system;
	__u64 key = (__u64)db;
	if (system) {
		__u8 *known = bpf_map_lookup_elem(&db_systems, &key);
		if (!known || *known != system)
			bpf_map_update_elem(&db_systems, &key, &system, BPF_ANY);
	}
	return system;
}

static __always_inline int db_begin(struct pt_regs *ctx, void *arg, void *goctx, const char *q, __s64 qlen,
				    __u16 flags, __u8 system)
{
	struct tb_goroutine_key key = tb_goroutine(ctx);
	struct db_call *prev = bpf_map_lookup_elem(&db_calls, &key);
	if (prev && prev->active && prev->call.arg == arg)
		return 0;  /* the prologue's stack-growth restart of the call in flight */
	if (prev) {
		prev->active = 0;
		prev->query.ptr = q;
		prev->query.len = qlen;
		prev->flags = flags;
		prev->system = system;
		tb_call_begin(ctx, &prev->call, arg, goctx);
		prev->active = 1;
		return 0;
	}
	struct db_call c = {.query = {.ptr = q, .len = qlen}, .flags = flags, .system = system, .active = 1};
	tb_call_begin(ctx, &c.call, arg, goctx);
	if (bpf_map_update_elem(&db_calls, &key, &c, BPF_ANY))
		tb_count_drop(TB_DROP_INFLIGHT_FULL);
	return 0;
}

/*
 * The returned error's type, message and status code, as far as its types are known: the message of
 * the outermost error that has one (a wrapper's text includes its cause's), the status code of the
 * first that has one, and the type of the innermost known error, following wrapped causes.
 */
static __always_inline void db_read_error(struct tb_db_event *e, __u64 itab, void *data)
{
	for (int i = 0; i < DB_ERROR_DEPTH; i++) {
		struct db_type *t = bpf_map_lookup_elem(&db_types, &itab);
		if (!t || !data)
			return;
		e->error_type = t->error_type;
		if (!e->error_len && t->msg_off != DB_NO_MEMBER)
			e->error_len = go_read_string(e->error, TB_DB_ERROR_MAX, data, t->msg_off);
		if (!e->code_len && t->code_off != DB_NO_MEMBER)
			e->code_len = (__u8)go_read_string(e->code, TB_DB_CODE_MAX, data, t->code_off);
		if (t->cause_off == DB_NO_MEMBER)
			return;
		struct { __u64 itab; void *data; } cause = {};
		if (bpf_probe_read_user(&cause, sizeof(cause), (const char *)data + t->cause_off) || !cause.itab)
			return;
		itab = cause.itab;
		data = cause.data;
	}
}

/* err_itab, err_data: the returned error interface (itab nil = success). */
static __always_inline int db_end(struct pt_regs *ctx, void *err_itab, void *err_data)
{
	struct tb_goroutine_key key = tb_goroutine(ctx);
	struct db_call *c = bpf_map_lookup_elem(&db_calls, &key);
	if (!c || !c->active)
		return 0;
	c->active = 0;  /* the entry stays, for the goroutine's next call */
	struct tb_db_event *e = tb_reserve(sizeof(*e), &c->call.sc);
	if (!e)
		return 0;
	tb_fill_header(&e->h, ctx, TB_EV_DB_SQL, sizeof(*e), &c->call);
	e->flags = c->flags | (err_itab ? TB_DB_FLAG_ERROR : 0);
	e->system = c->system;
	e->error_type = 0;
	e->code_len = 0;
	e->error_len = 0;
	e->query_full_len = c->query.len > 0 ? (__u32)c->query.len : 0;
	e->query_len = go_read_string_at(e->query, TB_DB_QUERY_MAX, &c->query);
	if (err_itab)
		db_read_error(e, (__u64)err_itab, err_data);
	tb_submit(e);
	return 0;
}

SEC("uprobe")
int uprobe_db_query_dc(struct pt_regs *ctx)
{
	/* db, ctx (itab, data), txctx (itab, data), dc, releaseConn, query (ptr, len) */
	void *db = GO_ARG1(ctx);
	return db_begin(ctx, db, GO_ARG3(ctx), GO_ARG8(ctx), (__s64)GO_ARG9(ctx), 0, db_system_of(db, GO_ARG6(ctx)));
}

SEC("uprobe")
int uprobe_db_query_dc_return(struct pt_regs *ctx)
{
	return db_end(ctx, GO_ARG2(ctx), GO_ARG3(ctx));  /* (*Rows in ARG1, error in ARG2/ARG3) */
}

SEC("uprobe")
int uprobe_db_exec_dc(struct pt_regs *ctx)
{
	/* db, ctx (itab, data), dc, release, query (ptr, len) */
	void *db = GO_ARG1(ctx);
	return db_begin(ctx, db, GO_ARG3(ctx), GO_ARG6(ctx), (__s64)GO_ARG7(ctx), TB_DB_FLAG_EXEC,
			db_system_of(db, GO_ARG4(ctx)));
}

SEC("uprobe")
int uprobe_db_exec_dc_return(struct pt_regs *ctx)
{
	return db_end(ctx, GO_ARG3(ctx), GO_ARG4(ctx));  /* (Result in ARG1/ARG2, error in ARG3/ARG4) */
}

SEC("uprobe")
int uprobe_db_prepare_dc(struct pt_regs *ctx)
{
	/* db, ctx (itab, data), dc, ...: only learns the DB's driver; preparing is not a span of its own */
	db_system_of(GO_ARG1(ctx), GO_ARG4(ctx));
	return 0;
}

static __always_inline int stmt_begin(struct pt_regs *ctx, __u16 flags)
{
	if (!has_stmt)
		return 0;
	/* s, ctx (itab, data), args (ptr, len, cap) */
	void *s = GO_ARG1(ctx);
	struct go_string q = {};
	if (bpf_probe_read_user(&q, sizeof(q), (const char *)s + off_stmt_query))
		return 0;
	__u64 db = go_read_ptr(s, off_stmt_db);
	__u8 *known = bpf_map_lookup_elem(&db_systems, &db);
	return db_begin(ctx, s, GO_ARG3(ctx), q.ptr, q.len, flags | TB_DB_FLAG_PREPARED,
			known ? *known : db_default_system);
}

SEC("uprobe")
int uprobe_stmt_query(struct pt_regs *ctx)
{
	return stmt_begin(ctx, 0);
}

SEC("uprobe")
int uprobe_stmt_query_return(struct pt_regs *ctx)
{
	return db_end(ctx, GO_ARG2(ctx), GO_ARG3(ctx));  /* (*Rows, error) as queryDC */
}

SEC("uprobe")
int uprobe_stmt_exec(struct pt_regs *ctx)
{
	return stmt_begin(ctx, TB_DB_FLAG_EXEC);
}

SEC("uprobe")
int uprobe_stmt_exec_return(struct pt_regs *ctx)
{
	return db_end(ctx, GO_ARG3(ctx), GO_ARG4(ctx));  /* (Result, error) as execDC */
}
