// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * github.com/segmentio/kafka-go producer spans: one PRODUCER span per message of
 *   (*Writer).WriteMessages(w, ctx context.Context, msgs ...Message) error
 * all children of the span the call's context derives from (else the goroutine's), one record per
 * message when the call returns.
 *
 * For consumers on this host (tb_kafka.h), the entry registers each message's fingerprint and keeps
 * it "pending" under its key and value pointers, which survive kafka-go copying the Message into a
 * batch. The broker's offsets become known at the return of
 *   (*Writer).produce(w, key topicPartition{topic string, partition int32}, batch *writeBatch) (*ProduceResponse, error)
 * which runs on the partition writer's goroutine, once per attempt, before the batch completes (so
 * before a synchronous WriteMessages returns): message i got BaseOffset + i. With RequiredAcks =
 * RequireNone the response is nil and only the partition is learnt. A pending entry is dropped by
 * whichever of WriteMessages' return (which reads the offset for its span) and a successful
 * produce comes second: Async writers return before the batch is even sent. (Plain flags, not a
 * reference count: fetching atomics need BPF v3 code. Should both run at once on two CPUs, neither
 * may see the other's flag and the entry is left to the LRU.)
 */
#include "tb_common.h"
#include "tb_kafka.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u64 off_writer_topic = 0;         /* Writer.Topic: the topic of messages without one */
const volatile __u64 off_batch_msgs = 0;           /* writeBatch.msgs */
const volatile __u64 off_produce_error = 0;        /* ProduceResponse.Error (error) */
const volatile __u64 off_produce_base_offset = 0;  /* ProduceResponse.BaseOffset */

/* A WriteMessages call in flight; message i's span id is derived from the call's (kp_span_id). */
struct kp_call {
	struct tb_call call;  /* arg is the *Writer */
	const void *msgs;
	__s64 count;
	__u64 writer_topic;   /* hash of Writer.Topic */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct tb_goroutine_key);
	__type(value, struct kp_call);
	__uint(max_entries, 16384);
} kp_calls SEC(".maps");

/* A message between WriteMessages' entry and the produce that sent it, by what survives the copy. */
struct kp_pending_key {
	__u32 tgid;
	__u32 _pad;
	__u64 topic;
	__u64 key_ptr;
	__u64 value_ptr;
	__u64 value_len;
};

struct kp_pending {
	struct tb_span_context sc;
	__u64 fp;
	__s64 offset;     /* -1 until produce learnt it */
	__s32 partition;  /* -1 until produce learnt it */
	__u32 sends;      /* > 1: two messages in flight share the pointers, none is linked by offset */
	__u8 settled;     /* a produce succeeded for it */
	__u8 returned;    /* its WriteMessages returned */
	__u8 _pad[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct kp_pending_key);
	__type(value, struct kp_pending);
	__uint(max_entries, 65536);
} kp_pending SEC(".maps");

/* A produce attempt in flight, per partition writer goroutine. */
struct kp_produce {
	const void *batch;
	struct go_string topic;
	__s32 partition;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct tb_goroutine_key);
	__type(value, struct kp_produce);
	__uint(max_entries, 16384);
} kp_produces SEC(".maps");

/* The fields of a Message the probe reads, from one message of a []Message. */
struct kp_msg {
	struct go_string topic;
	struct go_slice key;
	struct go_slice value;
	__u64 topic_hash;
};

static __always_inline void kp_read_msg(struct kp_msg *m, const void *msg, __u64 writer_topic)
{
	bpf_probe_read_user(&m->topic, sizeof(m->topic), msg + off_msg_topic);
	m->key = go_read_slice(msg, off_msg_key);
	m->value = go_read_slice(msg, off_msg_value);
	/* the Writer's topic applies to messages that name none (WriteMessages rejects having both) */
	m->topic_hash = m->topic.len > 0 ? tb_kafka_hash(&m->topic) : writer_topic;
}

