// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Spans an application makes with its own registered OpenTelemetry Go SDK (go.opentelemetry.io/otel/sdk),
 * which it exports itself: tracebee's automatic spans started inside one must be its children, in its trace.
 * Under lockdown nothing is written into the SDK; tracebee reads the span's ids instead.
 *
 *  - every RET of sdk/trace.(*tracer).Start returns (context.Context, trace.Span): for a *recordingSpan, or
 *    the nonRecordingSpan of a span the SDK sampled out (told apart by their itabs), the span's ids and
 *    flags are read from its span context and the returned context is registered under them (tb_ctx_spans),
 *    so an HTTP, SQL, Redis, Kafka or gRPC call made with it, or with a context derived from it, is the SDK
 *    span's child on any goroutine — sampled out with it when the SDK sampled it out;
 *  - End's entry (of *recordingSpan, or the pointer wrapper of nonRecordingSpan) drops the registration: an
 *    address must not outlive its context;
 *  - a recording span with no parent (the SDK could not see tracebee's span, so it began a trace) started
 *    inside an automatic span that began its trace in this process: that span's trace takes the SDK's trace id
 *    (struct tb_trace_adopt_event), so the two land in one trace.
 */
#include "tb_common.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u64 itab_recording_span = 0;   /* go:itab.*go.opentelemetry.io/otel/sdk/trace.recordingSpan,...trace.Span */
const volatile __u64 off_recording_span_sc = 0; /* sdk/trace.recordingSpan.spanContext */
const volatile __u64 itab_non_recording_span = 0;   /* go:itab.go.opentelemetry.io/otel/sdk/trace.nonRecordingSpan,...trace.Span */
const volatile __u64 off_non_recording_span_sc = 0; /* sdk/trace.nonRecordingSpan.sc */
const volatile bool has_non_recording_span = false;
const volatile __u64 off_sc_trace_id = 0;       /* otel/trace.SpanContext.traceID */
const volatile __u64 off_sc_span_id = 0;        /* .spanID */
const volatile __u64 off_sc_flags = 0;          /* .traceFlags */
const volatile __u64 off_recording_span_parent = 0; /* sdk/trace.recordingSpan.parent */
const volatile bool has_recording_span_parent = false;

struct sdk_span_key {
	__u32 pid;
	__u32 _pad;
	__u64 span;  /* *recordingSpan, or the box of a nonRecordingSpan */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct sdk_span_key);
	__type(value, __u64);  /* the context registered for it */
	__uint(max_entries, 65536);
} sdk_span_ctx SEC(".maps");

/*
 * The SDK began a trace (sdk) in a span it started with goctx's parent: if the automatic span that context or
 * the goroutine is in began its own trace here, that trace takes the SDK's id.
 */
static __always_inline void otelsdk_adopt(struct pt_regs *ctx, __u64 goctx, const struct tb_span_context *sdk)
{
	struct tb_goid_key gk = tb_current_goid(ctx);
	struct tb_call c = {};
	void *in = (void *)go_read_ptr((void *)goctx, 8);  /* ContextWithSpan's valueCtx wraps the context Start got */
	if (!in || !tb_ctx_span(gk.pid, in, &c.sc)) {
		struct tb_span_context *cur = tb_current(ctx, &gk);
		if (!cur)
			return;
		c.sc = *cur;
	}
	__u64 a[2], b[2];
	__builtin_memcpy(a, c.sc.trace_id, sizeof(a));
	__builtin_memcpy(b, sdk->trace_id, sizeof(b));
	if (!c.sc.local_root || (a[0] == b[0] && a[1] == b[1]))
		return;
	struct tb_trace_adopt_event *e = bpf_ringbuf_reserve(&tb_events, sizeof(*e), 0);
	if (!e) {
		tb_count_drop(TB_DROP_RINGBUF_FULL);
		return;
	}
	c.start_ns = bpf_ktime_get_ns();
	tb_fill_header(&e->h, ctx, TB_EV_TRACE_ADOPT, sizeof(*e), &c);
	__builtin_memcpy(e->trace_id, sdk->trace_id, TB_TRACE_ID_SIZE);
	tb_submit(e);
}

SEC("uprobe")
int uprobe_otelsdk_start_return(struct pt_regs *ctx)
{
	/* (context.Context (itab, data), trace.Span (itab, data)) */
	__u64 goctx = (__u64)GO_ARG2(ctx);
	__u64 itab = (__u64)GO_ARG3(ctx);
	const char *span = GO_ARG4(ctx);
	if (!goctx || !span || !itab)
		return 0;
	const char *s;
	if (itab == itab_recording_span)
		s = span + off_recording_span_sc;
	else if (itab == itab_non_recording_span && has_non_recording_span)
		s = span + off_non_recording_span_sc;  /* the boxed value's address */
	else
		return 0;
	struct tb_span_context sc = {.origin = TB_ORIGIN_LOCAL};
	if (bpf_probe_read_user(sc.trace_id, TB_TRACE_ID_SIZE, s + off_sc_trace_id) ||
	    bpf_probe_read_user(sc.span_id, TB_SPAN_ID_SIZE, s + off_sc_span_id) ||
	    bpf_probe_read_user(&sc.flags, 1, s + off_sc_flags))
		return 0;
	if (!tb_has_span(&sc))
		return 0;
	struct sdk_span_key k = {.pid = tb_pid_tgid() >> 32, .span = (__u64)span};
	struct tb_ctx_key ck = {.pid = k.pid, .ctx = goctx};
	bpf_map_update_elem(&tb_ctx_spans, &ck, &sc, BPF_ANY);
	bpf_map_update_elem(&sdk_span_ctx, &k, &goctx, BPF_ANY);
	__u8 parent[TB_SPAN_ID_SIZE] = {};
	if (itab == itab_recording_span && has_recording_span_parent &&
	    !bpf_probe_read_user(parent, TB_SPAN_ID_SIZE, span + off_recording_span_parent + off_sc_span_id)) {
		__u64 id;
		__builtin_memcpy(&id, parent, sizeof(id));
		if (!id)
			otelsdk_adopt(ctx, goctx, &sc);
	}
	return 0;
}

SEC("uprobe")
int uprobe_otelsdk_end(struct pt_regs *ctx)
{
	/* (*recordingSpan).End(s, options ...SpanEndOption), or (*nonRecordingSpan).End with the boxed value */
	struct sdk_span_key k = {.pid = tb_pid_tgid() >> 32, .span = (__u64)GO_ARG1(ctx)};
	__u64 *goctx = bpf_map_lookup_elem(&sdk_span_ctx, &k);
	if (!goctx)
		return 0;
	struct tb_ctx_key ck = {.pid = k.pid, .ctx = *goctx};
	bpf_map_delete_elem(&tb_ctx_spans, &ck);
	bpf_map_delete_elem(&sdk_span_ctx, &k);
	return 0;
}
