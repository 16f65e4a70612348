// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Spans an application makes through the OpenTelemetry global API (go.opentelemetry.io/otel) while no SDK is
 * registered. The global tracer then hands out non-recording spans that keep nothing; under lockdown nothing
 * may be written into the process to switch it to the Auto SDK, so tracebee rebuilds each span from the calls
 * made on it, sent as records of items (enum tb_global_item) the decoder joins:
 *
 *  - internal/global.(*tracer).newSpan(t, ctx, autoSpan, name, opts) entry, the hook the API keeps for eBPF
 *    (v1.33 on; before, (*tracer).Start's when no SDK is delegated to): the span's ids (a child of the span the context chain or the goroutine is in, or a new root for
 *    WithNewRoot) and a START record with the tracer's name, the span's name and its start options (kind,
 *    attributes, links, timestamp);
 *  - its RET returns (ctx, span): the nonRecordingSpan value is boxed once in the returned trace.Span and once
 *    in the context's value, and either box may be what a later call gets (span.End(), or
 *    trace.SpanFromContext(ctx).End()), so both stand for the span; the context is registered as the span's
 *    (tb_ctx_spans), so work started with it is the span's child;
 *  - the pointer wrappers (*nonRecordingSpan).SetAttributes / SetName / SetStatus / AddEvent / RecordError /
 *    AddLink / End, which the trace.Span interface calls with the box: one record each; End's drops the span.
 * A span sampled out (through its parent) sends nothing; its context still carries the decision to children.
 * Options are told apart by their concrete types (read from the interface's itab), closures (WithSpanKind,
 * WithLinks, WithNewRoot) by their code addresses, which the agent puts in ga_option_funcs.
 */
#include "tb_common.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u64 itab_global_span = 0;      /* go:itab.go.opentelemetry.io/otel/internal/global.nonRecordingSpan,...trace.Span */
const volatile __u64 type_global_span = 0;      /* its _type, which an `any` holding the span carries */
const volatile __u64 type_attribute_option = 0; /* otel/trace.attributeOption */
const volatile __u64 type_timestamp_option = 0; /* otel/trace.timestampOption */
const volatile __u64 type_span_option_func = 0; /* otel/trace.spanOptionFunc */
const volatile __u64 off_tracer_name = 0;       /* internal/global.tracer.name */
const volatile __u64 off_kv_value = 0;          /* attribute.KeyValue.Value; Key is first */
const volatile __u64 off_value_type = 0;        /* attribute.Value.vtype */
const volatile __u64 off_value_numeric = 0;     /* .numeric */
const volatile __u64 off_value_stringly = 0;    /* .stringly */
const volatile __u64 off_value_slice = 0;       /* .slice, the last field */
const volatile __u64 off_link_attrs = 0;        /* trace.Link.Attributes, the last field; SpanContext is first */
const volatile __u64 off_sc_trace_id = 0;       /* trace.SpanContext.traceID */
const volatile __u64 off_sc_span_id = 0;        /* .spanID */
const volatile __u64 off_sc_flags = 0;          /* .traceFlags */
const volatile __u64 off_sc_remote = 0;         /* .remote */

/* ga_option_funcs values: what a spanOptionFunc closure does, by its code address. */
#define GA_FUNC_SPAN_KIND 1  /* WithSpanKind: captures the kind */
#define GA_FUNC_LINKS 2      /* WithLinks: captures the []Link */
#define GA_FUNC_NEW_ROOT 3   /* WithNewRoot */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u64);
	__type(value, __u8);
	__uint(max_entries, 1024);
} ga_option_funcs SEC(".maps");

/* Error types RecordError may get, by their itab with `error`: the name and where the message string is. */
#define GA_ERROR_NAME_MAX 124
#define GA_NO_MESSAGE 0xffff

struct ga_error_type {
	__u16 message_off;  /* offset of a string field holding the message, or GA_NO_MESSAGE */
	__u16 name_len;
	char name[GA_ERROR_NAME_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u64);
	__type(value, struct ga_error_type);
	__uint(max_entries, 4096);
} ga_error_types SEC(".maps");

