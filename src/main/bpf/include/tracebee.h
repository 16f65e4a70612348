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
	TB_EV_DB_SQL = 3,
	TB_EV_REDIS = 4,
	TB_EV_KAFKA_PRODUCER = 5,
	TB_EV_KAFKA_CONSUMER = 6,
	TB_EV_GRPC = 7,
	TB_EV_MANUAL_SPAN = 8,
	TB_EV_TRACE_ADOPT = 9,
	TB_EV_PROCESS = 10,
};

/* Where a span's parent came from (struct tb_span_context.origin of the parent). */
enum tb_origin {
	TB_ORIGIN_LOCAL = 0,   /* the goroutine's current span, in the same process */
	TB_ORIGIN_HEADER = 1,  /* a W3C traceparent the request carried */
	TB_ORIGIN_CONN = 2,    /* a traced client on this host, matched by TCP connection */
	TB_ORIGIN_MESSAGE = 3, /* a traced producer in another process on this host, matched by message (tb_kafka.h) */
};

/* The W3C span context carried in events. */
struct tb_span_context {
	__u8 trace_id[TB_TRACE_ID_SIZE];
	__u8 span_id[TB_SPAN_ID_SIZE];
	__u8 flags;   /* W3C trace-flags: bit 0 = sampled */
	__u8 origin;  /* enum tb_origin; meaningful in an event's parent */
	__u8 local_root;  /* 1: the span began its trace in this process, with no parent (tb_new_root) */
	__u8 routed;  /* in a goroutine's tb_current_span entry: a router recorded a route for this span (tb_routes.h) */
	__u8 _pad[4];
};

/*
 * A TCP connection as the kernel knows it, from the probed process's side. Addresses are IPv6;
 * IPv4 ones are IPv4-mapped (::ffff:a.b.c.d). All zero when the probe could not read it.
 */
struct tb_conn {
	__u8 saddr[16];  /* local address */
	__u8 daddr[16];  /* peer address */
	__u16 sport;     /* local port */
	__u16 dport;     /* peer port */
	__u32 netns;     /* inode number of the socket's network namespace */
	__u64 inode;     /* the socket's inode number, as in /proc/<pid>/fd: "socket:[inode]" */
};

/*
 * Key of the same-host link map (tb_conn.h): a connection as its client sees it, and the request's
 * HTTP/2 stream on it (0 for HTTP/1.x, which carries one request at a time).
 */
struct tb_link_key {
	__u8 client[16];
	__u8 server[16];
	__u16 client_port;
	__u16 server_port;
	__u32 netns;  /* 0 unless the server address is a loopback one */
	__u32 stream_id;
	__u32 _pad;
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
#define TB_TRACESTATE_MAX 256
#define TB_HTTP_ROUTE_MAX 128

/* Which router matched a server request's route template (struct tb_http_server_event.route_source). */
enum tb_route_source {
	TB_ROUTE_NONE = 0,
	TB_ROUTE_GIN = 1,      /* github.com/gin-gonic/gin: Context.fullPath, e.g. "/users/:id" */
	TB_ROUTE_GORILLA = 2,  /* github.com/gorilla/mux: the route's path template, e.g. "/items/{id:[0-9]+}" */
};

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
	__u16 tracestate_len;  /* bytes valid in tracestate[]; 0 when the request carried none */
	__u16 route_len;    /* bytes valid in route[]; 0 when no framework router matched */
	__u8 route_source;  /* enum tb_route_source */
	__u8 _pad;
	struct tb_conn conn;
	char method[TB_HTTP_METHOD_MAX];
	char path[TB_HTTP_PATH_MAX];
	char pattern[TB_HTTP_PATTERN_MAX];   /* e.g. "GET /hello/{id}" */
	char remote_addr[TB_HTTP_ADDR_MAX];  /* Request.RemoteAddr, "ip:port" */
	char host[TB_HTTP_HOST_MAX];         /* Request.Host, "name[:port]" */
	char query[TB_HTTP_QUERY_MAX];       /* URL.RawQuery, without "?" */
	char tracestate[TB_TRACESTATE_MAX];  /* the W3C tracestate header continued with traceparent */
	char route[TB_HTTP_ROUTE_MAX];       /* a framework's route template, in its own syntax */
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
	struct tb_conn conn;  /* the connection the request went out on (the last one, after retries) */
	char method[TB_HTTP_METHOD_MAX];
	char scheme[TB_HTTP_SCHEME_MAX];
	char host[TB_HTTP_HOST_MAX];     /* URL.Host, "name[:port]" */
	char path[TB_HTTP_PATH_MAX];
	char query[TB_HTTP_QUERY_MAX];   /* URL.RawQuery */
};

