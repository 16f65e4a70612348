/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Producer -> consumer links for github.com/segmentio/kafka-go on one host, without writing to
 * either process (this kernel refuses bpf_probe_write_user, so no traceparent header can be added).
 *
 * A traced producer leaves its message's span context in two shared maps; a traced consumer looks
 * its message up there at FetchMessage's return, before its handler starts any child:
 *  - tb_kafka_offs, by (topic, partition, offset): exact, known once the broker answered the
 *    produce request, so only for writers with RequiredAcks != RequireNone. The entry carries the
 *    message's content fingerprint and the consumer checks it: the same coordinates in another
 *    cluster (same topic name) or a re-created topic hold a different message and never match.
 *  - tb_kafka_fps, by content fingerprint (topic, key and value lengths and leading bytes):
 *    registered before the message leaves the process, so it covers acks=0 writers and a consumer
 *    that fetched the message before the producer saw the broker's answer. Used only when exactly
 *    one traced send with that fingerprint happened within tb_kafka_fp_window_ns before the fetch;
 *    two sends of the same content are ambiguous and stay unlinked (counted).
 * A traceparent header in the message comes first (the only cross-host path); these maps are the
 * same-host fallback. Entries are never taken: every consumer group reads every message.
 */
#ifndef TB_KAFKA_H
#define TB_KAFKA_H

#include "tb_common.h"

/* kafka-go Message fields (DWARF or table), shared by producer and consumer. */
const volatile __u64 off_msg_topic = 0;
const volatile __u64 off_msg_partition = 0;
const volatile __u64 off_msg_offset = 0;
const volatile __u64 off_msg_key = 0;
const volatile __u64 off_msg_value = 0;
const volatile __u64 off_msg_headers = 0;
const volatile __u64 off_msg_time = 0;  /* the last field: a Message is off_msg_time + sizeof(time.Time) */

#define GO_TIME_SIZE 24
#define TB_KAFKA_MSG_SIZE (off_msg_time + GO_TIME_SIZE)

/* Most messages of one WriteMessages call or one produce batch that get spans and links. */
#define TB_KAFKA_MAX_MSGS 1024

/* Bytes of each part that enter the fingerprint (lengths always do). */
#define TB_KAFKA_FP_TOPIC 128
#define TB_KAFKA_FP_KEY 64
#define TB_KAFKA_FP_VALUE 128

/* A Go []byte: what the fingerprint reads of keys and values. */
struct go_slice {
	const char *ptr;
	__s64 len;
	__s64 cap;
};

/* The slice header at base+off; zero when unreadable. */
static __always_inline struct go_slice go_read_slice(const void *base, __u64 off)
{
	struct go_slice s = {};
	if (base)
		bpf_probe_read_user(&s, sizeof(s), (const char *)base + off);
	return s;
}

struct tb_kafka_offset_key {
	__u64 topic;  /* tb_kafka_hash of the topic name */
	__s64 offset;
	__s32 partition;
	__u32 _pad;
};

/* What a traced send leaves for consumers on this host. */
struct tb_kafka_link {
	struct tb_span_context sc;  /* the message's PRODUCER span */
	__u64 fp;                   /* content fingerprint of the message */
	__u64 sent_ns;              /* bpf_ktime_get_ns() when it was registered */
	__u32 tgid;                 /* the producing process */
	__u32 sends;                /* traced sends with this fingerprint in the window (tb_kafka_fps only) */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct tb_kafka_offset_key);
	__type(value, struct tb_kafka_link);
	__uint(max_entries, 65536);
} tb_kafka_offs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u64);
	__type(value, struct tb_kafka_link);
	__uint(max_entries, 65536);
} tb_kafka_fps SEC(".maps");

/*
 * How long after a traced send its fingerprint may link a fetched message. It bounds two risks:
 * an identical message from a producer tracebee does not see being taken for the traced one, and a
 * fingerprint counted as unique although the same content was sent again earlier.
 */
const volatile __u64 tb_kafka_fp_window_ns = 60ULL * 1000 * 1000 * 1000;

#define TB_FNV_OFFSET 0xcbf29ce484222325ULL
#define TB_FNV_PRIME 0x100000001b3ULL

/* Mixes one 64-bit word into h (FNV-1a on words, then a shift so high bits reach low ones). */
static __always_inline __u64 tb_mix(__u64 h, __u64 w)
{
	h = (h ^ w) * TB_FNV_PRIME;
	return h ^ (h >> 29);
}

/*
 * Mixes the length and up to max leading bytes (at most TB_KAFKA_FP_VALUE) of the bytes at ptr into
 * h, 8 at a time, reading 64 at a time into a small stack buffer; bytes past the length are zero.
 */
static __always_inline __u64 tb_mix_bytes(__u64 h, const char *ptr, __s64 len, __u64 max)
{
	h = tb_mix(h, len > 0 ? (__u64)len : 0);
	if (!ptr || len <= 0)
		return h;
	__u64 n = (__u64)len < max ? (__u64)len : max;
	for (__u64 off = 0; off < TB_KAFKA_FP_VALUE; off += 64) {
		if (off >= n)
			break;
		__u64 words[8] = {};
		__u64 chunk = n - off;
		if (chunk > sizeof(words))
			chunk = sizeof(words);
		if (bpf_probe_read_user(words, chunk, ptr + off))
			break;
		for (int i = 0; i < 8; i++) {
			if (i * 8 >= chunk)
				break;
			h = tb_mix(h, words[i]);
		}
	}
	return h;
}

/* The hash of a topic name, as the offset and fingerprint keys carry it. */
static __always_inline __u64 tb_kafka_hash(const struct go_string *topic)
{
	return tb_mix_bytes(TB_FNV_OFFSET, topic->ptr, topic->len, TB_KAFKA_FP_TOPIC);
}

/* The content fingerprint of a message: topic, then key and value (lengths and leading bytes). */
static __always_inline __u64 tb_kafka_fingerprint(__u64 topic, const struct go_slice *key,
						   const struct go_slice *value)
{
	__u64 h = tb_mix(TB_FNV_OFFSET, topic);
	h = tb_mix_bytes(h, key->ptr, key->len, TB_KAFKA_FP_KEY);
	h = tb_mix_bytes(h, value->ptr, value->len, TB_KAFKA_FP_VALUE);
	return h ? h : 1;
}

#endif /* TB_KAFKA_H */