struct ga_key {
	__u32 pid;
	__u32 _pad;
	__u64 box;  /* *nonRecordingSpan: one of the span's two boxes */
};

struct ga_span {
	struct tb_call call;
	__u64 ctx;    /* the context newSpan returned, registered in tb_ctx_spans */
	__u64 other;  /* the span's other box */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct ga_key);
	__type(value, struct ga_span);
	__uint(max_entries, 65536);
} global_spans SEC(".maps");

/* Spans between newSpan's entry and its RET, by goroutine. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct tb_goroutine_key);
	__type(value, struct tb_call);
	__uint(max_entries, 16384);
} global_starts SEC(".maps");

/*
 * A record is encoded straight into the chunks it is sent in: position p is byte p & 0xfff of chunk p >> 12.
 * Per thread (task storage), so a program preempted on its CPU cannot have its record overwritten.
 */
#define GA_CHUNKS 4
#define GA_RECORD_MAX (GA_CHUNKS * TB_MANUAL_CHUNK)
#define GA_STR_MAX 4095     /* longer strings are cut here */
#define GA_SLICE_MAX 511    /* elements of a numeric slice attribute (8 bytes each: under GA_STR_MAX) */
#define GA_STRINGS_MAX 255  /* elements of a string slice attribute */
#define GA_ATTRS_MAX 128    /* attributes read from one call or option */
#define GA_OPTIONS_MAX 16   /* options read from one call */
#define GA_LINKS_MAX 32     /* links read from one WithLinks */

struct ga_buf {
	struct tb_manual_span_event ev[GA_CHUNKS];
	char slack[TB_MANUAL_CHUNK];  /* what the verifier cannot tell a write near a chunk's end stays inside */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct ga_buf);
} ga_scratch SEC(".maps");

/* What an encoding carries besides its buffer: scalars only (target addresses are numbers to the verifier). */
#define GA_STATE_FIELDS                                                                              \
	__u32 pos;      /* bytes written */                                                          \
	__u16 dropped;  /* attributes left out in the current scope */                               \
	bool full;      /* the current item did not fit: it is taken back */                         \
	bool new_root;  /* WithNewRoot was among the options */                                      \
	/* loop arguments, one pair per nesting level (bpf_loop callbacks get this struct) */         \
	const char *opts;                                                                            \
	__u64 nopts;                                                                                 \
	const char *links;                                                                           \
	__u64 nlinks;                                                                                \
	const char *attrs;                                                                           \
	__u64 nattrs;                                                                                \
	const char *strings;                                                                         \
	__u64 nstrings;

struct ga_state {
	GA_STATE_FIELDS
};

/*
 * The buffer and the state, whose fields are reachable both by name (e->pos) and as one struct (e->st):
 * global functions get the state alone. Passing them memory that held the buffer pointer would turn the
 * caller's copy of that pointer into a number for the verifier; they look the buffer up themselves.
 */
struct ga_enc {
	struct ga_buf *buf;
	union {
		struct ga_state st;
		struct {
			GA_STATE_FIELDS
		};
	};
};

/* Where record byte p lives. */
static __always_inline char *ga_at(struct ga_enc *e, __u32 p)
{
	__u32 chunk = p >> 12;
	__u32 off = p;
	asm volatile("%0 &= 3" : "+r"(chunk));
	asm volatile("%0 &= 0xfff" : "+r"(off));
	return &e->buf->ev[chunk].data[off];
}

static __always_inline void ga_put_bytes(struct ga_enc *e, const __u8 *v, __u32 n)
{
	__u32 p = e->pos;
	if (e->full || p + n > GA_RECORD_MAX) {
		e->full = true;
		return;
	}
	for (__u32 i = 0; i < 16; i++) {
		if (i >= n)
			break;
		*ga_at(e, p + i) = v[i];
	}
	e->pos = p + n;
}

static __always_inline void ga_put_u8(struct ga_enc *e, __u8 v)
{
	ga_put_bytes(e, &v, 1);
}

static __always_inline void ga_put_u16(struct ga_enc *e, __u16 v)
{
	ga_put_bytes(e, (const __u8 *)&v, 2);
}