#define TB_DB_QUERY_MAX 512
#define TB_DB_ERROR_MAX 256
#define TB_DB_CODE_MAX 8
#define TB_DB_FLAG_ERROR 1      /* the call returned an error */
#define TB_DB_FLAG_EXEC 2       /* ExecContext path (no rows), else a query */
#define TB_DB_FLAG_PREPARED 4   /* a prepared statement (Stmt) ran */

/* database/sql call (DB.queryDC / DB.execDC / Stmt.QueryContext / Stmt.ExecContext), emitted when it returns. */
struct tb_db_event {
	struct tb_event_header h;
	__u16 query_len;  /* bytes valid in query[]; the statement may be longer */
	__u16 flags;      /* TB_DB_FLAG_* */
	__u32 query_full_len;  /* the statement's real length */
	__u8 system;      /* the driver's database system: an index into the agent's list, 0 unknown */
	__u8 error_type;  /* the returned error's dynamic type: an index into the agent's list, 0 unknown */
	__u8 code_len;    /* bytes valid in code[] */
	__u8 pad;
	__u16 error_len;  /* bytes valid in error[] */
	__u16 pad2;
	char code[TB_DB_CODE_MAX];    /* the database's status code, e.g. a SQLSTATE, when the error has one */
	char query[TB_DB_QUERY_MAX];
	char error[TB_DB_ERROR_MAX];  /* the error's message, when its type is known */
};

#define TB_REDIS_ARGS_MAX 8
#define TB_REDIS_ARG_MAX 64
#define TB_REDIS_ADDR_MAX 64
#define TB_REDIS_ERROR_MAX 128
#define TB_REDIS_FLAG_ERROR 1     /* the call returned an error */
#define TB_REDIS_FLAG_PIPELINE 2  /* a pipeline: args[i] is command i's name */
#define TB_REDIS_FLAG_TX 4        /* a MULTI/EXEC transaction pipeline */
#define TB_REDIS_KIND_BYTES 32    /* a []byte argument (Go kinds are 1..26) */

/* One argument of a command, by its dynamic type. */
struct tb_redis_arg {
	__u8 kind;        /* the Go kind of the value (abi.Kind: 24 string, 2..16 numbers, 1 bool), TB_REDIS_KIND_BYTES, 0 unread */
	__u8 len;         /* bytes valid in value[] */
	__u16 pad;
	__u32 full_len;   /* a string's or []byte's real length */
	char value[TB_REDIS_ARG_MAX];  /* text, or a number's little-endian bytes (as many as its size) */
};

/* A go-redis command or pipeline ((*baseClient).process / processPipeline / processTxPipeline), emitted when it returns. */
struct tb_redis_event {
	struct tb_event_header h;
	__u16 flags;      /* TB_REDIS_FLAG_* */
	__u8 nargs;       /* entries valid in args[] */
	__s8 key_pos;     /* the command's key position when not 1 (go-redis baseCmd.keyPos; 0 = default) */
	__u32 argc;       /* the command's argument count, or the pipeline's command count */
	__s64 db;         /* Options.DB, -1 unknown */
	__u16 addr_len;
	__u16 error_len;
	__u32 pad;
	char addr[TB_REDIS_ADDR_MAX];     /* Options.Addr: "host:port", or a unix socket path */
	char error[TB_REDIS_ERROR_MAX];   /* the error's text when it is a string-kinded error (Redis's own replies) */
	struct tb_redis_arg args[TB_REDIS_ARGS_MAX];
};

#define TB_KAFKA_TOPIC_MAX 128
#define TB_KAFKA_KEY_MAX 64
#define TB_KAFKA_GROUP_MAX 128
#define TB_KAFKA_FLAG_ERROR 1      /* WriteMessages returned an error */
#define TB_KAFKA_FLAG_TOMBSTONE 2  /* the message has no value (a null value deletes its key) */

