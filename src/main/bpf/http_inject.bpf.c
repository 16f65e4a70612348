// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Outgoing W3C traceparent for HTTP/1.x requests, without writing the target's memory.
 *
 * tb_sockops (cgroup-v2 sock_ops, attached at the root): a TCP connect() made by a process that has
 * made a traced client call (tb_inject_tgids, filled by http_client.bpf.c) marks the socket; once the
 * connection is established the marked socket joins tb_sockhash. Other processes' sockets never do.
 * The pid is only read at TCP_CONNECT_CB, which runs in connect(2); ACTIVE_ESTABLISHED_CB runs in
 * softirq context where "current" is whoever was interrupted.
 *
 * tb_skmsg (sk_msg verdict on tb_sockhash) sees every sendmsg on those sockets. When the client probe
 * offered a header line for this connection (tb_inject, one-shot) and the message starts with an
 * HTTP/1.x request line, it makes room right after that line (bpf_msg_push_data) and writes the line
 * into it. The application's write(2) still returns its own byte count. Lengths are clamped before
 * any mask (a mask alone, as in OBI #1976, wraps lengths above the mask). Whether the request already
 * has a traceparent was decided by the client probe from Go's header map: the bytes scanned here may
 * not include all headers, which can arrive in later writes.
 *
 * HTTP/2 (gRPC, plaintext): the same program follows each connection's frames (tb_h2_state in socket
 * storage): from the client preface on, or — a connection made before the agent came — from the first
 * message whose frame headers chain exactly to its end. It knows where every frame starts even when a
 * write ends inside a frame or inside a frame header. When a HEADERS frame with END_HEADERS lies wholly in
 * the message and the gRPC client probe offered a field for (this connection, its stream id) (tb_h2_inject),
 * the 69-byte HPACK field is pushed at the end of the header block (before any padding) and the frame's
 * length rewritten, if the frame stays within 16384 bytes, the smallest SETTINGS_MAX_FRAME_SIZE a peer may
 * announce. A literal without indexing changes neither end's HPACK table. Anything else — a HEADERS frame
 * cut by the write, CONTINUATION, a frame too large — is left alone and the offer counted as failed: a push
 * without its length fix would corrupt the connection, so the room is popped again if the write fails.
 */
#include <bpf/bpf_endian.h>
#include "tb_common.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define TB_AF_INET 2
#define TB_AF_INET6 10
#define TB_REQLINE_MAX 2048  /* a request line longer than this gets no header */
#define TB_SCAN 4096         /* bytes of a message copied for the scan */

/* Sockets of processes in tb_inject_tgids, marked at connect(2). */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u32);
} tb_sk_target SEC(".maps");

/* Established connections of those processes: their sendmsg runs tb_skmsg. */
struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 65536);
	__type(key, __u64);  /* socket cookie */
	__type(value, __u64);
} tb_sockhash SEC(".maps");

struct tb_scan_buf {
	char b[2 * TB_SCAN];  /* twice the copy, so masked indexes are only verifier hints */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tb_scan_buf);
} tb_scan SEC(".maps");