static __always_inline void ga_put_u64(struct ga_enc *e, __u64 v)
{
	ga_put_bytes(e, (const __u8 *)&v, 8);
}

/* n (at most GA_STR_MAX) bytes of target memory; the record is cut at most once by a chunk boundary. */
static __always_inline void ga_put_user(struct ga_enc *e, const char *src, __u32 n)
{
	__u32 p = e->pos;
	if (e->full || n > GA_STR_MAX || p + n > GA_RECORD_MAX) {
		e->full = true;
		return;
	}
	__u32 first = TB_MANUAL_CHUNK - (p & 0xfff);
	if (first > n)
		first = n;
	__u32 rest = n - first;
	asm volatile("%0 &= 0xfff" : "+r"(first));
	asm volatile("%0 &= 0xfff" : "+r"(rest));
	if ((first && bpf_probe_read_user(ga_at(e, p), first, src)) ||
	    (rest && bpf_probe_read_user(ga_at(e, p + first), rest, src + first))) {
		e->full = true;
		return;
	}
	e->pos = p + n;
}

static __always_inline void ga_put_str(struct ga_enc *e, const char *ptr, __u64 len)
{
	if (len > GA_STR_MAX)
		len = GA_STR_MAX;
	if (!ptr)
		len = 0;
	ga_put_u16(e, (__u16)len);
	ga_put_user(e, ptr, (__u32)len);
}

static __always_inline void ga_put_go_string(struct ga_enc *e, const char *at)
{
	struct go_string s = {};
	if (bpf_probe_read_user(&s, sizeof(s), at)) {
		e->full = true;
		return;
	}
	ga_put_str(e, s.ptr, s.len);
}

static long ga_string_cb(__u64 i, void *arg)
{
	struct ga_enc *e = arg;
	if (i >= e->nstrings || e->full)
		return 1;
	ga_put_go_string(e, e->strings + i * sizeof(struct go_string));
	return 0;
}

enum { GA_EMPTY, GA_BOOL, GA_INT64, GA_FLOAT64, GA_STRING, GA_BOOLSLICE, GA_INT64SLICE, GA_FLOAT64SLICE,
       GA_STRINGSLICE, GA_BYTESLICE };

/* One attribute.KeyValue; one that does not fit or cannot be read is left out and counted. */
static __always_inline void ga_put_attr(struct ga_enc *e, const char *kv)
{
	__u32 mark = e->pos;
	e->full = false;
	ga_put_u8(e, TB_GI_ATTR);
	ga_put_go_string(e, kv);
	const char *v = kv + off_kv_value;
	__u64 type = 0, numeric = 0;
	struct { __u64 type; const char *data; } slice = {};
	if (bpf_probe_read_user(&type, sizeof(type), v + off_value_type) ||
	    bpf_probe_read_user(&numeric, sizeof(numeric), v + off_value_numeric) ||
	    bpf_probe_read_user(&slice, sizeof(slice), v + off_value_slice))
		e->full = true;
	ga_put_u8(e, (__u8)type);
	__u64 size = 0, elem = 8;
	switch (type) {
	case GA_EMPTY:
		break;
	case GA_BOOL:
		ga_put_u8(e, numeric != 0);
		break;
	case GA_INT64:
	case GA_FLOAT64:
		ga_put_u64(e, numeric);
		break;
	case GA_STRING:
	case GA_BYTESLICE:
		ga_put_go_string(e, v + off_value_stringly);
		break;
	case GA_BOOLSLICE:
	case GA_INT64SLICE:
	case GA_FLOAT64SLICE:
	case GA_STRINGSLICE:
		/* slice holds a [N]T array; N is the array type's size (its first word) over T's */
		if (!slice.type || bpf_probe_read_user(&size, sizeof(size), (const void *)slice.type)) {
			e->full = true;
			break;
		}
		if (type == GA_BOOLSLICE)
			elem = 1;
		else if (type == GA_STRINGSLICE)
			elem = sizeof(struct go_string);
		__u64 n = size / elem;
		if (type == GA_STRINGSLICE) {
			if (n > GA_STRINGS_MAX) {
				e->full = true;
				break;
			}
			ga_put_u16(e, (__u16)n);
			e->strings = slice.data;
			e->nstrings = n;
			bpf_loop(GA_STRINGS_MAX, ga_string_cb, e, 0);
		} else {
			if (n > GA_SLICE_MAX) {
				e->full = true;
				break;
			}
			ga_put_u16(e, (__u16)n);
			ga_put_user(e, slice.data, (__u32)(n * elem));
		}
		break;
	default:  /* SLICE and MAP (nested values), or a type newer than this program */
		e->full = true;
	}
	if (e->full) {
		e->pos = mark;
		e->full = false;
		e->dropped++;
	}
}