/* How a consumer span found its producer (struct tb_kafka_consumer_event.link). */
enum tb_kafka_link_kind {
	TB_KAFKA_LINK_NONE = 0,         /* no traced producer known: the goroutine's span or a new trace */
	TB_KAFKA_LINK_HEADER = 1,       /* a W3C traceparent header in the message */
	TB_KAFKA_LINK_OFFSET = 2,       /* a traced producer on this host, by topic, partition and offset */
	TB_KAFKA_LINK_FINGERPRINT = 3,  /* ... by content, the only traced send of it in the window */
	TB_KAFKA_LINK_AMBIGUOUS = 4,    /* ... by content, but sent more than once: left unlinked */
};

/* One message of a kafka-go (*Writer).WriteMessages call, emitted when the call returns. */
struct tb_kafka_producer_event {
	struct tb_event_header h;
	__s64 offset;          /* assigned by the broker; -1 when not known at return */
	__s32 partition;       /* -1 when not known at return */
	__u32 batch_count;     /* messages in the call */
	__u32 key_full_len;    /* the key's real length (0: no key) */
	__u32 value_len;
	__u16 topic_len;
	__u16 key_len;         /* bytes valid in key[] */
	__u16 flags;           /* TB_KAFKA_FLAG_* */
	__u16 _pad;
	char topic[TB_KAFKA_TOPIC_MAX];
	char key[TB_KAFKA_KEY_MAX];
};

/* A message returned by kafka-go's (*Reader).FetchMessage, emitted when it returns. */
struct tb_kafka_consumer_event {
	struct tb_event_header h;
	__s64 offset;
	__s32 partition;
	__u32 key_full_len;
	__u32 value_len;
	__u16 topic_len;
	__u16 key_len;
	__u16 group_len;       /* 0 for a reader without a consumer group */
	__u16 tracestate_len;  /* the tracestate header continued with a traceparent one */
	__u16 flags;           /* TB_KAFKA_FLAG_TOMBSTONE */
	__u8 link;             /* enum tb_kafka_link_kind */
	__u8 _pad;
	char topic[TB_KAFKA_TOPIC_MAX];
	char key[TB_KAFKA_KEY_MAX];
	char group[TB_KAFKA_GROUP_MAX];
	char tracestate[TB_TRACESTATE_MAX];
};

#define TB_GRPC_METHOD_MAX 128
#define TB_GRPC_AUTHORITY_MAX 128
#define TB_GRPC_MESSAGE_MAX 128
#define TB_GRPC_STATUS_UNKNOWN -1   /* no status was seen (struct tb_grpc_event.status) */
#define TB_GRPC_FLAG_FOREIGN_ERROR 1 /* client: the call failed with an error that is not a gRPC status */
#define TB_GRPC_FLAG_STREAM 2        /* client: a streaming call (NewStream to the stream's end) */
#define TB_GRPC_FLAG_UNREAD 4        /* client: the stream ended with an error that could not be read (maybe io.EOF) */

/* Which end of a gRPC call an event is (struct tb_grpc_event.side). */
enum tb_grpc_side {
	TB_GRPC_SERVER = 1,
	TB_GRPC_CLIENT = 2,
};

/*
 * A google.golang.org/grpc call: the server's (*Server).handleStream, or the client's (*ClientConn).Invoke or
 * streaming call, emitted when it ends.
 */
struct tb_grpc_event {
	struct tb_event_header h;
	__u8 side;            /* enum tb_grpc_side */
	__u8 flags;           /* TB_GRPC_FLAG_* */
	__u16 method_len;
	__u16 authority_len;
	__u16 message_len;
	__u16 tracestate_len;
	__u16 _pad;
	__s32 status;         /* the gRPC status code, TB_GRPC_STATUS_UNKNOWN when none was seen */
	__u32 stream_id;      /* the call's HTTP/2 stream (a client's last attempt), 0 unknown */
	__u32 _pad2;
	struct tb_conn conn;  /* the transport's TCP connection, zero when not read */
	char method[TB_GRPC_METHOD_MAX];        /* the full method as sent in :path, "/pkg.Service/Method" */
	char authority[TB_GRPC_AUTHORITY_MAX];  /* :authority (server) or the ClientConn's authority, "host:port" */
	char message[TB_GRPC_MESSAGE_MAX];      /* the status message of a non-OK status */
	char tracestate[TB_TRACESTATE_MAX];     /* server: the incoming tracestate continued with traceparent */
};