SEC("sockops")
int tb_sockops(struct bpf_sock_ops *skops)
{
	struct bpf_sock *sk = skops->sk;
	if (!sk || (skops->family != TB_AF_INET && skops->family != TB_AF_INET6))
		return 1;
	if (skops->op == BPF_SOCK_OPS_TCP_CONNECT_CB) {
		struct tb_tgid_key k = {.tgid = tb_pid_tgid() >> 32};
		if (!bpf_map_lookup_elem(&tb_inject_tgids, &k))
			return 1;
		__u32 *mark = bpf_sk_storage_get(&tb_sk_target, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
		if (mark)
			*mark = k.tgid;
	} else if (skops->op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB) {
		if (!bpf_sk_storage_get(&tb_sk_target, sk, 0, 0))
			return 1;
		__u64 cookie = bpf_get_socket_cookie(skops);
		bpf_sock_hash_update(skops, &tb_sockhash, &cookie, BPF_NOEXIST);
	}
	return 1;
}

static __always_inline void tb_v4_mapped_be(__u8 *dst, __u32 addr_be)
{
	__builtin_memset(dst, 0, 10);
	dst[10] = 0xff;
	dst[11] = 0xff;
	__builtin_memcpy(dst + 12, &addr_be, 4);
}

/* Whether p starts with an HTTP/1.x method and a space (p has 8 readable bytes). */
static __always_inline bool tb_is_request_start(const char *p)
{
	switch (p[0]) {
	case 'G': return p[1] == 'E' && p[2] == 'T' && p[3] == ' ';
	case 'H': return p[1] == 'E' && p[2] == 'A' && p[3] == 'D' && p[4] == ' ';
	case 'P':
		return (p[1] == 'O' && p[2] == 'S' && p[3] == 'T' && p[4] == ' ')
			|| (p[1] == 'U' && p[2] == 'T' && p[3] == ' ')
			|| (p[1] == 'A' && p[2] == 'T' && p[3] == 'C' && p[4] == 'H' && p[5] == ' ');
	case 'D': return p[1] == 'E' && p[2] == 'L' && p[3] == 'E' && p[4] == 'T' && p[5] == 'E' && p[6] == ' ';
	case 'O': return p[1] == 'P' && p[2] == 'T' && p[3] == 'I' && p[4] == 'O' && p[5] == 'N' && p[6] == 'S';
	default: return false;
	}
}

struct tb_eol_scan {
	struct tb_scan_buf *buf;
	__u32 n;
	__u32 eol;  /* index of the first "\r\n"; 0 = none */
};

static long tb_eol_cb(__u64 i, void *arg)
{
	struct tb_eol_scan *s = arg;
	if (i + 1 >= s->n)
		return 1;
	if (s->buf->b[i & (2 * TB_SCAN - 1)] == '\r' && s->buf->b[(i + 1) & (2 * TB_SCAN - 1)] == '\n') {
		s->eol = i;
		return 1;
	}
	return 0;
}

/* HTTP/2 framing per connection, in socket storage. */
struct tb_h2_state {
	__u32 skip;       /* payload bytes of the frame in progress that later messages carry */
	__u8 synced;      /* frame boundaries are known */
	__u8 not_h2;      /* HTTP/1.x or TLS: never looked at again */
	__u8 hdr_have;    /* bytes of a frame header cut by the end of the last message, in hdr */
	__u8 misses;      /* messages that did not sync: at TB_H2_MISSES the connection is taken for another protocol */
	__u8 hdr[8];
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct tb_h2_state);
} tb_h2_state SEC(".maps");

#define TB_H2_HEADER 9
#define TB_H2_HEADERS 0x1
#define TB_H2_END_HEADERS 0x4
#define TB_H2_PADDED 0x8
#define TB_H2_MAX_FRAME 16384
#define TB_H2_FRAMES 128   /* frame headers walked per message */
#define TB_H2_PREFACE_LEN 24
#define TB_H2_MISSES 16    /* a connection that never syncs (PostgreSQL, Redis...) stops costing a walk per write */

#define TB_H2_WALK_FIELDS                                                                            \
	__u32 pos;       /* the next frame header's offset in the message */                         \
	__u32 size;      /* the message's size, grown by what was pushed */                          \
	__u32 cut;       /* bytes of a header at pos cut by the message's end (in hdr), 0 none */    \
	bool inject;     /* synced: inject; else only check that the frames chain */                 \
	bool bad;        /* (not synced) a frame header that cannot be one */                        \
	__u8 hdr[8];

/* A walk's position: scalars only, what the global tb_h2_frame_step may be handed. */
struct tb_h2_walk_state {
	TB_H2_WALK_FIELDS
};

/* The message, the connection and the position, whose fields are reachable by name (w->pos) and as w->st. */
struct tb_h2_walk {
	struct sk_msg_md *msg;
	const struct tb_inject_key *conn;
	union {
		struct tb_h2_walk_state st;
		struct {
			TB_H2_WALK_FIELDS
		};
	};
};

struct tb_h2_frame {
	__u32 pos;
	__u32 len;
	__u32 flags;
	__u32 stream_id;
};

/*
 * Appends the offered field to the HEADERS frame at pos (header already read: len, flags, stream); returns the
 * bytes added. A global function: the verifier checks it once, not on every path of the frame walk.
 */