static __always_inline struct ga_buf *ga_scratch_buf(__u64 flags)
{
	return bpf_task_storage_get(&ga_scratch, bpf_get_current_task_btf(), 0, flags);
}

/*
 * Defines name(st, at) as a global function that runs put(e, at) on this thread's buffer: the verifier checks it
 * once, on its own, instead of in every state of every option, link and event loop around it (inlined, the
 * global-API object took 2.9 s to load). It gets the state alone and looks the buffer up itself: memory that held
 * the buffer pointer, handed to a global function, would leave the caller's copy a number to the verifier.
 */
#define GA_GLOBAL(name, put)                                     \
	__noinline int name(struct ga_state *st, __u64 at)       \
	{                                                        \
		if (!st)                                         \
			return 0;                                \
		struct ga_enc e = {.buf = ga_scratch_buf(0)};    \
		if (!e.buf)                                      \
			return 0;                                \
		e.st = *st;                                      \
		put(&e, (const char *)at);                       \
		*st = e.st;                                      \
		return 0;                                        \
	}

GA_GLOBAL(ga_put_attr_global, ga_put_attr)

static long ga_attr_cb(__u64 i, void *arg)
{
	struct ga_enc *e = arg;
	if (i >= e->nattrs)
		return 1;
	ga_put_attr_global(&e->st, (__u64)(e->attrs + i * (off_kv_value + off_value_slice + 16)));
	return 0;
}

/* A []attribute.KeyValue's elements as ATTR items. */
static __always_inline void ga_put_attrs(struct ga_enc *e, const char *ptr, __u64 len)
{
	if (!ptr)
		return;
	e->attrs = ptr;
	e->nattrs = len;
	if (len > GA_ATTRS_MAX)
		e->dropped += len - GA_ATTRS_MAX;
	bpf_loop(GA_ATTRS_MAX, ga_attr_cb, e, 0);
}

static __always_inline void ga_put_dropped(struct ga_enc *e)
{
	if (!e->dropped)
		return;
	__u16 n = e->dropped;
	e->full = false;
	ga_put_u8(e, TB_GI_DROPPED);
	ga_put_u16(e, n);
	e->full = false;
	e->dropped = 0;
}

struct go_slice_hdr {
	const char *ptr;
	__u64 len;
	__u64 cap;
};

/* One trace.Link at `link` (target memory): a LINK item and its attributes. */
static __always_inline void ga_put_link(struct ga_enc *e, const char *link)
{
	struct {
		__u8 trace_id[TB_TRACE_ID_SIZE];
		__u8 span_id[TB_SPAN_ID_SIZE];
		__u8 flags;
		__u8 remote;
	} l = {};
	struct go_slice_hdr attrs = {};
	if (bpf_probe_read_user(l.trace_id, TB_TRACE_ID_SIZE, link + off_sc_trace_id) ||
	    bpf_probe_read_user(l.span_id, TB_SPAN_ID_SIZE, link + off_sc_span_id) ||
	    bpf_probe_read_user(&l.flags, 1, link + off_sc_flags) ||
	    bpf_probe_read_user(&l.remote, 1, link + off_sc_remote) ||
	    bpf_probe_read_user(&attrs, sizeof(attrs), link + off_link_attrs))
		return;
	__u32 mark = e->pos;
	e->full = false;
	ga_put_u8(e, TB_GI_LINK);
	ga_put_bytes(e, l.trace_id, TB_TRACE_ID_SIZE);
	ga_put_bytes(e, l.span_id, TB_SPAN_ID_SIZE);
	ga_put_bytes(e, &l.flags, 2);
	if (e->full) {
		e->pos = mark;
		e->full = false;
		return;
	}
	ga_put_attrs(e, attrs.ptr, attrs.len);
	ga_put_dropped(e);
	ga_put_u8(e, TB_GI_SPAN);
}