/*
 * A span the application made by hand, as its SDK serialised it, in chunks: the OpenTelemetry Go Auto SDK
 * hands every ended span to (*span).ended as OTLP/JSON. The header carries the ids tracebee gave it (the
 * SDK cannot know them under lockdown) and its parent; chunk index 0..count-1 of one span come from one
 * program run, in order.
 */
#define TB_MANUAL_CHUNK 4096       /* data bytes per record */
#define TB_MANUAL_MAX_CHUNKS 64    /* a longer buffer is cut here (total_len says by how much) */
#define TB_MANUAL_AUTO_SDK 1       /* struct tb_manual_span_event.source */
#define TB_MANUAL_GLOBAL_API 2     /* ... one call on a span of the OTel global API with no SDK (items below) */
#define TB_MANUAL_FLAG_NO_START 1  /* the span started before the probe was attached: ids made at its end */

struct tb_manual_span_event {
	struct tb_event_header h;
	__u32 total_len;  /* the whole buffer's length */
	__u16 index;      /* this chunk's place */
	__u16 count;      /* chunks sent for the span */
	__u32 len;        /* data bytes in this chunk */
	__u8 source;      /* TB_MANUAL_* */
	__u8 flags;       /* TB_MANUAL_FLAG_* */
	__u16 _pad;
	char data[TB_MANUAL_CHUNK];
};

/*
 * A span made through go.opentelemetry.io/otel's global tracer while no SDK is registered is a non-recording
 * one: global_api.bpf.c rebuilds it from the calls made on it. Every call sends one record (source
 * TB_MANUAL_GLOBAL_API, chunked as above) of items, each a tag byte then its fields, little-endian; a str is
 * a u16 length then that many bytes. The decoder joins a span's records from START to END.
 * ATTR, TIME and DROPPED items belong to the span, or to the event or link the nearest EVENT, ERROR or LINK
 * item before them opened (until a SPAN item).
 */
enum tb_global_item {
	TB_GI_START = 1,     /* str tracer name, str span name */
	TB_GI_NAME = 2,      /* str: SetName */
	TB_GI_KIND = 3,      /* u8 trace.SpanKind */
	TB_GI_TIME = 4,      /* u64 wall, i64 ext: a time.Time the application gave (start, end, event) */
	TB_GI_ATTR = 5,      /* str key, u8 attribute.Type, then BOOL u8 | INT64, FLOAT64 u64 | STRING, BYTESLICE str
			      * | BOOLSLICE u16 n, n u8 | INT64SLICE, FLOAT64SLICE u16 n, n u64 | STRINGSLICE u16 n, n str */
	TB_GI_STATUS = 6,    /* u32 codes.Code, str description */
	TB_GI_EVENT = 7,     /* u64 bpf_ktime_get_ns() of the call, str name */
	TB_GI_ERROR = 8,     /* u64 bpf_ktime_get_ns(), str the error's Go type, str its message (empty when not
			      * readable): RecordError, an "exception" event */
	TB_GI_LINK = 9,      /* 16 trace id, 8 span id, u8 trace flags, u8 remote */
	TB_GI_END = 10,
	TB_GI_DROPPED = 11,  /* u16: attributes left out for want of room */
	TB_GI_SPAN = 12,     /* items after it belong to the span again */
	TB_GI_NEW_ROOT = 13, /* WithNewRoot: the span ignores its context's parent */
};

/*
 * Under lockdown an application's own OpenTelemetry SDK cannot see tracebee's spans, so a span it starts with
 * no parent begins a trace of its own. When that happens inside an automatic span that is itself a local root
 * (otel_sdk.bpf.c), the automatic span's trace takes the SDK's trace id: both land in one trace. h.sc is the
 * automatic span; the agent rewrites its trace id, and that of every span in its trace it assembles from then on.
 */
struct tb_trace_adopt_event {
	struct tb_event_header h;
	__u8 trace_id[TB_TRACE_ID_SIZE];  /* the SDK span's trace id */
};

/*
 * A process the agent waits for (process_watch.bpf.c): one that exec'd a new program while exe-glob targets
 * exist, or a pid target that exited. Only h.pid (the process) and h.start_ns (when) are meaningful.
 */
#define TB_PROCESS_EXEC 1
#define TB_PROCESS_EXIT 2

struct tb_process_event {
	struct tb_event_header h;
	__u32 op;  /* TB_PROCESS_* */
	__u32 _pad;
};

#endif /* TRACEBEE_H */