__attribute__((noinline)) int tb_h2_inject_frame(struct sk_msg_md *msg, const struct tb_inject_key *conn,
						 const struct tb_h2_frame *f)
{
	if (!conn || !f)
		return 0;
	__u32 pos = f->pos, len = f->len, flags = f->flags;
	if (pos > 0xffffff || len > TB_H2_MAX_FRAME)
		return 0;
	struct tb_h2_inject_key k = {.conn = *conn, .stream_id = f->stream_id};
	struct tb_h2_field *offered = bpf_map_lookup_elem(&tb_h2_inject, &k);
	if (!offered)
		return 0;
	/* one-shot, whatever happens below: deleted once its bytes are copied or the frame refused */
	__u32 pad = 0;
	if (flags & TB_H2_PADDED) {
		if (len == 0 || bpf_msg_pull_data(msg, pos + TB_H2_HEADER, pos + TB_H2_HEADER + 1, 0))
			goto failed;
		__u8 *d = msg->data;
		if ((void *)(d + 1) > msg->data_end)
			goto failed;
		pad = d[0];
		if (pad >= len)
			goto failed;
	}
	if (len + TB_H2_FIELD_LEN > TB_H2_MAX_FRAME)
		goto failed;
	__u32 at = pos + TB_H2_HEADER + len - pad;
	if (bpf_msg_push_data(msg, at, TB_H2_FIELD_LEN, 0))
		goto failed;
	if (bpf_msg_pull_data(msg, at, at + TB_H2_FIELD_LEN, 0))
		goto undo;
	char *d = msg->data;
	if ((void *)(d + TB_H2_FIELD_LEN) > msg->data_end)
		goto undo;
	__builtin_memcpy(d, offered->b, TB_H2_FIELD_LEN);
	bpf_map_delete_elem(&tb_h2_inject, &k);
	if (bpf_msg_pull_data(msg, pos, pos + 3, 0))
		goto undo;
	__u8 *h = msg->data;
	if ((void *)(h + 3) > msg->data_end)
		goto undo;
	__u32 grown = len + TB_H2_FIELD_LEN;
	h[0] = grown >> 16;
	h[1] = grown >> 8;
	h[2] = grown;
	tb_count(TB_CNT_INJECT_DONE);
	return TB_H2_FIELD_LEN;
undo:
	bpf_msg_pop_data(msg, at, TB_H2_FIELD_LEN, 0);
failed:
	bpf_map_delete_elem(&tb_h2_inject, &k);
	tb_count(TB_CNT_INJECT_FAILED);
	return 0;
}

/*
 * One frame header at w->pos: injects into it if asked and offered, and moves past the frame; 1 ends the walk.
 * A global function: as the body of the bpf_loop callback, the verifier followed the walk's position through
 * iteration after iteration (tb_skmsg took 0.6 s to verify, at every agent start).
 */
__attribute__((noinline)) int tb_h2_frame_step(struct sk_msg_md *msg, const struct tb_inject_key *conn,
					       struct tb_h2_walk_state *w)
{
	if (!msg || !w)
		return 1;
	__u32 pos = w->pos;
	if (pos >= w->size)
		return 1;
	if (pos + TB_H2_HEADER > w->size) {
		/* the header goes on in the next message: keep what this one has */
		__u32 cut = w->size - pos;
		if (cut > 8 || bpf_msg_pull_data(msg, pos, w->size, 0)) {
			w->bad = true;
			return 1;
		}
		__u8 *c = msg->data;
		void *end = msg->data_end;
		for (int j = 0; j < 8; j++) {
			if (j < cut && (void *)(c + j + 1) <= end)
				w->hdr[j] = c[j];
		}
		w->cut = cut;
		return 1;
	}
	if (bpf_msg_pull_data(msg, pos, pos + TB_H2_HEADER, 0)) {
		w->bad = true;
		return 1;
	}
	__u8 *d = msg->data;
	if ((void *)(d + TB_H2_HEADER) > msg->data_end) {
		w->bad = true;
		return 1;
	}
	__u32 len = (__u32)d[0] << 16 | (__u32)d[1] << 8 | d[2];
	__u8 type = d[3], flags = d[4];
	__u32 stream_id = ((__u32)d[5] << 24 | (__u32)d[6] << 16 | (__u32)d[7] << 8 | d[8]) & 0x7fffffff;
	if (!w->inject && (type > 0x9 || len > TB_H2_MAX_FRAME)) {
		w->bad = true;  /* not where a frame starts, as far as a sync can tell */
		return 1;
	}
	if (w->inject && type == TB_H2_HEADERS && (flags & TB_H2_END_HEADERS) && stream_id &&
	    pos + TB_H2_HEADER + len <= w->size) {
		struct tb_h2_frame f = {.pos = pos, .len = len, .flags = flags, .stream_id = stream_id};
		__u32 added = tb_h2_inject_frame(msg, conn, &f);
		len += added;
		w->size += added;
	}
	w->pos = pos + TB_H2_HEADER + len;
	return 0;
}