static long ga_link_cb(__u64 i, void *arg)
{
	struct ga_enc *e = arg;
	if (i >= e->nlinks)
		return 1;
	ga_put_link(e, e->links + i * (off_link_attrs + sizeof(struct go_slice_hdr)));
	return 0;
}

static __always_inline void ga_put_time(struct ga_enc *e, const char *t)
{
	struct { __u64 wall; __u64 ext; } tm = {};
	if (!t || bpf_probe_read_user(&tm, sizeof(tm), t))
		return;
	e->full = false;
	ga_put_u8(e, TB_GI_TIME);
	ga_put_u64(e, tm.wall);
	ga_put_u64(e, tm.ext);
}

struct go_iface {
	__u64 itab;
	const char *data;
};

/* The concrete type of an interface value, from its itab. */
static __always_inline __u64 ga_type_of(__u64 itab)
{
	return itab ? go_read_ptr((void *)itab, 8) : 0;
}

/*
 * One option of a call ([]SpanStartOption, []SpanEndOption or []EventOption): attributes, a timestamp and, at
 * a span's start, its kind, links and WithNewRoot.
 */
static __always_inline void ga_put_option(struct ga_enc *e, const char *at)
{
	struct go_iface opt = {};
	if (bpf_probe_read_user(&opt, sizeof(opt), at) || !opt.data)
		return;
	__u64 type = ga_type_of(opt.itab);
	if (!type)
		return;
	if (type == type_attribute_option) {
		struct go_slice_hdr s = {};
		if (!bpf_probe_read_user(&s, sizeof(s), opt.data))
			ga_put_attrs(e, s.ptr, s.len);
	} else if (type == type_timestamp_option) {
		ga_put_time(e, opt.data);
	} else if (type == type_span_option_func) {
		__u64 fn = go_read_ptr((void *)opt.data, 0);
		__u8 *what = bpf_map_lookup_elem(&ga_option_funcs, &fn);
		if (!what)
			return;
		if (*what == GA_FUNC_SPAN_KIND) {
			e->full = false;
			ga_put_u8(e, TB_GI_KIND);
			ga_put_u8(e, (__u8)go_read_ptr((void *)opt.data, 8));
		} else if (*what == GA_FUNC_NEW_ROOT) {
			e->full = false;
			ga_put_u8(e, TB_GI_NEW_ROOT);
			e->new_root = true;
		} else if (*what == GA_FUNC_LINKS) {
			struct go_slice_hdr s = {};
			if (!bpf_probe_read_user(&s, sizeof(s), opt.data + 8) && s.ptr) {
				e->links = s.ptr;
				e->nlinks = s.len;
				bpf_loop(GA_LINKS_MAX, ga_link_cb, e, 0);
			}
		}
	}
}

GA_GLOBAL(ga_put_option_global, ga_put_option)

static long ga_option_cb(__u64 i, void *arg)
{
	struct ga_enc *e = arg;
	if (i >= e->nopts)
		return 1;
	ga_put_option_global(&e->st, (__u64)(e->opts + i * sizeof(struct go_iface)));
	return 0;
}

static __always_inline void ga_put_options(struct ga_enc *e, const char *ptr, __u64 len)
{
	if (!ptr || !len)
		return;
	e->opts = ptr;
	e->nopts = len;
	bpf_loop(GA_OPTIONS_MAX, ga_option_cb, e, 0);
	ga_put_dropped(e);
}

static __always_inline bool ga_begin(struct ga_enc *e)
{
	e->buf = ga_scratch_buf(BPF_LOCAL_STORAGE_GET_F_CREATE);
	e->pos = 0;
	e->dropped = 0;
	e->full = false;
	return e->buf != NULL;
}

