/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * TCP connections of Go calls, and same-host context propagation without writing to the target.
 *
 * A Go net.Conn leads to its file descriptor (net.TCPConn -> net.netFD -> poll.FD.Sysfd); the kernel's
 * file table turns that into the socket, whose 4-tuple, network namespace and inode we read with CO-RE
 * (bpf_probe_read_kernel is allowed under lockdown=integrity; only bpf_probe_write_user is not).
 *
 * Linking: when a traced client is about to send a request on a connection it publishes its span
 * context in tb_conn_links under the connection's 4-tuple (client's view). When a traced server
 * on this host starts handling a request it looks the tuple up from its own side (reversed) and takes
 * the entry: the server span becomes the client span's child in the kernel, before the handler runs,
 * so everything the handler does downstream carries the caller's trace id. HTTP/1.x carries one request
 * at a time per connection, and the request's bytes cannot reach the server before the client
 * published, so the entry the server finds is always its own request's. HTTP/2 (gRPC) carries many
 * requests at once on one connection, each on its own stream: the key then includes the stream id,
 * which the client knows before the stream's first bytes leave and which is never reused on a connection.
 */
#ifndef TB_CONN_H
#define TB_CONN_H

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "tb_common.h"

#define TB_AF_INET 2
#define TB_AF_INET6 10
#define TB_SOCK_STREAM 1
#define TB_S_IFMT 00170000
#define TB_S_IFSOCK 0140000

/* Offsets from a net.Conn's data word to the socket's fd; set by the agent before load. */
const volatile __u64 off_tls_conn_conn = 0;  /* crypto/tls.Conn.conn (a net.Conn) */
const volatile __u64 off_net_conn_fd = 0;    /* net.conn.fd, embedded at the start of net.TCPConn */
const volatile __u64 off_netfd_pfd = 0;      /* net.netFD.pfd */
const volatile __u64 off_pollfd_sysfd = 0;   /* internal/poll.FD.Sysfd */

/*
 * The fd behind the data word of a net.Conn interface: a *net.TCPConn, or a *tls.Conn wrapping one.
 * -1 when unreadable. A conn of another type yields a number that the socket checks below reject
 * unless it names a TCP socket of the process by chance.
 */
static __always_inline __s64 tb_conn_fd(void *conn, bool tls)
{
	if (tls)
		conn = go_read_iface_data(conn, off_tls_conn_conn);
	void *netfd = (void *)go_read_ptr(conn, off_net_conn_fd);
	if (!netfd)
		return -1;
	return (__s64)go_read_ptr(netfd, off_netfd_pfd + off_pollfd_sysfd);
}

static __always_inline void tb_v4_mapped(__u8 *dst, __be32 addr)
{
	__builtin_memset(dst, 0, 10);
	dst[10] = 0xff;
	dst[11] = 0xff;
	__builtin_memcpy(dst + 12, &addr, 4);
}

/*
 * The first TB_KEND(type, field) bytes of a kernel struct hold that field: reading a struct's prefix up to the
 * last field wanted is one bpf_probe_read_kernel instead of one per field (each costs ~35 ns here, about as much
 * as a 100-byte read). Offsets are CO-RE relocated, so the verifier sees them as constants.
 */
#define TB_KEND(type, field) (bpf_core_field_offset(type, field) + bpf_core_field_size(type, field))
#define TB_KFIELD(buf, type, field, ctype) (*(ctype *)((buf) + bpf_core_field_offset(type, field)))
#define TB_KBUF 128

/*
 * Reads the TCP connection behind fd of the current process into c; false if fd is not a TCP socket.
 * The task's file table is reached through BTF pointers (plain loads, no helper call); the file, its inode,
 * the socket and its sock_common are read a prefix at a time.
 */
