// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * github.com/segmentio/kafka-go consumer spans: one CONSUMER span per message returned by
 *   (*Reader).FetchMessage(r, ctx context.Context) (Message, error)
 * (ReadMessage calls it too), from its entry to its return.
 *
 * The Message (19 words) does not fit in result registers: the callee writes it into the caller's
 * frame, at SP+8 at the RET (GO_STACK_RESULT); the error comes back in ARG1/ARG2.
 *
 * Its parent is decided at the return, before the handler can start anything, in this order: a W3C
 * traceparent header in the message; a traced producer on this host by topic, partition and offset
 * (checked against the message's content fingerprint); by fingerprint alone, when exactly one
 * traced send of that content happened in the window (tb_kafka.h); else the span the call's context
 * or goroutine is in. The consumer span then becomes the goroutine's current span, so the handler's
 * calls and the goroutines it starts are its children, until the goroutine's next FetchMessage
 * restores what was current before.
 */
#include "tb_common.h"
#include "tb_kafka.h"
#include "go_headers.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u64 off_reader_config = 0;    /* Reader.config (ReaderConfig) */
const volatile __u64 off_config_group_id = 0;  /* ReaderConfig.GroupID */
const volatile __u64 off_header_key = 0;       /* protocol.Header.Key (string) */
const volatile __u64 off_header_value = 0;     /* protocol.Header.Value ([]byte), the last field */

#define KC_HEADER_SIZE (off_header_value + sizeof(struct go_slice))
#define KC_MAX_HEADERS 16

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct tb_goroutine_key);
	__type(value, struct tb_call);  /* arg is the *Reader */
	__uint(max_entries, 16384);
} kc_calls SEC(".maps");

/* What the goroutine's current span was before a message's span replaced it. */
struct kc_scope {
	struct tb_span_context prev;
	bool had_prev;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct tb_goid_key);
	__type(value, struct kc_scope);
	__uint(max_entries, 16384);
} kc_scopes SEC(".maps");

/* The previous message's scope ends: the goroutine is back in the span it was in before it. */
static __always_inline void kc_leave_scope(const struct tb_goid_key *g)
{
	struct kc_scope *s = bpf_map_lookup_elem(&kc_scopes, g);
	if (!s)
		return;
	if (s->had_prev)
		bpf_map_update_elem(&tb_current_span, g, &s->prev, BPF_ANY);
	else
		bpf_map_delete_elem(&tb_current_span, g);
	bpf_map_delete_elem(&kc_scopes, g);
}

static __always_inline void kc_enter_scope(struct pt_regs *ctx, const struct tb_goid_key *g,
					   const struct tb_span_context *sc)
{
	struct kc_scope s = {};
	struct tb_span_context *cur = tb_current(ctx, g);
	if (cur) {
		s.prev = *cur;
		s.had_prev = true;
	}
	bpf_map_update_elem(&kc_scopes, g, &s, BPF_ANY);
	bpf_map_update_elem(&tb_current_span, g, sc, BPF_ANY);
}

SEC("uprobe")
int uprobe_reader_fetch_message(struct pt_regs *ctx)
{
	struct tb_goroutine_key key = tb_goroutine(ctx);
	void *r = GO_ARG1(ctx);
	if (tb_call_restarted(&kc_calls, &key, r))
		return 0;
	struct tb_goid_key g = tb_current_goid(ctx);
	kc_leave_scope(&g);
	struct tb_call c = {};
	tb_call_begin(ctx, &c, r, GO_ARG3(ctx));  /* r, ctx (itab, data) */
	if (bpf_map_update_elem(&kc_calls, &key, &c, BPF_ANY))
		tb_count_drop(TB_DROP_INFLIGHT_FULL);
	return 0;
}

/* The fields of the fetched Message the probe reads. */
struct kc_msg {
	struct go_string topic;
	__s64 partition;
	__s64 offset;
	struct go_slice key;
	struct go_slice value;
	struct go_slice headers;
};

struct kc_header_scan {
	const struct go_slice *headers;
	struct tb_trace_headers *out;
};

/* Header i: is it traceparent or tracestate? Kafka header names are case-sensitive; W3C's are lowercase. */
static long kc_header_cb(__u64 i, void *arg)
{
	struct kc_header_scan *s = arg;
	const void *h = s->headers->ptr + i * KC_HEADER_SIZE;
	struct go_string name = {};
	struct go_slice value = {};
	if (bpf_probe_read_user(&name, sizeof(name), h + off_header_key) ||
	    bpf_probe_read_user(&value, sizeof(value), h + off_header_value))
		return 0;
	struct go_string *dst;
	if (name.len == 11 && !s->out->traceparent.ptr && go_string_equals(name.ptr, "traceparent", 11))
		dst = &s->out->traceparent;
	else if (name.len == 10 && !s->out->tracestate.ptr && go_string_equals(name.ptr, "tracestate", 10))
		dst = &s->out->tracestate;
	else
		return 0;
	dst->ptr = value.ptr;
	dst->len = value.len;
	return s->out->traceparent.ptr && s->out->tracestate.ptr;
}

/*
 * The message's producer span, if one can be known: how it was found (enum tb_kafka_link_kind) and,
 * for a header, the tracestate that goes with it.
 */
