/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Event layouts shared by every tracebee BPF program and the Java decoder.
 * This header is the single source of truth: the JNI library exports
 * sizeof/offsetof of these structs and a test checks the Java constants.
 */
#ifndef TRACEBEE_H
#define TRACEBEE_H

#define TB_TRACE_ID_SIZE 16
#define TB_SPAN_ID_SIZE 8

/* Event kinds (struct tb_event_header.kind). */
enum tb_event_kind {
	TB_EV_HTTP_SERVER = 1,
	TB_EV_HTTP_CLIENT = 2,
};

/* The W3C span context carried in events. */
struct tb_span_context {
	__u8 trace_id[TB_TRACE_ID_SIZE];
	__u8 span_id[TB_SPAN_ID_SIZE];
	__u8 flags;   /* W3C trace-flags: bit 0 = sampled */
	__u8 _pad[7];
};

/* Common header: first bytes of every ring-buffer record. */
struct tb_event_header {
	__u32 kind;      /* enum tb_event_kind */
	__u32 size;      /* total record size in bytes, header included */
	__u32 pid;       /* tgid of the target process */
	__u32 tid;       /* kernel thread id */
	__u64 start_ns;  /* bpf_ktime_get_ns() at function entry (CLOCK_MONOTONIC) */
	__u64 end_ns;    /* bpf_ktime_get_ns() at function return */
	__u64 goroutine; /* runtime.g pointer of the goroutine (r14 on amd64) */
	__u64 target;    /* the agent's target id: the uprobe's BPF cookie */
	struct tb_span_context sc;      /* this span */
	struct tb_span_context parent;  /* parent span; all-zero span_id = root */
};

#define TB_HTTP_METHOD_MAX 16
#define TB_HTTP_PATH_MAX 128
#define TB_HTTP_PATTERN_MAX 128
#define TB_HTTP_ADDR_MAX 64
#define TB_HTTP_HOST_MAX 128

#define TB_HTTP_FLAG_TLS 1  /* the request arrived over TLS */
#define TB_HTTP_SCHEME_MAX 8
#define TB_HTTP_QUERY_MAX 128

/* net/http server request, emitted when serverHandler.ServeHTTP returns. */
struct tb_http_server_event {
	struct tb_event_header h;
	__u16 status;       /* response status code; 0 = handler wrote nothing (Go sends 200) */
	__u8 proto_major;
	__u8 proto_minor;
	__u16 method_len;   /* bytes valid in method[] */
	__u16 path_len;
	__u16 pattern_len;  /* 0 when the request did not go through a Go 1.22+ ServeMux pattern */
	__u16 remote_len;
	__u16 host_len;
	__u16 flags;        /* TB_HTTP_FLAG_* */
	__u16 query_len;
	__u16 _pad[3];
	char method[TB_HTTP_METHOD_MAX];
	char path[TB_HTTP_PATH_MAX];
	char pattern[TB_HTTP_PATTERN_MAX];   /* e.g. "GET /hello/{id}" */
	char remote_addr[TB_HTTP_ADDR_MAX];  /* Request.RemoteAddr, "ip:port" */
	char host[TB_HTTP_HOST_MAX];         /* Request.Host, "name[:port]" */
	char query[TB_HTTP_QUERY_MAX];       /* URL.RawQuery, without "?" */
};

#define TB_HTTP_CLIENT_FLAG_ERROR 1     /* roundTrip returned an error (no response) */
#define TB_HTTP_CLIENT_FLAG_USERINFO 2  /* the URL carried user:password (never copied) */

/* net/http client request, emitted when Transport.roundTrip returns. */
struct tb_http_client_event {
	struct tb_event_header h;
	__u16 status;       /* Response.StatusCode; 0 without a response */
	__u8 proto_major;   /* of the response */
	__u8 proto_minor;
	__u16 method_len;
	__u16 scheme_len;
	__u16 host_len;
	__u16 path_len;
	__u16 query_len;
	__u16 flags;        /* TB_HTTP_CLIENT_FLAG_* */
	char method[TB_HTTP_METHOD_MAX];
	char scheme[TB_HTTP_SCHEME_MAX];
	char host[TB_HTTP_HOST_MAX];     /* URL.Host, "name[:port]" */
	char path[TB_HTTP_PATH_MAX];
	char query[TB_HTTP_QUERY_MAX];   /* URL.RawQuery */
};

#endif /* TRACEBEE_H */