static __always_inline bool tb_read_conn(struct tb_conn *c, __s64 fd)
{
	if (!tb_kernel_reads || fd < 0)
		return false;
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = task->files->fdt;
	if (!fdt || fd >= fdt->max_fds)
		return false;
	struct file **fds = fdt->fd;
	struct file *f = NULL;
	if (bpf_probe_read_kernel(&f, sizeof(f), fds + fd) || !f)
		return false;

	__u8 buf[TB_KBUF] __attribute__((aligned(8)));
	__u32 n = TB_KEND(struct file, f_inode);
	__u32 n2 = TB_KEND(struct file, private_data);
	if (n2 > n)
		n = n2;
	if (n > TB_KBUF || bpf_probe_read_kernel(buf, n, f))
		return false;
	struct inode *inode = TB_KFIELD(buf, struct file, f_inode, struct inode *);
	struct socket *sock = TB_KFIELD(buf, struct file, private_data, struct socket *);

	n = TB_KEND(struct inode, i_mode);
	n2 = TB_KEND(struct inode, i_ino);
	if (n2 > n)
		n = n2;
	if (!inode || n > TB_KBUF || bpf_probe_read_kernel(buf, n, inode))
		return false;
	if ((TB_KFIELD(buf, struct inode, i_mode, umode_t) & TB_S_IFMT) != TB_S_IFSOCK)
		return false;
	__u64 ino = TB_KFIELD(buf, struct inode, i_ino, unsigned long);

	n = TB_KEND(struct socket, type);
	n2 = TB_KEND(struct socket, sk);
	if (n2 > n)
		n = n2;
	if (!sock || n > TB_KBUF || bpf_probe_read_kernel(buf, n, sock))
		return false;
	struct sock *sk = TB_KFIELD(buf, struct socket, sk, struct sock *);
	if (TB_KFIELD(buf, struct socket, type, short) != TB_SOCK_STREAM || !sk)
		return false;

	/* everything wanted of struct sock_common, in one read up to the last of its fields */
	n = TB_KEND(struct sock_common, skc_v6_rcv_saddr);
	n2 = TB_KEND(struct sock_common, skc_v6_daddr);
	if (n2 > n)
		n = n2;
	n2 = TB_KEND(struct sock_common, skc_net.net);
	if (n2 > n)
		n = n2;
	n2 = TB_KEND(struct sock_common, skc_family);
	if (n2 > n)
		n = n2;
	if (n > TB_KBUF || bpf_probe_read_kernel(buf, n, sk))
		return false;
	__u16 family = TB_KFIELD(buf, struct sock_common, skc_family, unsigned short);
	if (family == TB_AF_INET) {
		tb_v4_mapped(c->saddr, TB_KFIELD(buf, struct sock_common, skc_rcv_saddr, __be32));
		tb_v4_mapped(c->daddr, TB_KFIELD(buf, struct sock_common, skc_daddr, __be32));
	} else if (family == TB_AF_INET6) {
		__builtin_memcpy(c->saddr, buf + bpf_core_field_offset(struct sock_common, skc_v6_rcv_saddr), 16);
		__builtin_memcpy(c->daddr, buf + bpf_core_field_offset(struct sock_common, skc_v6_daddr), 16);
	} else {
		return false;
	}
	c->sport = TB_KFIELD(buf, struct sock_common, skc_num, __u16);
	c->dport = bpf_ntohs(TB_KFIELD(buf, struct sock_common, skc_dport, __be16));
	struct net *net = TB_KFIELD(buf, struct sock_common, skc_net.net, struct net *);
	c->netns = BPF_CORE_READ(net, ns.inum);
	c->inode = ino;
	return true;
}

static __always_inline bool tb_is_loopback(const __u8 *a)
{
	bool v4 = a[10] == 0xff && a[11] == 0xff && a[0] == 0 && a[8] == 0;
	if (v4)
		return a[12] == 127;
	for (int i = 0; i < 15; i++)
		if (a[i])
			return false;
	return a[15] == 1;
}

/*
 * The link key of a request on a connection, seen from its client: (client address, server address,
 * HTTP/2 stream id or 0). The network namespace is part of the key only for loopback addresses, which
 * every namespace has; other addresses are the same on both ends even when client and server sit in
 * different namespaces joined by a bridge.
 */
static __always_inline void tb_link_key(struct tb_link_key *k, const __u8 *client, __u16 client_port,
					const __u8 *server, __u16 server_port, __u32 netns, __u32 stream_id)
{
	__builtin_memset(k, 0, sizeof(*k));
	__builtin_memcpy(k->client, client, 16);
	__builtin_memcpy(k->server, server, 16);
	k->client_port = client_port;
	k->server_port = server_port;
	k->netns = tb_is_loopback(server) ? netns : 0;
	k->stream_id = stream_id;
}

/*
 * A client about to send a request on c publishes its span for a server on this host to take. HTTP/2
 * multiplexes requests on one connection, so they are told apart by stream id (0 for HTTP/1.x).
 */
static __always_inline void tb_link_publish(const struct tb_conn *c, __u32 stream_id, const struct tb_span_context *sc)
{
	struct tb_link_key k;
	tb_link_key(&k, c->saddr, c->sport, c->daddr, c->dport, c->netns, stream_id);
	if (bpf_map_update_elem(&tb_conn_links, &k, sc, BPF_ANY) == 0)
		tb_count(TB_CNT_LINK_PUBLISHED);
}

/* The client's call ended: an entry still there was never taken by a traced server. */
static __always_inline void tb_link_withdraw(const struct tb_conn *c, __u32 stream_id)
{
	struct tb_link_key k;
	tb_link_key(&k, c->saddr, c->sport, c->daddr, c->dport, c->netns, stream_id);
	if (bpf_map_delete_elem(&tb_conn_links, &k) == 0)
		tb_count(TB_CNT_LINK_UNMATCHED);
}