static __always_inline struct kp_pending_key kp_key(__u32 tgid, const struct kp_msg *m)
{
	struct kp_pending_key k = {
		.tgid = tgid,
		.topic = m->topic_hash,
		.key_ptr = (__u64)m->key.ptr,
		.value_ptr = (__u64)m->value.ptr,
		.value_len = (__u64)m->value.len,
	};
	return k;
}

/* Message i's span id: the call's, stepped by the golden ratio, so each is distinct and non-zero. */
static __always_inline void kp_span_id(struct tb_span_context *sc, __u64 i)
{
	__u64 id;
	__builtin_memcpy(&id, sc->span_id, sizeof(id));
	id += i * 0x9e3779b97f4a7c15ULL;
	if (id == 0)
		id = 1;
	__builtin_memcpy(sc->span_id, &id, sizeof(id));
}

/*
 * Registers a traced send of link->fp: the first in its window, or one more (then the fingerprint is
 * ambiguous until the window has passed). Insert-if-absent first, so two CPUs sending the same content
 * at once count two sends.
 */
static __always_inline void kp_register_fingerprint(const struct tb_kafka_link *link)
{
	if (bpf_map_update_elem(&tb_kafka_fps, &link->fp, link, BPF_NOEXIST) == 0)
		return;
	struct tb_kafka_link *prev = bpf_map_lookup_elem(&tb_kafka_fps, &link->fp);
	if (!prev)
		return;
	if (link->sent_ns - prev->sent_ns <= tb_kafka_fp_window_ns)
		__sync_fetch_and_add(&prev->sends, 1);
	else
		bpf_map_update_elem(&tb_kafka_fps, &link->fp, link, BPF_ANY);  /* an old window: start anew */
}

static __always_inline void kp_register_pending(const struct kp_pending_key *k, const struct tb_kafka_link *link)
{
	struct kp_pending p = {.sc = link->sc, .fp = link->fp, .offset = -1, .partition = -1, .sends = 1};
	if (bpf_map_update_elem(&kp_pending, k, &p, BPF_NOEXIST) == 0)
		return;
	struct kp_pending *prev = bpf_map_lookup_elem(&kp_pending, k);
	if (prev)
		__sync_fetch_and_add(&prev->sends, 1);
}

struct kp_register {
	const struct kp_call *c;
	__u32 tgid;
};

static long kp_register_cb(__u64 i, void *arg)
{
	struct kp_register *l = arg;
	const struct kp_call *c = l->c;
	struct kp_msg m = {};
	kp_read_msg(&m, c->msgs + i * TB_KAFKA_MSG_SIZE, c->writer_topic);
	struct tb_kafka_link link = {.sc = c->call.sc, .sent_ns = bpf_ktime_get_ns(), .tgid = l->tgid, .sends = 1};
	kp_span_id(&link.sc, i);
	link.fp = tb_kafka_fingerprint(m.topic_hash, &m.key, &m.value);
	kp_register_fingerprint(&link);
	/* with neither key nor value, pointers tell nothing apart: fingerprint only */
	if (m.key.ptr || m.value.ptr) {
		struct kp_pending_key k = kp_key(l->tgid, &m);
		kp_register_pending(&k, &link);
	}
	return 0;
}

static __always_inline void kp_count_untracked(__u64 n)
{
	__u32 counter = TB_CNT_MSG_UNTRACKED;
	__u64 *v = bpf_map_lookup_elem(&tb_counters, &counter);
	if (v)
		*v += n;
}