/* Sends the record in as many chunks as it fills, each with the span's header. */
static __always_inline void ga_send(struct pt_regs *ctx, struct ga_enc *e, const struct tb_call *call)
{
	__u32 total = e->pos;
	__u16 count = (total + TB_MANUAL_CHUNK - 1) / TB_MANUAL_CHUNK;
	for (__u32 i = 0; i < GA_CHUNKS; i++) {
		if (i >= count)
			break;
		struct tb_manual_span_event *ev = &e->buf->ev[i];
		__u32 len = total - i * TB_MANUAL_CHUNK;
		if (len > TB_MANUAL_CHUNK)
			len = TB_MANUAL_CHUNK;
		tb_fill_header(&ev->h, ctx, TB_EV_MANUAL_SPAN, offsetof(struct tb_manual_span_event, data) + len, call);
		ev->total_len = total;
		ev->index = (__u16)i;
		ev->count = count;
		ev->len = len;
		ev->source = TB_MANUAL_GLOBAL_API;
		ev->flags = 0;
		ev->_pad = 0;
		__u64 size = offsetof(struct tb_manual_span_event, data) + len;
		if (size > sizeof(*ev))
			size = sizeof(*ev);
		__u64 unread = bpf_ringbuf_query(&tb_events, BPF_RB_AVAIL_DATA);
		if (bpf_ringbuf_output(&tb_events, ev, size,
				       unread >= tb_wakeup_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP)) {
			tb_count_drop(TB_DROP_RINGBUF_FULL);
			return;  /* the agent drops a span missing a record */
		}
	}
}

static __always_inline bool ga_sampled(const struct tb_call *c)
{
	return c->sc.flags & 1;
}

/* A span's start: its ids, kept for the RET, and its START record. */
static __always_inline void ga_start(struct pt_regs *ctx, const char *t, void *goctx, const char *name, __u64 name_len,
				     const char *opts, __u64 nopts)
{
	struct tb_goroutine_key gk = tb_goroutine(ctx);
	if (tb_call_restarted(&global_starts, &gk, t))
		return;  /* the prologue grew the stack and ran the entry again: the span has its ids and record */
	struct tb_call c = {};
	tb_call_begin(ctx, &c, (void *)t, goctx);
	struct ga_enc e = {};
	bool record = ga_begin(&e);
	if (record) {
		ga_put_u8(&e, TB_GI_START);
		ga_put_go_string(&e, t + off_tracer_name);
		ga_put_str(&e, name, name_len);
		record = !e.full;
		if (record)
			ga_put_options(&e, opts, nopts);
	}
	if (e.new_root) {
		tb_new_root(&c.sc);
		__builtin_memset(&c.parent, 0, sizeof(c.parent));
	}
	if (bpf_map_update_elem(&global_starts, &gk, &c, BPF_ANY)) {
		tb_count_drop(TB_DROP_INFLIGHT_FULL);
		return;
	}
	if (record && ga_sampled(&c))
		ga_send(ctx, &e, &c);
}

SEC("uprobe")
int uprobe_global_new_span(struct pt_regs *ctx)
{
	/* t *tracer, ctx (itab, data), autoSpan *bool, name (ptr, len), opts (ptr, len, cap) */
	ga_start(ctx, GO_ARG1(ctx), GO_ARG3(ctx), GO_ARG5(ctx), (__u64)GO_ARG6(ctx), GO_ARG7(ctx), (__u64)GO_ARG8(ctx));
	return 0;
}

/*
 * otel before v1.33 has no newSpan: (*tracer).Start(t, ctx, name, opts) makes the span itself, unless an SDK was
 * registered since the tracer was handed out (t.delegate, an atomic.Value, holds its tracer then).
 */
const volatile __u64 off_tracer_delegate = 0;  /* internal/global.tracer.delegate */

SEC("uprobe")
int uprobe_global_start(struct pt_regs *ctx)
{
	/* t *tracer, ctx (itab, data), name (ptr, len), opts (ptr, len, cap) */
	const char *t = GO_ARG1(ctx);
	if (go_read_ptr((void *)t, off_tracer_delegate))
		return 0;  /* the SDK's span */
	ga_start(ctx, t, GO_ARG3(ctx), GO_ARG4(ctx), (__u64)GO_ARG5(ctx), GO_ARG6(ctx), (__u64)GO_ARG7(ctx));
	return 0;
}