/* A server took a request on c: the client's span context, if a traced client on this host sent it. */
static __always_inline bool tb_link_take(const struct tb_conn *c, __u32 stream_id, struct tb_span_context *out)
{
	struct tb_link_key k;
	tb_link_key(&k, c->daddr, c->dport, c->saddr, c->sport, c->netns, stream_id);
	struct tb_span_context *sc = bpf_map_lookup_elem(&tb_conn_links, &k);
	if (!sc)
		return false;
	*out = *sc;
	bpf_map_delete_elem(&tb_conn_links, &k);
	tb_count(TB_CNT_LINK_MATCHED);
	return true;
}

static __always_inline void tb_inject_key_of(struct tb_inject_key *k, const struct tb_conn *c)
{
	__builtin_memcpy(k->local, c->saddr, 16);
	__builtin_memcpy(k->remote, c->daddr, 16);
	k->local_port = c->sport;
	k->remote_port = c->dport;
	k->_pad = 0;
}

static __always_inline char tb_hex_digit(__u8 v)
{
	return v < 10 ? '0' + v : 'a' + v - 10;
}

/* Writes the 55-character W3C traceparent value "00-<trace>-<span>-<flags>" of sc at dst. */
static __always_inline void tb_format_traceparent(char *dst, const struct tb_span_context *sc)
{
	dst[0] = '0';
	dst[1] = '0';
	dst[2] = '-';
	for (int i = 0; i < TB_TRACE_ID_SIZE; i++) {
		dst[3 + 2 * i] = tb_hex_digit(sc->trace_id[i] >> 4);
		dst[4 + 2 * i] = tb_hex_digit(sc->trace_id[i] & 15);
	}
	dst[35] = '-';
	for (int i = 0; i < TB_SPAN_ID_SIZE; i++) {
		dst[36 + 2 * i] = tb_hex_digit(sc->span_id[i] >> 4);
		dst[37 + 2 * i] = tb_hex_digit(sc->span_id[i] & 15);
	}
	dst[52] = '-';
	dst[53] = tb_hex_digit(sc->flags >> 4);
	dst[54] = tb_hex_digit(sc->flags & 15);
}

/* Puts process tgid's TCP connections from now on under the sk_msg program (http_inject.bpf.c). */
static __always_inline void tb_inject_register(__u32 tgid)
{
	struct tb_tgid_key k = {.tgid = tgid};
	__u8 one = 1;
	if (tb_inject_enabled && !bpf_map_lookup_elem(&tb_inject_tgids, &k))
		bpf_map_update_elem(&tb_inject_tgids, &k, &one, BPF_ANY);
}

/* Offers "traceparent: 00-<trace>-<span>-<flags>" for the next request sent on connection c. */
static __always_inline void tb_inject_offer(const struct tb_conn *c, const struct tb_span_context *sc)
{
	struct tb_inject_key k;
	struct tb_inject_line v = {};
	tb_inject_key_of(&k, c);
	__builtin_memcpy(v.line, "traceparent: ", 13);
	tb_format_traceparent(v.line + 13, sc);
	v.line[68] = '\r';
	v.line[69] = '\n';
	bpf_map_update_elem(&tb_inject, &k, &v, BPF_ANY);
}

/* Offers sc's traceparent as an HPACK field for HTTP/2 stream stream_id of connection c. */
static __always_inline void tb_h2_inject_offer(const struct tb_conn *c, __u32 stream_id, const struct tb_span_context *sc)
{
	struct tb_h2_inject_key k = {.stream_id = stream_id};
	struct tb_h2_field v = {};
	tb_inject_key_of(&k.conn, c);
	v.b[0] = 0x00;
	v.b[1] = 0x0b;
	__builtin_memcpy(v.b + 2, "traceparent", 11);
	v.b[13] = 0x37;
	tb_format_traceparent(v.b + 14, sc);
	bpf_map_update_elem(&tb_h2_inject, &k, &v, BPF_ANY);
}

/* The stream ended: an offer still there was never written (counted). */
static __always_inline void tb_h2_inject_withdraw(const struct tb_conn *c, __u32 stream_id)
{
	struct tb_h2_inject_key k = {.stream_id = stream_id};
	tb_inject_key_of(&k.conn, c);
	if (bpf_map_delete_elem(&tb_h2_inject, &k) == 0)
		tb_count(TB_CNT_INJECT_FAILED);
}

/* The call ended: an offer still there was never written (counted). */
static __always_inline void tb_inject_withdraw(const struct tb_conn *c)
{
	struct tb_inject_key k;
	tb_inject_key_of(&k, c);
	if (bpf_map_delete_elem(&tb_inject, &k) == 0)
		tb_count(TB_CNT_INJECT_FAILED);
}

#endif /* TB_CONN_H */