SEC("uprobe")
int uprobe_writer_write_messages(struct pt_regs *ctx)
{
	struct tb_goroutine_key key = tb_goroutine(ctx);
	void *w = GO_ARG1(ctx);
	if (tb_call_restarted(&kp_calls, &key, w))
		return 0;
	/* w, ctx (itab, data), msgs (ptr, len, cap) */
	struct kp_call c = {.msgs = GO_ARG4(ctx), .count = (__s64)GO_ARG5(ctx)};
	tb_call_begin(ctx, &c.call, w, GO_ARG3(ctx));
	struct go_string wt = {};
	bpf_probe_read_user(&wt, sizeof(wt), w + off_writer_topic);
	c.writer_topic = tb_kafka_hash(&wt);
	if (bpf_map_update_elem(&kp_calls, &key, &c, BPF_ANY)) {
		tb_count_drop(TB_DROP_INFLIGHT_FULL);
		return 0;
	}
	if (c.count <= 0)
		return 0;
	struct kp_register l = {.c = &c, .tgid = key.pid};
	__u64 n = c.count;
	if (n > TB_KAFKA_MAX_MSGS) {
		kp_count_untracked(n - TB_KAFKA_MAX_MSGS);
		n = TB_KAFKA_MAX_MSGS;
	}
	bpf_loop(n, kp_register_cb, &l, 0);
	return 0;
}

/*
 * The call's side of a pending message: its partition and offset if a produce already learnt them.
 * Deletes the entry when the produce is done with it, or when the call failed (a produce may never come).
 */
static __always_inline void kp_settle_call(const struct kp_pending_key *k, bool failed, __s32 *partition,
					   __s64 *offset)
{
	struct kp_pending *p = bpf_map_lookup_elem(&kp_pending, k);
	if (!p)
		return;
	*partition = p->partition;
	*offset = p->offset;
	if (p->settled || failed || p->sends > 1)
		bpf_map_delete_elem(&kp_pending, k);
	else
		p->returned = 1;
}

/* Copies the topic of message m: its own, else the Writer's. */
static __always_inline __u16 kp_copy_topic(char *dst, const struct kp_msg *m, const void *w)
{
	if (m->topic.len > 0)
		return go_read_string_at(dst, TB_KAFKA_TOPIC_MAX, &m->topic);
	return go_read_string(dst, TB_KAFKA_TOPIC_MAX, w, off_writer_topic);
}

struct kp_emit {
	const struct kp_call *c;
	__u32 tgid;
	bool failed;
	struct tb_event_header h;  /* the records' header, but for the span id */
};

static long kp_emit_cb(__u64 i, void *arg)
{
	struct kp_emit *l = arg;
	const struct kp_call *c = l->c;
	struct kp_msg m = {};
	kp_read_msg(&m, c->msgs + i * TB_KAFKA_MSG_SIZE, c->writer_topic);
	__s32 partition = -1;
	__s64 offset = -1;
	if (m.key.ptr || m.value.ptr) {
		struct kp_pending_key k = kp_key(l->tgid, &m);
		kp_settle_call(&k, l->failed, &partition, &offset);
	}

	struct tb_kafka_producer_event *e = tb_reserve(sizeof(*e), &l->h.sc);
	if (!e) {
		return 0;
	}
	e->h = l->h;
	kp_span_id(&e->h.sc, i);
	e->offset = offset;
	e->partition = partition;
	e->batch_count = (__u32)c->count;
	e->key_full_len = m.key.len > 0 ? (__u32)m.key.len : 0;
	e->value_len = m.value.len > 0 ? (__u32)m.value.len : 0;
	e->topic_len = kp_copy_topic(e->topic, &m, c->call.arg);
	struct go_string key = {.ptr = m.key.ptr, .len = m.key.len};
	e->key_len = go_read_string_at(e->key, TB_KAFKA_KEY_MAX, &key);
	e->flags = (l->failed ? TB_KAFKA_FLAG_ERROR : 0) | (m.value.ptr ? 0 : TB_KAFKA_FLAG_TOMBSTONE);
	e->_pad = 0;
	tb_submit(e);
	return 0;
}

SEC("uprobe")
int uprobe_writer_write_messages_return(struct pt_regs *ctx)
{
	struct tb_goroutine_key key = tb_goroutine(ctx);
	struct kp_call *c = bpf_map_lookup_elem(&kp_calls, &key);
	if (!c)
		return 0;
	struct kp_emit l = {.c = c, .tgid = key.pid, .failed = GO_ARG1(ctx) != NULL};  /* error in ARG1/ARG2 */
	tb_fill_header(&l.h, ctx, TB_EV_KAFKA_PRODUCER, sizeof(struct tb_kafka_producer_event), &c->call);
	__u64 n = c->count > 0 ? c->count : 0;
	if (n > TB_KAFKA_MAX_MSGS)
		n = TB_KAFKA_MAX_MSGS;
	bpf_loop(n, kp_emit_cb, &l, 0);
	bpf_map_delete_elem(&kp_calls, &key);
	return 0;
}

