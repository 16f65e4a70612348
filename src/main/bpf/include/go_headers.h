/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Reading W3C trace context out of a Go http.Header (map[string][]string) without hashing.
 *
 * A Go map cannot be looked up from BPF (the hash is seeded per map and AES-based), so we scan it:
 * header maps are small, the scan stops once both keys are found, and it is bounded. Two layouts:
 *  - Swiss tables (Go 1.24+, internal/runtime/maps.Map): dirLen == 0 means dirPtr is one group;
 *    otherwise dirPtr is a directory of *table, each with a power-of-two array of groups. A group is
 *    a control word (one byte per slot; high bit clear = full) and 8 key/elem slots.
 *  - Buckets (Go < 1.24, runtime.hmap): 2^B buckets, each 8 tophash bytes (>= 5 = full), 8 keys,
 *    8 elems and an overflow pointer; during growth, not yet evacuated entries sit in oldbuckets.
 * Struct offsets come from DWARF or the versioned table like any other; the group and bucket layout
 * of map[string][]string is fixed by the compiler (16-byte string key, 24-byte slice elem).
 * net/textproto canonicalises keys, so the names to match are "Traceparent" and "Tracestate".
 */
#ifndef TB_GO_HEADERS_H
#define TB_GO_HEADERS_H

#include "tb_common.h"
#include "tb_traceparent.h"

#define GO_SLOTS 8
#define GO_SWISS_SLOT 40                                /* string key + []string elem */
#define GO_SWISS_GROUP (8 + GO_SLOTS * GO_SWISS_SLOT)   /* control word + slots */
#define GO_BUCKET_KEYS 8                                /* after tophash [8]uint8 */
#define GO_BUCKET_ELEMS (GO_BUCKET_KEYS + GO_SLOTS * 16)
#define GO_BUCKET_OVERFLOW (GO_BUCKET_ELEMS + GO_SLOTS * 24)
#define GO_BUCKET (GO_BUCKET_OVERFLOW + 8)
#define GO_MIN_TOPHASH 5
#define GO_SWISS_EMPTY_BIT 0x80

/* Bounds: beyond these a header map is not scanned further (and counted). */
#define TB_HDR_MAX_TABLES 16
#define TB_HDR_MAX_GROUPS 64     /* per table or bucket array: 512 slots */
#define TB_HDR_MAX_OVERFLOW 4

const volatile __u64 off_request_header = 0;
/* Swiss tables; has_swiss_map only when all of them are known. */
const volatile bool has_swiss_map = false;
const volatile __u64 off_swiss_dir_ptr = 0;
const volatile __u64 off_swiss_dir_len = 0;
const volatile __u64 off_swiss_table_groups = 0;
const volatile __u64 off_swiss_groups_data = 0;
const volatile __u64 off_swiss_groups_mask = 0;
/* Buckets; has_bucket_map only when all of them are known. */
const volatile bool has_bucket_map = false;
const volatile __u64 off_hmap_b = 0;
const volatile __u64 off_hmap_buckets = 0;
const volatile __u64 off_hmap_oldbuckets = 0;

/* The first values of the two headers, as Go strings in the target (not copied yet). */
struct tb_trace_headers {
	struct go_string traceparent;
	struct go_string tracestate;
};

struct tb_hdr_scan {
	struct tb_trace_headers out;
	__u64 base;        /* groups or buckets being walked */
	__u64 dir;         /* swiss directory */
	__u64 last_table;  /* a table spans consecutive directory entries: visit it once */
	__u64 overflow;    /* the overflow pointer of the bucket just scanned */
	__u32 swiss;
	__u32 done;  /* not bool: a callback must visibly return 0 or 1 to the verifier */
};

/*
 * Checks the 8 slots of one group or bucket at g for the two keys; returns s->done.
 *
 * The group (control word and slots: 328 bytes; a bucket: 336) is read whole, with one
 * bpf_probe_read_user: a read costs about the same whatever its size up to a few hundred bytes, so
 * this replaces a read per full slot. Only a key whose length matches is compared (one more read), and
 * only a match reads its value.
 *
 * A global (not static) function: the verifier checks it once, on its own, instead of once for every
 * state of every caller, and its stack (the group) does not count against the probe's. Inlined, its
 * unrolled slots and key compares multiplied with the states of the probe around it: the net/http server
 * entry took 2.4 s to verify (460,000 instructions processed) and made attaching a Go service take over 2 s.
 */
