// SPDX-License-Identifier: Apache-2.0
/*
 * sizeof/offsetof of the event structs in src/main/bpf/include/tracebee.h, as the compiler lays
 * them out, so a Java test can check the decoder's constants against the header (the single source).
 * Keys: "<struct>" for sizeof, "<struct>.<field>" for offsetof. Add a line when the header grows.
 */
#include <stddef.h>
#include <linux/types.h>

#include "tracebee.h"
#include "tb_jni.h"

struct entry {
	const char *key;
	int value;
};

#define SIZE(s) { #s, (int)sizeof(struct s) }
#define OFF(s, f) { #s "." #f, (int)offsetof(struct s, f) }

static const struct entry entries[] = {
	SIZE(tb_span_context),
	OFF(tb_span_context, trace_id),
	OFF(tb_span_context, span_id),
	OFF(tb_span_context, flags),
	OFF(tb_span_context, origin),

	SIZE(tb_conn),
	OFF(tb_conn, saddr),
	OFF(tb_conn, daddr),
	OFF(tb_conn, sport),
	OFF(tb_conn, dport),
	OFF(tb_conn, netns),
	OFF(tb_conn, inode),

	SIZE(tb_event_header),
	OFF(tb_event_header, kind),
	OFF(tb_event_header, size),
	OFF(tb_event_header, pid),
	OFF(tb_event_header, tid),
	OFF(tb_event_header, start_ns),
	OFF(tb_event_header, end_ns),
	OFF(tb_event_header, goroutine),
	OFF(tb_event_header, target),
	OFF(tb_event_header, sc),
	OFF(tb_event_header, parent),

	SIZE(tb_http_server_event),
	OFF(tb_http_server_event, h),
	OFF(tb_http_server_event, status),
	OFF(tb_http_server_event, proto_major),
	OFF(tb_http_server_event, proto_minor),
	OFF(tb_http_server_event, method_len),
	OFF(tb_http_server_event, path_len),
	OFF(tb_http_server_event, pattern_len),
	OFF(tb_http_server_event, remote_len),
	OFF(tb_http_server_event, host_len),
	OFF(tb_http_server_event, flags),
	OFF(tb_http_server_event, query_len),
	OFF(tb_http_server_event, query),
	OFF(tb_http_server_event, tracestate_len),
	OFF(tb_http_server_event, tracestate),
	OFF(tb_http_server_event, conn),
	OFF(tb_http_server_event, method),
	OFF(tb_http_server_event, path),
	OFF(tb_http_server_event, pattern),
	OFF(tb_http_server_event, remote_addr),
	OFF(tb_http_server_event, host),
	OFF(tb_http_server_event, route_len),
	OFF(tb_http_server_event, route_source),
	OFF(tb_http_server_event, route),

	SIZE(tb_http_client_event),
	OFF(tb_http_client_event, status),
	OFF(tb_http_client_event, proto_major),
	OFF(tb_http_client_event, proto_minor),
	OFF(tb_http_client_event, method_len),
	OFF(tb_http_client_event, scheme_len),
	OFF(tb_http_client_event, host_len),
	OFF(tb_http_client_event, path_len),
	OFF(tb_http_client_event, query_len),
	OFF(tb_http_client_event, flags),
	OFF(tb_http_client_event, method),
	OFF(tb_http_client_event, scheme),
	OFF(tb_http_client_event, host),
	OFF(tb_http_client_event, path),
	OFF(tb_http_client_event, query),
	OFF(tb_http_client_event, conn),

	SIZE(tb_db_event),
	OFF(tb_db_event, query_len),
	OFF(tb_db_event, flags),
	OFF(tb_db_event, query_full_len),
	OFF(tb_db_event, system),
	OFF(tb_db_event, error_type),
	OFF(tb_db_event, code_len),
	OFF(tb_db_event, error_len),
	OFF(tb_db_event, code),
	OFF(tb_db_event, query),
	OFF(tb_db_event, error),

	SIZE(tb_redis_arg),
	OFF(tb_redis_arg, kind),
	OFF(tb_redis_arg, len),
	OFF(tb_redis_arg, full_len),
	OFF(tb_redis_arg, value),
	SIZE(tb_redis_event),
	OFF(tb_redis_event, flags),
	OFF(tb_redis_event, nargs),
	OFF(tb_redis_event, key_pos),
	OFF(tb_redis_event, argc),
	OFF(tb_redis_event, db),
	OFF(tb_redis_event, addr_len),
	OFF(tb_redis_event, error_len),
	OFF(tb_redis_event, addr),
	OFF(tb_redis_event, error),
	OFF(tb_redis_event, args),

	SIZE(tb_kafka_producer_event),
	OFF(tb_kafka_producer_event, offset),
	OFF(tb_kafka_producer_event, partition),
	OFF(tb_kafka_producer_event, batch_count),
	OFF(tb_kafka_producer_event, key_full_len),
	OFF(tb_kafka_producer_event, value_len),
	OFF(tb_kafka_producer_event, topic_len),
	OFF(tb_kafka_producer_event, key_len),
	OFF(tb_kafka_producer_event, flags),
	OFF(tb_kafka_producer_event, topic),
	OFF(tb_kafka_producer_event, key),

	SIZE(tb_kafka_consumer_event),
	OFF(tb_kafka_consumer_event, offset),
	OFF(tb_kafka_consumer_event, partition),
	OFF(tb_kafka_consumer_event, key_full_len),
	OFF(tb_kafka_consumer_event, value_len),
	OFF(tb_kafka_consumer_event, topic_len),
	OFF(tb_kafka_consumer_event, key_len),
	OFF(tb_kafka_consumer_event, group_len),
	OFF(tb_kafka_consumer_event, tracestate_len),
	OFF(tb_kafka_consumer_event, flags),
	OFF(tb_kafka_consumer_event, link),
	OFF(tb_kafka_consumer_event, topic),
	OFF(tb_kafka_consumer_event, key),
	OFF(tb_kafka_consumer_event, group),
	OFF(tb_kafka_consumer_event, tracestate),

	SIZE(tb_grpc_event),
	OFF(tb_grpc_event, side),
	OFF(tb_grpc_event, flags),
	OFF(tb_grpc_event, method_len),
	OFF(tb_grpc_event, authority_len),
	OFF(tb_grpc_event, message_len),
	OFF(tb_grpc_event, tracestate_len),
	OFF(tb_grpc_event, status),
	OFF(tb_grpc_event, stream_id),
	OFF(tb_grpc_event, conn),
	OFF(tb_grpc_event, method),
	OFF(tb_grpc_event, authority),
	OFF(tb_grpc_event, message),
	OFF(tb_grpc_event, tracestate),
	SIZE(tb_manual_span_event),
	OFF(tb_manual_span_event, total_len),
	OFF(tb_manual_span_event, index),
	OFF(tb_manual_span_event, count),
	OFF(tb_manual_span_event, len),
	OFF(tb_manual_span_event, source),
	OFF(tb_manual_span_event, flags),
	OFF(tb_manual_span_event, data),
	SIZE(tb_process_event),
	OFF(tb_process_event, op),
	SIZE(tb_trace_adopt_event),
	OFF(tb_trace_adopt_event, trace_id),
	OFF(tb_span_context, local_root),

	/* Constants of the header, so Java need not restate them either. */
	{ "TB_EV_TRACE_ADOPT", TB_EV_TRACE_ADOPT },
	{ "TB_EV_PROCESS", TB_EV_PROCESS },
	{ "TB_PROCESS_EXEC", TB_PROCESS_EXEC },
	{ "TB_PROCESS_EXIT", TB_PROCESS_EXIT },
	{ "TB_MANUAL_GLOBAL_API", TB_MANUAL_GLOBAL_API },
	{ "TB_GI_START", TB_GI_START },
	{ "TB_GI_NAME", TB_GI_NAME },
	{ "TB_GI_KIND", TB_GI_KIND },
	{ "TB_GI_TIME", TB_GI_TIME },
	{ "TB_GI_ATTR", TB_GI_ATTR },
	{ "TB_GI_STATUS", TB_GI_STATUS },
	{ "TB_GI_EVENT", TB_GI_EVENT },
	{ "TB_GI_ERROR", TB_GI_ERROR },
	{ "TB_GI_LINK", TB_GI_LINK },
	{ "TB_GI_END", TB_GI_END },
	{ "TB_GI_DROPPED", TB_GI_DROPPED },
	{ "TB_GI_SPAN", TB_GI_SPAN },
	{ "TB_GI_NEW_ROOT", TB_GI_NEW_ROOT },
	{ "TB_TRACE_ID_SIZE", TB_TRACE_ID_SIZE },
	{ "TB_SPAN_ID_SIZE", TB_SPAN_ID_SIZE },
	{ "TB_EV_HTTP_SERVER", TB_EV_HTTP_SERVER },
	{ "TB_HTTP_METHOD_MAX", TB_HTTP_METHOD_MAX },
	{ "TB_HTTP_PATH_MAX", TB_HTTP_PATH_MAX },
	{ "TB_HTTP_PATTERN_MAX", TB_HTTP_PATTERN_MAX },
	{ "TB_HTTP_ADDR_MAX", TB_HTTP_ADDR_MAX },
	{ "TB_HTTP_HOST_MAX", TB_HTTP_HOST_MAX },
	{ "TB_HTTP_FLAG_TLS", TB_HTTP_FLAG_TLS },
	{ "TB_HTTP_ROUTE_MAX", TB_HTTP_ROUTE_MAX },
	{ "TB_ROUTE_NONE", TB_ROUTE_NONE },
	{ "TB_ROUTE_GIN", TB_ROUTE_GIN },
	{ "TB_ROUTE_GORILLA", TB_ROUTE_GORILLA },
	{ "TB_EV_HTTP_CLIENT", TB_EV_HTTP_CLIENT },
	{ "TB_HTTP_SCHEME_MAX", TB_HTTP_SCHEME_MAX },
	{ "TB_HTTP_QUERY_MAX", TB_HTTP_QUERY_MAX },
	{ "TB_HTTP_CLIENT_FLAG_ERROR", TB_HTTP_CLIENT_FLAG_ERROR },
	{ "TB_HTTP_CLIENT_FLAG_USERINFO", TB_HTTP_CLIENT_FLAG_USERINFO },
	{ "TB_TRACESTATE_MAX", TB_TRACESTATE_MAX },
	{ "TB_EV_DB_SQL", TB_EV_DB_SQL },
	{ "TB_DB_QUERY_MAX", TB_DB_QUERY_MAX },
	{ "TB_DB_FLAG_ERROR", TB_DB_FLAG_ERROR },
	{ "TB_DB_FLAG_EXEC", TB_DB_FLAG_EXEC },
	{ "TB_DB_FLAG_PREPARED", TB_DB_FLAG_PREPARED },
	{ "TB_DB_ERROR_MAX", TB_DB_ERROR_MAX },
	{ "TB_DB_CODE_MAX", TB_DB_CODE_MAX },
	{ "TB_EV_REDIS", TB_EV_REDIS },
	{ "TB_REDIS_ARGS_MAX", TB_REDIS_ARGS_MAX },
	{ "TB_REDIS_ARG_MAX", TB_REDIS_ARG_MAX },
	{ "TB_REDIS_ADDR_MAX", TB_REDIS_ADDR_MAX },
	{ "TB_REDIS_ERROR_MAX", TB_REDIS_ERROR_MAX },
	{ "TB_REDIS_FLAG_ERROR", TB_REDIS_FLAG_ERROR },
	{ "TB_REDIS_FLAG_PIPELINE", TB_REDIS_FLAG_PIPELINE },
	{ "TB_REDIS_FLAG_TX", TB_REDIS_FLAG_TX },
	{ "TB_REDIS_KIND_BYTES", TB_REDIS_KIND_BYTES },
	{ "TB_EV_GRPC", TB_EV_GRPC },
	{ "TB_GRPC_METHOD_MAX", TB_GRPC_METHOD_MAX },
	{ "TB_GRPC_AUTHORITY_MAX", TB_GRPC_AUTHORITY_MAX },
	{ "TB_GRPC_MESSAGE_MAX", TB_GRPC_MESSAGE_MAX },
	{ "TB_GRPC_STATUS_UNKNOWN", TB_GRPC_STATUS_UNKNOWN },
	{ "TB_GRPC_FLAG_FOREIGN_ERROR", TB_GRPC_FLAG_FOREIGN_ERROR },
	{ "TB_GRPC_FLAG_STREAM", TB_GRPC_FLAG_STREAM },
	{ "TB_GRPC_FLAG_UNREAD", TB_GRPC_FLAG_UNREAD },
	{ "TB_GRPC_SERVER", TB_GRPC_SERVER },
	{ "TB_GRPC_CLIENT", TB_GRPC_CLIENT },
	{ "TB_EV_MANUAL_SPAN", TB_EV_MANUAL_SPAN },
	{ "TB_MANUAL_CHUNK", TB_MANUAL_CHUNK },
	{ "TB_MANUAL_MAX_CHUNKS", TB_MANUAL_MAX_CHUNKS },
	{ "TB_MANUAL_AUTO_SDK", TB_MANUAL_AUTO_SDK },
	{ "TB_MANUAL_FLAG_NO_START", TB_MANUAL_FLAG_NO_START },
	{ "TB_ORIGIN_LOCAL", TB_ORIGIN_LOCAL },
	{ "TB_ORIGIN_HEADER", TB_ORIGIN_HEADER },
	{ "TB_ORIGIN_CONN", TB_ORIGIN_CONN },
	{ "TB_ORIGIN_MESSAGE", TB_ORIGIN_MESSAGE },
	{ "TB_EV_KAFKA_PRODUCER", TB_EV_KAFKA_PRODUCER },
	{ "TB_EV_KAFKA_CONSUMER", TB_EV_KAFKA_CONSUMER },
	{ "TB_KAFKA_TOPIC_MAX", TB_KAFKA_TOPIC_MAX },
	{ "TB_KAFKA_KEY_MAX", TB_KAFKA_KEY_MAX },
	{ "TB_KAFKA_GROUP_MAX", TB_KAFKA_GROUP_MAX },
	{ "TB_KAFKA_FLAG_ERROR", TB_KAFKA_FLAG_ERROR },
	{ "TB_KAFKA_FLAG_TOMBSTONE", TB_KAFKA_FLAG_TOMBSTONE },
	{ "TB_KAFKA_LINK_NONE", TB_KAFKA_LINK_NONE },
	{ "TB_KAFKA_LINK_HEADER", TB_KAFKA_LINK_HEADER },
	{ "TB_KAFKA_LINK_OFFSET", TB_KAFKA_LINK_OFFSET },
	{ "TB_KAFKA_LINK_FINGERPRINT", TB_KAFKA_LINK_FINGERPRINT },
	{ "TB_KAFKA_LINK_AMBIGUOUS", TB_KAFKA_LINK_AMBIGUOUS },
};

#define N_ENTRIES ((int)(sizeof(entries) / sizeof(entries[0])))

jobjectArray JNICALL tb_layoutKeys0(JNIEnv *env, jclass clazz)
{
	const char *keys[N_ENTRIES];

	for (int i = 0; i < N_ENTRIES; i++)
		keys[i] = entries[i].key;
	return tb_string_array(env, keys, N_ENTRIES);
}

jintArray JNICALL tb_layoutValues0(JNIEnv *env, jclass clazz)
{
	jint vals[N_ENTRIES];
	jintArray arr = (*env)->NewIntArray(env, N_ENTRIES);

	if (!arr)
		return NULL;
	for (int i = 0; i < N_ENTRIES; i++)
		vals[i] = entries[i].value;
	(*env)->SetIntArrayRegion(env, arr, 0, N_ENTRIES, vals);
	return arr;
}