SEC("uprobe")
int uprobe_writer_produce(struct pt_regs *ctx)
{
	/* w, key.topic (ptr, len), key.partition, batch */
	struct tb_goroutine_key key = tb_goroutine(ctx);
	struct kp_produce p = {
		.batch = GO_ARG5(ctx),
		.topic = {.ptr = GO_ARG2(ctx), .len = (__s64)GO_ARG3(ctx)},
		.partition = (__s32)(__u64)GO_ARG4(ctx),
	};
	if (bpf_map_update_elem(&kp_produces, &key, &p, BPF_ANY))
		tb_count_drop(TB_DROP_INFLIGHT_FULL);
	return 0;
}

struct kp_settle {
	const struct go_slice *msgs;
	__u64 topic;
	__s64 base_offset;  /* -1: no response (RequireNone) */
	__s32 partition;
	__u32 tgid;
};

/* A produce succeeded for message i of its batch: its offset, published for consumers. */
static long kp_settle_cb(__u64 i, void *arg)
{
	struct kp_settle *s = arg;
	struct kp_msg m = {};
	m.key = go_read_slice(s->msgs->ptr + i * TB_KAFKA_MSG_SIZE, off_msg_key);
	m.value = go_read_slice(s->msgs->ptr + i * TB_KAFKA_MSG_SIZE, off_msg_value);
	m.topic_hash = s->topic;
	if (!m.key.ptr && !m.value.ptr)
		return 0;
	struct kp_pending_key k = kp_key(s->tgid, &m);
	struct kp_pending *p = bpf_map_lookup_elem(&kp_pending, &k);
	if (!p)
		return 0;
	if (p->sends > 1) {
		bpf_map_delete_elem(&kp_pending, &k);
		return 0;
	}
	p->partition = s->partition;
	if (s->base_offset >= 0) {
		p->offset = s->base_offset + (__s64)i;
		struct tb_kafka_offset_key ok = {.topic = s->topic, .offset = p->offset, .partition = s->partition};
		struct tb_kafka_link link = {.sc = p->sc, .fp = p->fp, .sent_ns = bpf_ktime_get_ns(), .tgid = s->tgid};
		bpf_map_update_elem(&tb_kafka_offs, &ok, &link, BPF_ANY);
	}
	p->settled = 1;
	if (p->returned)
		bpf_map_delete_elem(&kp_pending, &k);
	return 0;
}

SEC("uprobe")
int uprobe_writer_produce_return(struct pt_regs *ctx)
{
	struct tb_goroutine_key key = tb_goroutine(ctx);
	struct kp_produce *pp = bpf_map_lookup_elem(&kp_produces, &key);
	if (!pp)
		return 0;
	struct kp_produce p = *pp;
	bpf_map_delete_elem(&kp_produces, &key);
	/* (*ProduceResponse in ARG1, error in ARG2/ARG3); a failed attempt may be retried: wait for it */
	void *res = GO_ARG1(ctx);
	if (GO_ARG2(ctx) || (res && go_read_ptr(res, off_produce_error)))
		return 0;
	struct go_slice msgs = go_read_slice(p.batch, off_batch_msgs);
	struct kp_settle s = {
		.msgs = &msgs,
		.topic = tb_kafka_hash(&p.topic),
		.base_offset = res ? (__s64)go_read_ptr(res, off_produce_base_offset) : -1,
		.partition = p.partition,
		.tgid = key.pid,
	};
	__u64 n = msgs.len > 0 ? msgs.len : 0;
	if (n > TB_KAFKA_MAX_MSGS)
		n = TB_KAFKA_MAX_MSGS;
	bpf_loop(n, kp_settle_cb, &s, 0);
	return 0;
}