static __always_inline __u8 kc_find_producer(const struct kc_msg *m, __u32 tgid, struct tb_span_context *parent,
					     struct go_string *tracestate)
{
	struct tb_trace_headers th = {};
	struct kc_header_scan scan = {.headers = &m->headers, .out = &th};
	if (m->headers.ptr && m->headers.len > 0)
		bpf_loop(m->headers.len < KC_MAX_HEADERS ? m->headers.len : KC_MAX_HEADERS, kc_header_cb, &scan, 0);
	if (th.traceparent.ptr) {
		if (tb_parse_traceparent(&th.traceparent, parent)) {
			*tracestate = th.tracestate;
			return TB_KAFKA_LINK_HEADER;
		}
		tb_count(TB_CNT_TRACEPARENT_BAD);
	}

	__u64 topic = tb_kafka_hash(&m->topic);
	__u64 fp = tb_kafka_fingerprint(topic, &m->key, &m->value);
	struct tb_kafka_offset_key ok = {.topic = topic, .offset = m->offset, .partition = (__s32)m->partition};
	struct tb_kafka_link *link = bpf_map_lookup_elem(&tb_kafka_offs, &ok);
	__u8 how = TB_KAFKA_LINK_OFFSET;
	if (!link || link->fp != fp) {
		/* not (yet) known by offset: the producer may not have seen the broker's answer, or sent with acks=0 */
		link = bpf_map_lookup_elem(&tb_kafka_fps, &fp);
		if (!link || bpf_ktime_get_ns() - link->sent_ns > tb_kafka_fp_window_ns)
			return TB_KAFKA_LINK_NONE;
		if (link->sends != 1)
			return TB_KAFKA_LINK_AMBIGUOUS;
		how = TB_KAFKA_LINK_FINGERPRINT;
	}
	*parent = link->sc;
	parent->origin = link->tgid == tgid ? TB_ORIGIN_LOCAL : TB_ORIGIN_MESSAGE;
	return how;
}

static __always_inline void kc_count_link(__u8 how)
{
	switch (how) {
	case TB_KAFKA_LINK_HEADER:
		tb_count(TB_CNT_MSG_LINK_HEADER);
		break;
	case TB_KAFKA_LINK_OFFSET:
		tb_count(TB_CNT_MSG_LINK_OFFSET);
		break;
	case TB_KAFKA_LINK_FINGERPRINT:
		tb_count(TB_CNT_MSG_LINK_FINGERPRINT);
		break;
	case TB_KAFKA_LINK_AMBIGUOUS:
		tb_count(TB_CNT_MSG_LINK_AMBIGUOUS);
		break;
	default:
		tb_count(TB_CNT_MSG_LINK_NONE);
	}
}

static __always_inline void kc_emit(struct pt_regs *ctx, const struct tb_call *c, const struct kc_msg *m, __u8 how,
				    const struct go_string *tracestate)
{
	struct tb_kafka_consumer_event *e = tb_reserve(sizeof(*e), &c->sc);
	if (!e) {
		return;
	}
	tb_fill_header(&e->h, ctx, TB_EV_KAFKA_CONSUMER, sizeof(*e), c);
	e->offset = m->offset;
	e->partition = (__s32)m->partition;
	e->key_full_len = m->key.len > 0 ? (__u32)m->key.len : 0;
	e->value_len = m->value.len > 0 ? (__u32)m->value.len : 0;
	e->topic_len = go_read_string_at(e->topic, TB_KAFKA_TOPIC_MAX, &m->topic);
	struct go_string key = {.ptr = m->key.ptr, .len = m->key.len};
	e->key_len = go_read_string_at(e->key, TB_KAFKA_KEY_MAX, &key);
	void *config = (char *)c->arg + off_reader_config;
	e->group_len = go_read_string(e->group, TB_KAFKA_GROUP_MAX, config, off_config_group_id);
	e->tracestate_len = go_read_string_at(e->tracestate, TB_TRACESTATE_MAX, tracestate);
	e->flags = m->value.ptr ? 0 : TB_KAFKA_FLAG_TOMBSTONE;
	e->link = how;
	e->_pad = 0;
	tb_submit(e);
}

SEC("uprobe")
int uprobe_reader_fetch_message_return(struct pt_regs *ctx)
{
	struct tb_goroutine_key key = tb_goroutine(ctx);
	struct tb_call *cp = bpf_map_lookup_elem(&kc_calls, &key);
	if (!cp)
		return 0;
	struct tb_call c = *cp;
	bpf_map_delete_elem(&kc_calls, &key);
	if (GO_ARG1(ctx))
		return 0;  /* an error, no message: no span */

	const void *msg = GO_STACK_RESULT(ctx);
	struct kc_msg m = {};
	bpf_probe_read_user(&m.topic, sizeof(m.topic), msg + off_msg_topic);
	m.partition = (__s64)go_read_ptr(msg, off_msg_partition);
	m.offset = (__s64)go_read_ptr(msg, off_msg_offset);
	m.key = go_read_slice(msg, off_msg_key);
	m.value = go_read_slice(msg, off_msg_value);
	m.headers = go_read_slice(msg, off_msg_headers);

	struct tb_span_context parent = {};
	struct go_string tracestate = {};
	__u8 how = kc_find_producer(&m, key.pid, &parent, &tracestate);
	kc_count_link(how);
	if (how != TB_KAFKA_LINK_NONE && how != TB_KAFKA_LINK_AMBIGUOUS) {
		c.parent = parent;
		tb_join_remote(&c.sc, &parent);
	}
	struct tb_goid_key g = tb_current_goid(ctx);
	kc_enter_scope(ctx, &g, &c.sc);
	kc_emit(ctx, &c, &m, how, &tracestate);
	return 0;
}
