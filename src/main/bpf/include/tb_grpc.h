/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the google.golang.org/grpc server and client probes share: the dynamic types of a transport's
 * net.Conn, and reading a gRPC status.
 *
 * A transport's connection is a net.Conn interface: the raw *net.TCPConn (insecure credentials), or
 * grpc's internal/credentials.syscallConn wrapping the TLS connection and keeping the raw one in its
 * sysConn member. Which one is told by the interface's itab, whose address the agent finds in the
 * binary's symbols (go:itab.<type>,<interface>) and sets before load; without symbols the itabs are
 * unknown and the connection is not read, never guessed.
 */
#ifndef TB_GRPC_H
#define TB_GRPC_H

#include "tb_common.h"
#include "tb_conn.h"

/* itab addresses, 0 when unknown */
const volatile __u64 itab_tcp_conn = 0;          /* go:itab.*net.TCPConn,net.Conn */
const volatile __u64 itab_syscall_conn = 0;      /* go:itab.*google.golang.org/grpc/internal/credentials.syscallConn,net.Conn */
const volatile __u64 itab_status_error = 0;      /* go:itab.*google.golang.org/grpc/internal/status.Error,error */

/*
 * internal/credentials.syscallConn.sysConn, a syscall.Conn. Its itab is made at run time (by a type
 * assertion), so its dynamic type is checked by the itab's type descriptor instead: the one the static
 * *net.TCPConn,net.Conn itab points at.
 */
const volatile __u64 off_syscall_conn_sys = 0;
const volatile __u64 off_itab_type = 0;  /* internal/abi.ITab.Type */
const volatile bool has_syscall_conn = false;

const volatile __u64 off_field_name = 0;  /* hpack.HeaderField.Name */
/* hpack.HeaderField is {Name, Value string; Sensitive bool}: 40 bytes on 64-bit targets, fixed by its definition. */
#define GO_HPACK_FIELD_SIZE 40

/* A status: internal/status.Status.s -> genproto's google.rpc.Status {Code, Message}; has_status when all known. */
const volatile __u64 off_status_s = 0;
const volatile __u64 off_rpc_status_code = 0;
const volatile __u64 off_rpc_status_message = 0;
const volatile bool has_status = false;

/*
 * The fd of the TCP connection in the net.Conn interface at iface, or -1 when its type is not known to be one;
 * *wrapped set when it sits under grpc's syscallConn (TLS: the bytes on the socket are ciphertext).
 */
static __always_inline __s64 grpc_conn_fd(const void *iface, bool *wrapped)
{
	struct { __u64 itab; void *data; } c = {};
	if (!itab_tcp_conn || bpf_probe_read_user(&c, sizeof(c), iface) || !c.itab)
		return -1;
	if (c.itab == itab_syscall_conn && has_syscall_conn) {
		struct { __u64 itab; void *data; } raw = {};
		if (bpf_probe_read_user(&raw, sizeof(raw), (const char *)c.data + off_syscall_conn_sys) || !raw.itab)
			return -1;
		__u64 tcp_type = go_read_ptr((const void *)itab_tcp_conn, off_itab_type);
		if (!tcp_type || go_read_ptr((const void *)raw.itab, off_itab_type) != tcp_type)
			return -1;
		*wrapped = true;
		return tb_conn_fd(raw.data, false);
	}
	if (c.itab != itab_tcp_conn)
		return -1;
	return tb_conn_fd(c.data, false);
}

/*
 * The code of the *internal/status.Status st (a nil google.rpc.Status is OK), its message copied into
 * msg; TB_GRPC_STATUS_UNKNOWN when the status cannot be read.
 */
static __always_inline __s32 grpc_status_code(const void *st, char *msg, __u16 *msg_len)
{
	*msg_len = 0;
	if (!has_status || !st)
		return TB_GRPC_STATUS_UNKNOWN;
	const void *rpc = (const void *)go_read_ptr(st, off_status_s);
	if (!rpc)
		return 0;
	__s32 code = 0;
	if (bpf_probe_read_user(&code, sizeof(code), (const char *)rpc + off_rpc_status_code))
		return TB_GRPC_STATUS_UNKNOWN;
	if (code != 0)
		*msg_len = go_read_string(msg, TB_GRPC_MESSAGE_MAX, rpc, off_rpc_status_message);
	return code;
}

#endif /* TB_GRPC_H */
