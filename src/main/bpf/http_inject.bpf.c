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
		__u32 tgid = bpf_get_current_pid_tgid() >> 32;
		if (!bpf_map_lookup_elem(&tb_inject_tgids, &tgid))
			return 1;
		__u32 *mark = bpf_sk_storage_get(&tb_sk_target, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
		if (mark)
			*mark = tgid;
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
	if (!offered)
		return SK_PASS;
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