SEC("uprobe")
int uprobe_global_new_span_return(struct pt_regs *ctx)
{
	/* (context.Context (itab, data), trace.Span (itab, data)) */
	struct tb_goroutine_key gk = tb_goroutine(ctx);
	struct tb_call *started = bpf_map_lookup_elem(&global_starts, &gk);
	if (!started)
		return 0;
	struct ga_span s = {.call = *started};
	bpf_map_delete_elem(&global_starts, &gk);
	__u64 goctx = (__u64)GO_ARG2(ctx);
	__u64 box = (__u64)GO_ARG4(ctx);
	if ((__u64)GO_ARG3(ctx) != itab_global_span || !box)
		return 0;  /* the Auto SDK's span (autoSpan was true): auto_sdk.bpf.c has it */
	/* the context is a *valueCtx {Context, key any, val any} whose val holds the other box */
	struct { __u64 type; __u64 data; } val = {};
	if (goctx && !bpf_probe_read_user(&val, sizeof(val), (const char *)goctx + 32) && val.type == type_global_span)
		s.other = val.data;
	s.ctx = goctx;
	struct ga_key k = {.pid = gk.pid, .box = box};
	if (bpf_map_update_elem(&global_spans, &k, &s, BPF_ANY)) {
		tb_count_drop(TB_DROP_INFLIGHT_FULL);
		return 0;
	}
	if (s.other && s.other != box) {
		struct ga_key other = {.pid = gk.pid, .box = s.other};
		s.other = box;
		bpf_map_update_elem(&global_spans, &other, &s, BPF_ANY);
	}
	if (goctx) {
		struct tb_ctx_key ck = {.pid = gk.pid, .ctx = goctx};
		bpf_map_update_elem(&tb_ctx_spans, &ck, &s.call.sc, BPF_ANY);
	}
	return 0;
}

/* Whether box is a span tracebee rebuilds (known, sampled): then c is its call and a record is begun in e. */
static __always_inline bool ga_span_call(struct ga_enc *e, void *box, struct tb_call *c)
{
	struct ga_key k = {.pid = tb_pid_tgid() >> 32, .box = (__u64)box};
	struct ga_span *s = bpf_map_lookup_elem(&global_spans, &k);
	if (!s || !ga_sampled(&s->call) || !ga_begin(e))
		return false;
	*c = s->call;
	return true;
}

SEC("uprobe")
int uprobe_global_set_attributes(struct pt_regs *ctx)
{
	/* s *nonRecordingSpan, kv []attribute.KeyValue */
	struct ga_enc e = {};
	struct tb_call c;
	if (!ga_span_call(&e, GO_ARG1(ctx), &c))
		return 0;
	ga_put_attrs(&e, GO_ARG2(ctx), (__u64)GO_ARG3(ctx));
	ga_put_dropped(&e);
	ga_send(ctx, &e, &c);
	return 0;
}

SEC("uprobe")
int uprobe_global_set_name(struct pt_regs *ctx)
{
	/* s, name string */
	struct ga_enc e = {};
	struct tb_call c;
	if (!ga_span_call(&e, GO_ARG1(ctx), &c))
		return 0;
	ga_put_u8(&e, TB_GI_NAME);
	ga_put_str(&e, GO_ARG2(ctx), (__u64)GO_ARG3(ctx));
	if (!e.full)
		ga_send(ctx, &e, &c);
	return 0;
}

SEC("uprobe")
int uprobe_global_set_status(struct pt_regs *ctx)
{
	/* s, code codes.Code (uint32), description string */
	struct ga_enc e = {};
	struct tb_call c;
	if (!ga_span_call(&e, GO_ARG1(ctx), &c))
		return 0;
	__u32 code = (__u32)(__u64)GO_ARG2(ctx);
	ga_put_u8(&e, TB_GI_STATUS);
	ga_put_bytes(&e, (const __u8 *)&code, 4);
	ga_put_str(&e, GO_ARG3(ctx), (__u64)GO_ARG4(ctx));
	if (!e.full)
		ga_send(ctx, &e, &c);
	return 0;
}

