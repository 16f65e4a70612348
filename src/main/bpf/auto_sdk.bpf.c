// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Spans made by hand through the OpenTelemetry Go Auto SDK (go.opentelemetry.io/auto/sdk), under lockdown:
 * nothing is written into the process, so the SDK never learns its spans' ids; tracebee gives them and
 * stamps them on the serialised span when it ends.
 *
 *  - (*tracer).start(t, ctx, spanPtr, psc, sampled, sc) entry — the hook the SDK calls for every span it
 *    starts — makes the span's ids: a child of the span the context chain or the goroutine is in (an
 *    automatic span, or another manual one), kept under the span's pointer;
 *  - every RET of tracer.Start returns the context holding the new span: it is registered as that span's
 *    (tb_ctx_spans), so work started with it or a context derived from it — the application's own child
 *    spans, its HTTP, SQL, Redis, Kafka and gRPC calls — is the span's child;
 *  - (*span).ended(s, buf []byte) entry gets the span as OTLP/JSON: sent in chunks of TB_MANUAL_CHUNK bytes
 *    with the ids in the header (TB_EV_MANUAL_SPAN), then the context registration is dropped.
 * A span still open when the probe was attached has no ids yet at its end: it gets new ones, as a root.
 */
#include "tb_common.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct manual_key {
	__u32 pid;
	__u32 _pad;
	__u64 span;  /* *sdk.span */
};

struct manual_span {
	struct tb_call call;  /* arg: the *span */
	__u64 ctx;            /* the context.Context Start returned (registered in tb_ctx_spans), 0 before */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct manual_key);
	__type(value, struct manual_span);
	__uint(max_entries, 65536);
} manual_spans SEC(".maps");

SEC("uprobe")
int uprobe_autosdk_start(struct pt_regs *ctx)
{
	/* t *tracer, ctx (itab, data), spanPtr *span, psc, sampled, sc */
	struct manual_key k = {.pid = tb_pid_tgid() >> 32, .span = (__u64)GO_ARG4(ctx)};
	if (!k.span)
		return 0;
	struct manual_span m = {};
	tb_call_begin(ctx, &m.call, (void *)k.span, GO_ARG3(ctx));
	if (bpf_map_update_elem(&manual_spans, &k, &m, BPF_ANY))
		tb_count_drop(TB_DROP_INFLIGHT_FULL);
	return 0;
}

SEC("uprobe")
int uprobe_autosdk_tracer_start_return(struct pt_regs *ctx)
{
	/* (context.Context (itab, data), trace.Span (itab, data)): the span's data word is the *span */
	struct manual_key k = {.pid = tb_pid_tgid() >> 32, .span = (__u64)GO_ARG4(ctx)};
	__u64 goctx = (__u64)GO_ARG2(ctx);
	struct manual_span *m = bpf_map_lookup_elem(&manual_spans, &k);
	if (!m || !goctx || m->ctx)
		return 0;
	m->ctx = goctx;
	struct tb_ctx_key ck = {.pid = k.pid, .ctx = goctx};
	bpf_map_update_elem(&tb_ctx_spans, &ck, &m->call.sc, BPF_ANY);
	return 0;
}

struct manual_send {
	struct pt_regs *regs;
	const struct manual_span *m;
	const char *buf;
	__u32 total;
	__u16 count;
	__u8 flags;
};

static long manual_chunk_cb(__u64 i, void *arg)
{
	struct manual_send *s = arg;
	if (i >= s->count)
		return 1;
	struct tb_manual_span_event *e = bpf_ringbuf_reserve(&tb_events, sizeof(*e), 0);
	if (!e) {
		tb_count_drop(TB_DROP_RINGBUF_FULL);
		return 1;  /* the agent drops a span missing a chunk */
	}
	tb_fill_header(&e->h, s->regs, TB_EV_MANUAL_SPAN, sizeof(*e), &s->m->call);
	__u32 off = (__u32)i * TB_MANUAL_CHUNK;
	__u32 len = s->total - off;
	if (len > TB_MANUAL_CHUNK)
		len = TB_MANUAL_CHUNK;
	e->total_len = s->total;
	e->index = (__u16)i;
	e->count = s->count;
	e->source = TB_MANUAL_AUTO_SDK;
	e->flags = s->flags;
	e->_pad = 0;
	long rc;
	if (len >= TB_MANUAL_CHUNK) {
		rc = bpf_probe_read_user(e->data, TB_MANUAL_CHUNK, s->buf + off);
	} else {
		__u32 n = len;
		asm volatile("%0 &= 0xfff" : "+r"(n));  /* TB_MANUAL_CHUNK - 1, on the register the call takes */
		rc = n ? bpf_probe_read_user(e->data, n, s->buf + off) : 0;
	}
	e->len = rc ? 0 : len;  /* an unreadable chunk arrives empty: the span is cut there, not garbled */
	tb_submit(e);
	return 0;
}

SEC("uprobe")
int uprobe_autosdk_ended(struct pt_regs *ctx)
{
	/* s *span, buf []byte (ptr, len, cap): the span's OTLP/JSON */
	struct manual_key k = {.pid = tb_pid_tgid() >> 32, .span = (__u64)GO_ARG1(ctx)};
	const char *buf = GO_ARG2(ctx);
	__u64 total = (__u64)GO_ARG3(ctx);
	if (!buf || !total)
		return 0;
	struct manual_span m = {};
	__u8 flags = 0;
	struct manual_span *found = bpf_map_lookup_elem(&manual_spans, &k);
	if (found) {
		m = *found;
		bpf_map_delete_elem(&manual_spans, &k);
		if (m.ctx) {
			struct tb_ctx_key ck = {.pid = k.pid, .ctx = m.ctx};
			bpf_map_delete_elem(&tb_ctx_spans, &ck);
		}
	} else {
		/* started before the probe: a root with fresh ids */
		tb_new_root(&m.call.sc);
		m.call.start_ns = bpf_ktime_get_ns();
		flags = TB_MANUAL_FLAG_NO_START;
	}
	if (!(m.call.sc.flags & 1)) {
		tb_count(TB_CNT_UNSAMPLED);  /* the trace is sampled out: the span was tracked, nothing is sent */
		return 0;
	}
	if (total > 0xffffffff)
		total = 0xffffffff;
	__u64 count = (total + TB_MANUAL_CHUNK - 1) / TB_MANUAL_CHUNK;
	struct manual_send s = {
		.regs = ctx, .m = &m, .buf = buf, .total = (__u32)total, .flags = flags,
		.count = count > TB_MANUAL_MAX_CHUNKS ? TB_MANUAL_MAX_CHUNKS : (__u16)count,
	};
	bpf_loop(TB_MANUAL_MAX_CHUNKS, manual_chunk_cb, &s, 0);
	return 0;
}