__noinline int tb_hdr_scan_slots(struct tb_hdr_scan *s, __u64 g)
{
	__u8 buf[GO_BUCKET] __attribute__((aligned(8)));
	if (!s || !g)
		return 0;
	__u32 n = s->swiss ? GO_SWISS_GROUP : GO_BUCKET;
	if (bpf_probe_read_user(buf, n, (void *)g))
		return 0;
	__u64 ctrl = *(__u64 *)buf;
	s->overflow = s->swiss ? 0 : *(__u64 *)(buf + GO_BUCKET_OVERFLOW);
	for (int k = 0; k < GO_SLOTS; k++) {
		__u8 c = ctrl >> (8 * k);
		if (s->swiss ? (c & GO_SWISS_EMPTY_BIT) : (c < GO_MIN_TOPHASH))
			continue;
		__u32 key = s->swiss ? 8 + k * GO_SWISS_SLOT : GO_BUCKET_KEYS + k * 16;
		__u32 elem = s->swiss ? key + 16 : GO_BUCKET_ELEMS + k * 24;
		if (key > GO_BUCKET - 16 || elem > GO_BUCKET - 16)
			continue;
		struct go_string ks = *(struct go_string *)(buf + key);
		struct go_string *dst;
		if (ks.len == 11 && !s->out.traceparent.ptr && go_string_equals(ks.ptr, "Traceparent", 11))
			dst = &s->out.traceparent;
		else if (ks.len == 10 && !s->out.tracestate.ptr && go_string_equals(ks.ptr, "Tracestate", 10))
			dst = &s->out.tracestate;
		else
			continue;
		/* elem is a []string {array, len, cap}: take values[0] */
		void *array = *(void **)(buf + elem);
		__s64 len = *(__s64 *)(buf + elem + 8);
		if (len < 1 || !array)
			continue;
		bpf_probe_read_user(dst, sizeof(*dst), array);
	}
	s->done = s->out.traceparent.ptr && s->out.tracestate.ptr;
	return s->done;
}

static long tb_hdr_group_cb(__u64 i, void *arg)
{
	struct tb_hdr_scan *s = arg;
	return tb_hdr_scan_slots(s, s->base + i * GO_SWISS_GROUP) != 0;
}

static long tb_hdr_table_cb(__u64 i, void *arg)
{
	struct tb_hdr_scan *s = arg;
	void *t = (void *)go_read_ptr((void *)s->dir, i * 8);
	if (!t || (__u64)t == s->last_table)
		return 0;
	s->last_table = (__u64)t;
	s->base = go_read_ptr(t, off_swiss_table_groups + off_swiss_groups_data);
	__u64 groups = go_read_ptr(t, off_swiss_table_groups + off_swiss_groups_mask) + 1;
	if (groups > TB_HDR_MAX_GROUPS) {
		tb_count(TB_CNT_HEADERS_UNSCANNED);
		groups = TB_HDR_MAX_GROUPS;
	}
	bpf_loop(groups, tb_hdr_group_cb, s, 0);
	return s->done != 0;
}

static long tb_hdr_bucket_cb(__u64 i, void *arg)
{
	struct tb_hdr_scan *s = arg;
	__u64 b = s->base + i * GO_BUCKET;
	for (int depth = 0; depth <= TB_HDR_MAX_OVERFLOW && b && !s->done; depth++) {
		s->overflow = 0;
		tb_hdr_scan_slots(s, b);
		b = s->overflow;
	}
	return s->done != 0;
}

/* Walks every bucket of a 2^b array (buckets, or oldbuckets with b - 1). */
static __always_inline void tb_hdr_scan_buckets(struct tb_hdr_scan *s, void *buckets, __u8 b)
{
	if (!buckets || s->done)
		return;
	__u64 n = 1ULL << (b & 15);
	if (n > TB_HDR_MAX_GROUPS) {
		tb_count(TB_CNT_HEADERS_UNSCANNED);
		n = TB_HDR_MAX_GROUPS;
	}
	s->base = (__u64)buckets;
	bpf_loop(n, tb_hdr_bucket_cb, s, 0);
}

/* Finds the first Traceparent and Tracestate values of the header map m (an http.Header). */
static __always_inline void tb_find_trace_headers(void *m, struct tb_trace_headers *out)
{
	__builtin_memset(out, 0, sizeof(*out));
	if (!m)
		return;
	struct tb_hdr_scan s = {};
	if (has_swiss_map) {
		s.swiss = true;
		/* dirPtr and dirLen: one read */
		__u8 buf[32] __attribute__((aligned(8)));
		struct go_win w;
		go_win_read(&w, buf, sizeof(buf), m, go_min(off_swiss_dir_ptr, off_swiss_dir_len),
			    go_max(off_swiss_dir_ptr, off_swiss_dir_len) + 8);
		void *dir = (void *)go_win_ptr(&w, buf, off_swiss_dir_ptr);
		__u64 dir_len = go_win_ptr(&w, buf, off_swiss_dir_len);
		if (!dir)
			return;
		if (dir_len == 0) {
			tb_hdr_scan_slots(&s, (__u64)dir);  /* a small map: one group, no tables */
			*out = s.out;
			return;
		}
		if (dir_len > TB_HDR_MAX_TABLES) {
			tb_count(TB_CNT_HEADERS_UNSCANNED);
			dir_len = TB_HDR_MAX_TABLES;
		}
		s.dir = (__u64)dir;
		bpf_loop(dir_len, tb_hdr_table_cb, &s, 0);
	} else if (has_bucket_map) {
		__u8 b = 0;
		bpf_probe_read_user(&b, sizeof(b), m + off_hmap_b);
		tb_hdr_scan_buckets(&s, (void *)go_read_ptr(m, off_hmap_buckets), b);
		if (b > 0)
			tb_hdr_scan_buckets(&s, (void *)go_read_ptr(m, off_hmap_oldbuckets), b - 1);
	}
	*out = s.out;
}

#endif /* TB_GO_HEADERS_H */