static long tb_h2_frame_cb(__u64 i, void *arg)
{
	struct tb_h2_walk *w = arg;
	return tb_h2_frame_step(w->msg, w->conn, &w->st) != 0;
}

/* Follows an HTTP/2 connection's frames through one message, injecting where offered (global: checked once). */
__attribute__((noinline)) int tb_h2_message(struct sk_msg_md *msg, const struct tb_inject_key *conn)
{
	struct bpf_sock *sk = msg->sk;
	if (!sk || !conn)
		return 0;
	struct tb_h2_state *st = bpf_sk_storage_get(&tb_h2_state, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!st || st->not_h2)
		return 0;
	struct tb_h2_walk w = {.msg = msg, .conn = conn, .size = msg->size};
	if (!st->synced) {
		if (w.size < TB_H2_HEADER || bpf_msg_pull_data(msg, 0, w.size < 16 ? w.size : 16, 0))
			return 0;
		char *d = msg->data;
		if ((void *)(d + TB_H2_HEADER) > msg->data_end)
			return 0;
		if (tb_is_request_start(d) || ((d[0] == 0x16 || d[0] == 0x17) && d[1] == 0x03)) {
			st->not_h2 = 1;  /* an HTTP/1.x request or a TLS record */
			return 0;
		}
		if (d[0] == 'P' && d[1] == 'R' && d[2] == 'I' && d[3] == ' ' && d[4] == '*') {
			/* the client preface, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n": frames follow it */
			w.pos = TB_H2_PREFACE_LEN;
			w.inject = true;
		} else {
			/* adopted mid-connection: in step once a message's frames chain exactly to its end; that
			 * message is then walked again, injecting */
			bpf_loop(TB_H2_FRAMES, tb_h2_frame_cb, &w, 0);
			if (w.bad || w.cut || w.pos != w.size) {
				if (++st->misses >= TB_H2_MISSES)
					st->not_h2 = 1;
				return 0;
			}
			w.pos = 0;
			w.inject = true;
		}
	} else if (st->hdr_have) {
		/* a frame header began in the last message: this one starts with its rest, then the payload (no
		 * injection into that frame: its length went out already) */
		__u32 have = st->hdr_have, rest = TB_H2_HEADER - have;  /* 1..8 bytes were kept */
		if (have > 8) {
			st->synced = 0;
			st->hdr_have = 0;
			return 0;
		}
		__u8 h[TB_H2_HEADER] = {};
		if (w.size < rest || bpf_msg_pull_data(msg, 0, rest, 0)) {
			st->synced = 0;  /* a header cut twice: rare enough to sync again instead */
			st->hdr_have = 0;
			return 0;
		}
		__u8 *d = msg->data;
		void *end = msg->data_end;
		if ((void *)(d + rest) > end) {
			st->synced = 0;
			st->hdr_have = 0;
			return 0;
		}
		for (int j = 0; j < TB_H2_HEADER; j++) {
			if (j < have) {
				h[j] = st->hdr[j & 7];
				continue;
			}
			__u8 *p = d + ((j - have) & 15);
			if ((void *)(p + 1) > end) {
				st->synced = 0;
				st->hdr_have = 0;
				return 0;
			}
			h[j] = *p;
		}
		__u32 len = (__u32)h[0] << 16 | (__u32)h[1] << 8 | h[2];
		st->hdr_have = 0;
		w.pos = rest + len;
		w.inject = true;
		if (w.pos >= w.size) {
			st->skip = w.pos - w.size;
			return 0;
		}
	} else if (st->skip) {
		if (st->skip >= w.size) {
			st->skip -= w.size;
			return 0;
		}
		w.pos = st->skip;
		w.inject = true;
	} else {
		w.inject = true;
	}
	bpf_loop(TB_H2_FRAMES, tb_h2_frame_cb, &w, 0);
	if (w.bad || (w.pos < w.size && !w.cut)) {
		st->synced = 0;  /* more frames than one walk follows, or unreadable: sync again later */
		return 0;
	}
	st->synced = 1;
	st->skip = w.pos > w.size ? w.pos - w.size : 0;
	st->hdr_have = w.cut;
	__builtin_memcpy(st->hdr, w.hdr, sizeof(st->hdr));
	return 0;
}

