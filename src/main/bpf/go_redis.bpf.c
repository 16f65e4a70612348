// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * go-redis v9 client spans (github.com/redis/go-redis/v9).
 *
 * Every command of a Client — after the application's hooks, retries included — runs through
 *   (*baseClient).process(c, ctx context.Context, cmd Cmder) error
 * which v9.23 inlines away, leaving its body in
 *   (*baseClient).processStartingAt(c, ctx, cmd Cmder, startAttempt int, start time.Time) error
 * (same leading arguments: one program serves both; where both exist the inner call is recognised as
 * the same call). Pipelines run through (*baseClient).processPipeline / processTxPipeline(c, ctx,
 * cmds []Cmder) error. The entry probes start a span (a child of the span the context derives from,
 * else of the goroutine's) and keep the client and command pointers; the RET probes read the
 * arguments, the client's address and DB, and a failed call's text, and emit one tb_redis_event.
 *
 * Arguments are Go interface values: their dynamic type's kind (abi.Type.Kind_) says how to read
 * them — strings and []byte as text, numbers as their bytes — so the agent can render the command
 * and decide what to redact. Every concrete Cmder embeds baseCmd first, so a command's args are at
 * baseCmd.args from the interface's data pointer.
 */
#include "tb_common.h"
#include "tb_call_stack.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* go-redis structs */
const volatile __u64 off_cmd_args = 0;      /* baseCmd.args []interface{} */
const volatile __u64 off_cmd_key_pos = 0;   /* baseCmd.keyPos int8 */
const volatile bool has_cmd_key_pos = false;
const volatile __u64 off_client_opt = 0;    /* baseClient.opt *Options */
const volatile __u64 off_opt_addr = 0;      /* Options.Addr string */
const volatile __u64 off_opt_db = 0;        /* Options.DB int */
const volatile bool has_client_addr = false;
/* the runtime's type descriptors */
const volatile __u64 off_type_size = 0;     /* abi.Type.Size_ */
const volatile __u64 off_type_kind = 0;     /* abi.Type.Kind_ */
const volatile __u64 off_slice_elem = 0;    /* abi.SliceType.Elem */
const volatile __u64 off_itab_type = 0;     /* abi.ITab.Type */

#define GO_KIND_MASK 0x1f
#define GO_KIND_BOOL 1
#define GO_KIND_FLOAT64 14
#define GO_KIND_UINT8 8
#define GO_KIND_SLICE 23
#define GO_KIND_STRING 24

struct redis_call {
	struct tb_call call;  /* arg is the Cmder's data pointer, or the pipeline's slice */
	void *client;
	__u64 ncmds;          /* a pipeline's command count */
	__u16 flags;
};

/*
 * Calls nest on one goroutine: a command's first use of a new connection runs the connection's own
 * set-up commands (HELLO, CLIENT SETINFO) through process inside it. A RET does not see its
 * arguments, so each goroutine keeps a stack of its calls in flight — by goid, which is never
 * reused, so frames a panic left behind cannot leak into another goroutine running on the same g.
 */
#define REDIS_DEPTH 4

TB_CALL_STACK(redis, struct redis_call, REDIS_DEPTH)

static __always_inline __u8 go_kind(const void *type)
{
	__u8 kind = 0;
	if (!type || bpf_probe_read_user(&kind, sizeof(kind), (const char *)type + off_type_kind))
		return 0;
	return kind & GO_KIND_MASK;
}

/* Reads the interface{} value at eface (type word, data word) into out, by its dynamic type's kind. */
static __always_inline void redis_read_arg(struct tb_redis_arg *out, const void *eface)
{
	struct { const void *type; const void *data; } v = {};
	out->kind = 0;
	out->len = 0;
	out->full_len = 0;
	if (bpf_probe_read_user(&v, sizeof(v), eface) || !v.type || !v.data)
		return;
	__u8 kind = go_kind(v.type);
	struct go_string s = {};
	if (kind == GO_KIND_SLICE) {
		if (go_kind((const void *)go_read_ptr(v.type, off_slice_elem)) != GO_KIND_UINT8)
			return;  /* only []byte */
		kind = TB_REDIS_KIND_BYTES;
	} else if (kind != GO_KIND_STRING) {
		if (kind < GO_KIND_BOOL || kind > GO_KIND_FLOAT64)
			return;  /* maps, structs, pointers...: rendered as "?" */
		/* bool, integers, floats: the value's bytes; the data word points at them */
		__u64 size = go_read_ptr(v.type, off_type_size);
		if (size > 8)
			size = 8;
		size &= 15;
		if (size > 8 || size == 0 || bpf_probe_read_user(out->value, size, v.data))
			return;
		out->kind = kind;
		out->len = (__u8)size;
		return;
	}
	/* string and []byte begin with (pointer, length) */
	if (bpf_probe_read_user(&s, sizeof(s), v.data))
		return;
	out->kind = kind;
	out->full_len = s.len > 0 ? (__u32)s.len : 0;
	out->len = (__u8)go_read_string_at(out->value, TB_REDIS_ARG_MAX, &s);
}

static __always_inline int redis_begin(struct pt_regs *ctx, void *arg, __u64 ncmds, __u16 flags)
{
	struct tb_goid_key key = tb_current_goid(ctx);
	struct redis_stack *st = redis_stack_of(&key, true);
	if (!st) {
		tb_count_drop(TB_DROP_INFLIGHT_FULL);
		return 0;
	}
	__u32 depth = st->depth;
	if (depth > 0 && depth <= REDIS_DEPTH && st->frames[depth - 1].call.arg == arg)
		return 0;  /* the prologue's stack-growth restart, or process calling processStartingAt */
	if (depth >= REDIS_DEPTH) {
		st->overflow++;
		return 0;
	}
	struct redis_call *c = &st->frames[depth];
	c->client = GO_ARG1(ctx);
	c->ncmds = ncmds;
	c->flags = flags;
	/* c, ctx (itab, data), ...: the context's data word is ARG3 */
	tb_call_begin(ctx, &c->call, arg, GO_ARG3(ctx));
	st->depth = depth + 1;
	return 0;
}

/* The command's arguments: at most TB_REDIS_ARGS_MAX of them. */
static __always_inline void redis_read_command(struct tb_redis_event *e, const void *cmd)
{
	struct { const char *ptr; __s64 len; __s64 cap; } args = {};
	if (bpf_probe_read_user(&args, sizeof(args), (const char *)cmd + off_cmd_args) || !args.ptr || args.len <= 0)
		return;
	e->argc = (__u32)args.len;
	if (has_cmd_key_pos)
		bpf_probe_read_user(&e->key_pos, sizeof(e->key_pos), (const char *)cmd + off_cmd_key_pos);
	__u32 n = args.len < TB_REDIS_ARGS_MAX ? (__u32)args.len : TB_REDIS_ARGS_MAX;
	for (__u32 i = 0; i < TB_REDIS_ARGS_MAX; i++) {
		if (i >= n)
			break;
		redis_read_arg(&e->args[i], args.ptr + i * 16);
		e->nargs = i + 1;
	}
}

/* A pipeline's command names: args[0] of each of its first TB_REDIS_ARGS_MAX commands. */
static __always_inline void redis_read_pipeline(struct tb_redis_event *e, const char *cmds, __u64 ncmds)
{
	e->argc = (__u32)ncmds;
	__u32 n = ncmds < TB_REDIS_ARGS_MAX ? (__u32)ncmds : TB_REDIS_ARGS_MAX;
	for (__u32 i = 0; i < TB_REDIS_ARGS_MAX; i++) {
		if (i >= n)
			break;
		/* cmds[i] is a Cmder: (itab, data) */
		const void *cmd = go_read_iface_data(cmds, i * 16);
		struct { const char *ptr; __s64 len; __s64 cap; } args = {};
		if (cmd && !bpf_probe_read_user(&args, sizeof(args), (const char *)cmd + off_cmd_args) && args.ptr && args.len > 0)
			redis_read_arg(&e->args[i], args.ptr);
		e->nargs = i + 1;
	}
}

/* The error's text when its dynamic type is a string kind: Redis's own replies (proto.RedisError). */
static __always_inline void redis_read_error(struct tb_redis_event *e, const void *itab, const void *data)
{
	if (go_kind((const void *)go_read_ptr(itab, off_itab_type)) != GO_KIND_STRING || !data)
		return;
	e->error_len = go_read_string(e->error, TB_REDIS_ERROR_MAX, data, 0);
}

static __always_inline int redis_end(struct pt_regs *ctx)
{
	struct tb_goid_key key;
	struct redis_call *c = redis_pop_current(ctx, &key);
	if (!c)
		return 0;
	struct tb_redis_event *e = tb_reserve(sizeof(*e), &c->call.sc);
	if (!e) {
		return 0;
	}
	/* (error in ARG1/ARG2) */
	void *err_itab = GO_ARG1(ctx);
	void *err_data = GO_ARG2(ctx);
	tb_fill_header(&e->h, ctx, TB_EV_REDIS, sizeof(*e), &c->call);
	e->flags = c->flags | (err_itab ? TB_REDIS_FLAG_ERROR : 0);
	e->nargs = 0;
	e->key_pos = 0;
	e->argc = 0;
	e->db = -1;
	e->addr_len = 0;
	e->error_len = 0;
	if (c->flags & TB_REDIS_FLAG_PIPELINE)
		redis_read_pipeline(e, c->call.arg, c->ncmds);
	else
		redis_read_command(e, c->call.arg);
	if (has_client_addr) {
		void *opt = (void *)go_read_ptr(c->client, off_client_opt);
		if (opt) {
			e->addr_len = go_read_string(e->addr, TB_REDIS_ADDR_MAX, opt, off_opt_addr);
			bpf_probe_read_user(&e->db, sizeof(e->db), (const char *)opt + off_opt_db);
		}
	}
	if (err_itab)
		redis_read_error(e, err_itab, err_data);
	tb_submit(e);
	return 0;
}

SEC("uprobe")
int uprobe_redis_process(struct pt_regs *ctx)
{
	/* c, ctx (itab, data), cmd (itab, data) */
	return redis_begin(ctx, GO_ARG5(ctx), 0, 0);
}

SEC("uprobe")
int uprobe_redis_process_return(struct pt_regs *ctx)
{
	return redis_end(ctx);
}

SEC("uprobe")
int uprobe_redis_pipeline(struct pt_regs *ctx)
{
	/* c, ctx (itab, data), cmds (ptr, len, cap) */
	return redis_begin(ctx, GO_ARG4(ctx), (__u64)GO_ARG5(ctx), TB_REDIS_FLAG_PIPELINE);
}

SEC("uprobe")
int uprobe_redis_tx_pipeline(struct pt_regs *ctx)
{
	return redis_begin(ctx, GO_ARG4(ctx), (__u64)GO_ARG5(ctx), TB_REDIS_FLAG_PIPELINE | TB_REDIS_FLAG_TX);
}

SEC("uprobe")
int uprobe_redis_pipeline_return(struct pt_regs *ctx)
{
	return redis_end(ctx);
}