SEC("uprobe")
int uprobe_global_add_event(struct pt_regs *ctx)
{
	/* s, name string, options []EventOption */
	struct ga_enc e = {};
	struct tb_call c;
	if (!ga_span_call(&e, GO_ARG1(ctx), &c))
		return 0;
	ga_put_u8(&e, TB_GI_EVENT);
	ga_put_u64(&e, bpf_ktime_get_ns());
	ga_put_str(&e, GO_ARG2(ctx), (__u64)GO_ARG3(ctx));
	if (e.full)
		return 0;
	ga_put_options(&e, GO_ARG4(ctx), (__u64)GO_ARG5(ctx));
	ga_send(ctx, &e, &c);
	return 0;
}

SEC("uprobe")
int uprobe_global_record_error(struct pt_regs *ctx)
{
	/* s, err error (itab, data), options []EventOption */
	struct ga_enc e = {};
	struct tb_call c;
	__u64 itab = (__u64)GO_ARG2(ctx);
	const char *err = GO_ARG3(ctx);
	if (!itab || !ga_span_call(&e, GO_ARG1(ctx), &c))
		return 0;  /* RecordError(nil) records nothing */
	struct ga_error_type *t = bpf_map_lookup_elem(&ga_error_types, &itab);
	ga_put_u8(&e, TB_GI_ERROR);
	ga_put_u64(&e, bpf_ktime_get_ns());
	if (t) {
		__u16 n = t->name_len > GA_ERROR_NAME_MAX ? GA_ERROR_NAME_MAX : t->name_len;
		ga_put_u16(&e, n);
		for (__u32 i = 0; i < GA_ERROR_NAME_MAX; i++) {
			if (i >= n)
				break;
			ga_put_u8(&e, t->name[i]);
		}
	} else {
		ga_put_u16(&e, 0);
	}
	if (t && t->message_off != GA_NO_MESSAGE && err)
		ga_put_go_string(&e, err + t->message_off);
	else
		ga_put_u16(&e, 0);
	if (e.full)
		return 0;
	ga_put_options(&e, GO_ARG4(ctx), (__u64)GO_ARG5(ctx));
	ga_send(ctx, &e, &c);
	return 0;
}

SEC("uprobe")
int uprobe_global_add_link(struct pt_regs *ctx)
{
	/* s in a register; the Link (a struct with arrays) on the stack */
	struct ga_enc e = {};
	struct tb_call c;
	if (!ga_span_call(&e, GO_ARG1(ctx), &c))
		return 0;
	ga_put_link(&e, (const char *)(PT_REGS_SP(ctx) + 8));
	if (e.pos)
		ga_send(ctx, &e, &c);
	return 0;
}

SEC("uprobe")
int uprobe_global_end(struct pt_regs *ctx)
{
	/* s, options []SpanEndOption */
	struct ga_key k = {.pid = tb_pid_tgid() >> 32, .box = (__u64)GO_ARG1(ctx)};
	struct ga_span *found = bpf_map_lookup_elem(&global_spans, &k);
	if (!found)
		return 0;
	struct ga_span s = *found;
	bpf_map_delete_elem(&global_spans, &k);
	if (s.other) {
		struct ga_key other = {.pid = k.pid, .box = s.other};
		bpf_map_delete_elem(&global_spans, &other);
	}
	if (s.ctx) {
		struct tb_ctx_key ck = {.pid = k.pid, .ctx = s.ctx};
		bpf_map_delete_elem(&tb_ctx_spans, &ck);
	}
	struct ga_enc e = {};
	if (!ga_sampled(&s.call)) {
		tb_count(TB_CNT_UNSAMPLED);
		return 0;
	}
	if (!ga_begin(&e))
		return 0;
	ga_put_u8(&e, TB_GI_END);
	ga_put_options(&e, GO_ARG2(ctx), (__u64)GO_ARG3(ctx));
	ga_send(ctx, &e, &s.call);
	return 0;
}