SEC("sk_msg")
int tb_skmsg(struct sk_msg_md *msg)
{
	struct tb_inject_key k = {};
	if (msg->family == TB_AF_INET) {
		tb_v4_mapped_be(k.local, msg->local_ip4);
		tb_v4_mapped_be(k.remote, msg->remote_ip4);
	} else if (msg->family == TB_AF_INET6) {
		__u32 a[4] = {msg->local_ip6[0], msg->local_ip6[1], msg->local_ip6[2], msg->local_ip6[3]};
		__u32 b[4] = {msg->remote_ip6[0], msg->remote_ip6[1], msg->remote_ip6[2], msg->remote_ip6[3]};
		__builtin_memcpy(k.local, a, 16);
		__builtin_memcpy(k.remote, b, 16);
	} else {
		return SK_PASS;
	}
	k.local_port = (__u16)msg->local_port;                 /* host order */
	k.remote_port = (__u16)bpf_ntohl(msg->remote_port);    /* network order in the upper half */
	struct tb_inject_line *offered = bpf_map_lookup_elem(&tb_inject, &k);
	if (!offered) {
		tb_h2_message(msg, &k);
		return SK_PASS;
	}
	struct tb_inject_line line = *offered;
	bpf_map_delete_elem(&tb_inject, &k);  /* one-shot, whatever happens below */

	__u32 size = msg->size;
	__u32 n = size < TB_SCAN ? size : TB_SCAN;  /* clamp first */
	if (n < 16 || bpf_msg_pull_data(msg, 0, n, 0))
		goto failed;
	char *d = msg->data, *e = msg->data_end;
	if (d + 8 > e || !tb_is_request_start(d))
		goto failed;
	n = e - d;
	if (n > TB_SCAN)
		n = TB_SCAN;
	asm volatile("%0 &= 0x1fff" : "+r"(n));  /* keep the clamp visible to the verifier */
	__u32 zero = 0;
	struct tb_scan_buf *buf = bpf_map_lookup_elem(&tb_scan, &zero);
	if (!buf || n == 0 || bpf_probe_read_kernel(buf->b, n, d))
		goto failed;
	struct tb_eol_scan s = {.buf = buf, .n = n};
	bpf_loop(n, tb_eol_cb, &s, 0);
	if (!s.eol || s.eol > TB_REQLINE_MAX)
		goto failed;

	__u32 off = s.eol + 2;
	if (bpf_msg_push_data(msg, off, TB_TP_LINE_LEN, 0))
		goto failed;
	if (bpf_msg_pull_data(msg, off, off + TB_TP_LINE_LEN, 0)) {
		/* the room exists but is not writable: take it out again (pushed pages are not zeroed) */
		bpf_msg_pop_data(msg, off, TB_TP_LINE_LEN, 0);
		goto failed;
	}
	d = msg->data;
	e = msg->data_end;
	if (d + TB_TP_LINE_LEN > e) {
		bpf_msg_pop_data(msg, off, TB_TP_LINE_LEN, 0);
		goto failed;
	}
	__builtin_memcpy(d, line.line, TB_TP_LINE_LEN);
	tb_count(TB_CNT_INJECT_DONE);
	return SK_PASS;
failed:
	tb_count(TB_CNT_INJECT_FAILED);
	return SK_PASS;
}
