package io.tracebee.decode;

import static io.tracebee.decode.EventLayout.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.bpf.BpfTestSupport;
import io.tracebee.bpf.EventLayoutNative;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The decoder's layout constants must match what the C compiler made of tracebee.h. */
class EventLayoutTest {
    @BeforeEach
    void requireLibrary() {
        BpfTestSupport.assumeNativeLibrary();
    }

    @Test
    void spanContext() {
        assertThat(SC_TRACE_ID).isEqualTo(off("tb_span_context", "trace_id"));
        assertThat(SC_SPAN_ID).isEqualTo(off("tb_span_context", "span_id"));
        assertThat(SC_FLAGS).isEqualTo(off("tb_span_context", "flags"));
        assertThat(SC_ORIGIN).isEqualTo(off("tb_span_context", "origin"));
        assertThat(ORIGIN_LOCAL).isEqualTo(EventLayoutNative.constant("TB_ORIGIN_LOCAL"));
        assertThat(ORIGIN_HEADER).isEqualTo(EventLayoutNative.constant("TB_ORIGIN_HEADER"));
        assertThat(ORIGIN_CONN).isEqualTo(EventLayoutNative.constant("TB_ORIGIN_CONN"));
        assertThat(ORIGIN_MESSAGE).isEqualTo(EventLayoutNative.constant("TB_ORIGIN_MESSAGE"));
        assertThat(SC_SIZE).isEqualTo(EventLayoutNative.sizeOf("tb_span_context"));
        assertThat(TRACE_ID_SIZE).isEqualTo(EventLayoutNative.constant("TB_TRACE_ID_SIZE"));
        assertThat(SPAN_ID_SIZE).isEqualTo(EventLayoutNative.constant("TB_SPAN_ID_SIZE"));
    }

    @Test
    void connection() {
        String c = "tb_conn";
        assertThat(CONN_SADDR).isEqualTo(off(c, "saddr"));
        assertThat(CONN_DADDR).isEqualTo(off(c, "daddr"));
        assertThat(CONN_SPORT).isEqualTo(off(c, "sport"));
        assertThat(CONN_DPORT).isEqualTo(off(c, "dport"));
        assertThat(CONN_NETNS).isEqualTo(off(c, "netns"));
        assertThat(CONN_INODE).isEqualTo(off(c, "inode"));
        assertThat(CONN_SIZE).isEqualTo(EventLayoutNative.sizeOf(c));
    }

    @Test
    void header() {
        String h = "tb_event_header";
        assertThat(H_KIND).isEqualTo(off(h, "kind"));
        assertThat(H_SIZE).isEqualTo(off(h, "size"));
        assertThat(H_PID).isEqualTo(off(h, "pid"));
        assertThat(H_TID).isEqualTo(off(h, "tid"));
        assertThat(H_START_NS).isEqualTo(off(h, "start_ns"));
        assertThat(H_END_NS).isEqualTo(off(h, "end_ns"));
        assertThat(H_GOROUTINE).isEqualTo(off(h, "goroutine"));
        assertThat(H_TARGET).isEqualTo(off(h, "target"));
        assertThat(H_SC).isEqualTo(off(h, "sc"));
        assertThat(H_PARENT).isEqualTo(off(h, "parent"));
        assertThat(HEADER_SIZE).isEqualTo(EventLayoutNative.sizeOf(h));
    }

    @Test
    void httpServerEvent() {
        String e = "tb_http_server_event";
        assertThat(KIND_HTTP_SERVER).isEqualTo(EventLayoutNative.constant("TB_EV_HTTP_SERVER"));
        assertThat(HS_STATUS).isEqualTo(off(e, "status"));
        assertThat(HS_PROTO_MAJOR).isEqualTo(off(e, "proto_major"));
        assertThat(HS_PROTO_MINOR).isEqualTo(off(e, "proto_minor"));
        assertThat(HS_METHOD_LEN).isEqualTo(off(e, "method_len"));
        assertThat(HS_PATH_LEN).isEqualTo(off(e, "path_len"));
        assertThat(HS_PATTERN_LEN).isEqualTo(off(e, "pattern_len"));
        assertThat(HS_REMOTE_LEN).isEqualTo(off(e, "remote_len"));
        assertThat(HS_HOST_LEN).isEqualTo(off(e, "host_len"));
        assertThat(HS_FLAGS).isEqualTo(off(e, "flags"));
        assertThat(HS_METHOD).isEqualTo(off(e, "method"));
        assertThat(HS_PATH).isEqualTo(off(e, "path"));
        assertThat(HS_PATTERN).isEqualTo(off(e, "pattern"));
        assertThat(HS_REMOTE_ADDR).isEqualTo(off(e, "remote_addr"));
        assertThat(HS_HOST).isEqualTo(off(e, "host"));
        assertThat(HS_QUERY_LEN).isEqualTo(off(e, "query_len"));
        assertThat(HS_QUERY).isEqualTo(off(e, "query"));
        assertThat(HS_TRACESTATE_LEN).isEqualTo(off(e, "tracestate_len"));
        assertThat(HS_TRACESTATE).isEqualTo(off(e, "tracestate"));
        assertThat(HS_CONN).isEqualTo(off(e, "conn"));
        assertThat(TRACESTATE_MAX).isEqualTo(EventLayoutNative.constant("TB_TRACESTATE_MAX"));
        assertThat(HS_ROUTE_LEN).isEqualTo(off(e, "route_len"));
        assertThat(HS_ROUTE_SOURCE).isEqualTo(off(e, "route_source"));
        assertThat(HS_ROUTE).isEqualTo(off(e, "route"));
        assertThat(HTTP_ROUTE_MAX).isEqualTo(EventLayoutNative.constant("TB_HTTP_ROUTE_MAX"));
        assertThat(ROUTE_NONE).isEqualTo(EventLayoutNative.constant("TB_ROUTE_NONE"));
        assertThat(ROUTE_GIN).isEqualTo(EventLayoutNative.constant("TB_ROUTE_GIN"));
        assertThat(ROUTE_GORILLA).isEqualTo(EventLayoutNative.constant("TB_ROUTE_GORILLA"));
        assertThat(HTTP_SERVER_SIZE).isEqualTo(EventLayoutNative.sizeOf(e));
        assertThat(HTTP_METHOD_MAX).isEqualTo(EventLayoutNative.constant("TB_HTTP_METHOD_MAX"));
        assertThat(HTTP_PATH_MAX).isEqualTo(EventLayoutNative.constant("TB_HTTP_PATH_MAX"));
        assertThat(HTTP_PATTERN_MAX).isEqualTo(EventLayoutNative.constant("TB_HTTP_PATTERN_MAX"));
        assertThat(HTTP_ADDR_MAX).isEqualTo(EventLayoutNative.constant("TB_HTTP_ADDR_MAX"));
        assertThat(HTTP_HOST_MAX).isEqualTo(EventLayoutNative.constant("TB_HTTP_HOST_MAX"));
        assertThat(HTTP_FLAG_TLS).isEqualTo(EventLayoutNative.constant("TB_HTTP_FLAG_TLS"));
    }

    @Test
    void httpClientEvent() {
        String e = "tb_http_client_event";
        assertThat(KIND_HTTP_CLIENT).isEqualTo(EventLayoutNative.constant("TB_EV_HTTP_CLIENT"));
        assertThat(HC_STATUS).isEqualTo(off(e, "status"));
        assertThat(HC_PROTO_MAJOR).isEqualTo(off(e, "proto_major"));
        assertThat(HC_PROTO_MINOR).isEqualTo(off(e, "proto_minor"));
        assertThat(HC_METHOD_LEN).isEqualTo(off(e, "method_len"));
        assertThat(HC_SCHEME_LEN).isEqualTo(off(e, "scheme_len"));
        assertThat(HC_HOST_LEN).isEqualTo(off(e, "host_len"));
        assertThat(HC_PATH_LEN).isEqualTo(off(e, "path_len"));
        assertThat(HC_QUERY_LEN).isEqualTo(off(e, "query_len"));
        assertThat(HC_FLAGS).isEqualTo(off(e, "flags"));
        assertThat(HC_METHOD).isEqualTo(off(e, "method"));
        assertThat(HC_SCHEME).isEqualTo(off(e, "scheme"));
        assertThat(HC_HOST).isEqualTo(off(e, "host"));
        assertThat(HC_PATH).isEqualTo(off(e, "path"));
        assertThat(HC_QUERY).isEqualTo(off(e, "query"));
        assertThat(HC_CONN).isEqualTo(off(e, "conn"));
        assertThat(HTTP_CLIENT_SIZE).isEqualTo(EventLayoutNative.sizeOf(e));
        assertThat(HTTP_SCHEME_MAX).isEqualTo(EventLayoutNative.constant("TB_HTTP_SCHEME_MAX"));
        assertThat(HTTP_QUERY_MAX).isEqualTo(EventLayoutNative.constant("TB_HTTP_QUERY_MAX"));
        assertThat(HTTP_CLIENT_FLAG_ERROR).isEqualTo(EventLayoutNative.constant("TB_HTTP_CLIENT_FLAG_ERROR"));
        assertThat(HTTP_CLIENT_FLAG_USERINFO).isEqualTo(EventLayoutNative.constant("TB_HTTP_CLIENT_FLAG_USERINFO"));
    }

    @Test
    void kafkaProducerEvent() {
        String e = "tb_kafka_producer_event";
        assertThat(KIND_KAFKA_PRODUCER).isEqualTo(EventLayoutNative.constant("TB_EV_KAFKA_PRODUCER"));
        assertThat(KP_OFFSET).isEqualTo(off(e, "offset"));
        assertThat(KP_PARTITION).isEqualTo(off(e, "partition"));
        assertThat(KP_BATCH_COUNT).isEqualTo(off(e, "batch_count"));
        assertThat(KP_KEY_FULL_LEN).isEqualTo(off(e, "key_full_len"));
        assertThat(KP_VALUE_LEN).isEqualTo(off(e, "value_len"));
        assertThat(KP_TOPIC_LEN).isEqualTo(off(e, "topic_len"));
        assertThat(KP_KEY_LEN).isEqualTo(off(e, "key_len"));
        assertThat(KP_FLAGS).isEqualTo(off(e, "flags"));
        assertThat(KP_TOPIC).isEqualTo(off(e, "topic"));
        assertThat(KP_KEY).isEqualTo(off(e, "key"));
        assertThat(KAFKA_PRODUCER_SIZE).isEqualTo(EventLayoutNative.sizeOf(e));
        assertThat(KAFKA_TOPIC_MAX).isEqualTo(EventLayoutNative.constant("TB_KAFKA_TOPIC_MAX"));
        assertThat(KAFKA_KEY_MAX).isEqualTo(EventLayoutNative.constant("TB_KAFKA_KEY_MAX"));
        assertThat(KAFKA_FLAG_ERROR).isEqualTo(EventLayoutNative.constant("TB_KAFKA_FLAG_ERROR"));
        assertThat(KAFKA_FLAG_TOMBSTONE).isEqualTo(EventLayoutNative.constant("TB_KAFKA_FLAG_TOMBSTONE"));
    }

    @Test
    void kafkaConsumerEvent() {
        String e = "tb_kafka_consumer_event";
        assertThat(KIND_KAFKA_CONSUMER).isEqualTo(EventLayoutNative.constant("TB_EV_KAFKA_CONSUMER"));
        assertThat(KC_OFFSET).isEqualTo(off(e, "offset"));
        assertThat(KC_PARTITION).isEqualTo(off(e, "partition"));
        assertThat(KC_KEY_FULL_LEN).isEqualTo(off(e, "key_full_len"));
        assertThat(KC_VALUE_LEN).isEqualTo(off(e, "value_len"));
        assertThat(KC_TOPIC_LEN).isEqualTo(off(e, "topic_len"));
        assertThat(KC_KEY_LEN).isEqualTo(off(e, "key_len"));
        assertThat(KC_GROUP_LEN).isEqualTo(off(e, "group_len"));
        assertThat(KC_TRACESTATE_LEN).isEqualTo(off(e, "tracestate_len"));
        assertThat(KC_FLAGS).isEqualTo(off(e, "flags"));
        assertThat(KC_LINK).isEqualTo(off(e, "link"));
        assertThat(KC_TOPIC).isEqualTo(off(e, "topic"));
        assertThat(KC_KEY).isEqualTo(off(e, "key"));
        assertThat(KC_GROUP).isEqualTo(off(e, "group"));
        assertThat(KC_TRACESTATE).isEqualTo(off(e, "tracestate"));
        assertThat(KAFKA_CONSUMER_SIZE).isEqualTo(EventLayoutNative.sizeOf(e));
        assertThat(KAFKA_GROUP_MAX).isEqualTo(EventLayoutNative.constant("TB_KAFKA_GROUP_MAX"));
        assertThat(KAFKA_LINK_NONE).isEqualTo(EventLayoutNative.constant("TB_KAFKA_LINK_NONE"));
        assertThat(KAFKA_LINK_HEADER).isEqualTo(EventLayoutNative.constant("TB_KAFKA_LINK_HEADER"));
        assertThat(KAFKA_LINK_OFFSET).isEqualTo(EventLayoutNative.constant("TB_KAFKA_LINK_OFFSET"));
        assertThat(KAFKA_LINK_FINGERPRINT).isEqualTo(EventLayoutNative.constant("TB_KAFKA_LINK_FINGERPRINT"));
        assertThat(KAFKA_LINK_AMBIGUOUS).isEqualTo(EventLayoutNative.constant("TB_KAFKA_LINK_AMBIGUOUS"));
        // KafkaConsumerEvent.Link is decoded by ordinal
        assertThat(KafkaConsumerEvent.Link.values()).extracting(Enum::ordinal).containsExactly(KAFKA_LINK_NONE,
                KAFKA_LINK_HEADER, KAFKA_LINK_OFFSET, KAFKA_LINK_FINGERPRINT, KAFKA_LINK_AMBIGUOUS);
    }

    @Test
    void dbEvent() {
        String e = "tb_db_event";
        assertThat(KIND_DB_SQL).isEqualTo(EventLayoutNative.constant("TB_EV_DB_SQL"));
        assertThat(DB_QUERY_LEN).isEqualTo(off(e, "query_len"));
        assertThat(DB_FLAGS).isEqualTo(off(e, "flags"));
        assertThat(DB_QUERY_FULL_LEN).isEqualTo(off(e, "query_full_len"));
        assertThat(DB_SYSTEM).isEqualTo(off(e, "system"));
        assertThat(DB_ERROR_TYPE).isEqualTo(off(e, "error_type"));
        assertThat(DB_CODE_LEN).isEqualTo(off(e, "code_len"));
        assertThat(DB_ERROR_LEN).isEqualTo(off(e, "error_len"));
        assertThat(DB_CODE).isEqualTo(off(e, "code"));
        assertThat(DB_QUERY).isEqualTo(off(e, "query"));
        assertThat(DB_ERROR).isEqualTo(off(e, "error"));
        assertThat(DB_SIZE).isEqualTo(EventLayoutNative.sizeOf(e));
        assertThat(DB_QUERY_MAX).isEqualTo(EventLayoutNative.constant("TB_DB_QUERY_MAX"));
        assertThat(DB_FLAG_ERROR).isEqualTo(EventLayoutNative.constant("TB_DB_FLAG_ERROR"));
        assertThat(DB_FLAG_EXEC).isEqualTo(EventLayoutNative.constant("TB_DB_FLAG_EXEC"));
        assertThat(DB_FLAG_PREPARED).isEqualTo(EventLayoutNative.constant("TB_DB_FLAG_PREPARED"));
        assertThat(DB_ERROR_MAX).isEqualTo(EventLayoutNative.constant("TB_DB_ERROR_MAX"));
        assertThat(DB_CODE_MAX).isEqualTo(EventLayoutNative.constant("TB_DB_CODE_MAX"));
    }

    @Test
    void redisEvent() {
        String a = "tb_redis_arg";
        assertThat(REDIS_ARG_KIND).isEqualTo(off(a, "kind"));
        assertThat(REDIS_ARG_LEN).isEqualTo(off(a, "len"));
        assertThat(REDIS_ARG_FULL_LEN).isEqualTo(off(a, "full_len"));
        assertThat(REDIS_ARG_VALUE).isEqualTo(off(a, "value"));
        assertThat(REDIS_ARG_SIZE).isEqualTo(EventLayoutNative.sizeOf(a));
        String e = "tb_redis_event";
        assertThat(KIND_REDIS).isEqualTo(EventLayoutNative.constant("TB_EV_REDIS"));
        assertThat(REDIS_FLAGS).isEqualTo(off(e, "flags"));
        assertThat(REDIS_NARGS).isEqualTo(off(e, "nargs"));
        assertThat(REDIS_KEY_POS).isEqualTo(off(e, "key_pos"));
        assertThat(REDIS_ARGC).isEqualTo(off(e, "argc"));
        assertThat(REDIS_DB).isEqualTo(off(e, "db"));
        assertThat(REDIS_ADDR_LEN).isEqualTo(off(e, "addr_len"));
        assertThat(REDIS_ERROR_LEN).isEqualTo(off(e, "error_len"));
        assertThat(REDIS_ADDR).isEqualTo(off(e, "addr"));
        assertThat(REDIS_ERROR).isEqualTo(off(e, "error"));
        assertThat(REDIS_ARGS).isEqualTo(off(e, "args"));
        assertThat(REDIS_SIZE).isEqualTo(EventLayoutNative.sizeOf(e));
        assertThat(REDIS_ARGS_MAX).isEqualTo(EventLayoutNative.constant("TB_REDIS_ARGS_MAX"));
        assertThat(REDIS_ARG_MAX).isEqualTo(EventLayoutNative.constant("TB_REDIS_ARG_MAX"));
        assertThat(REDIS_ADDR_MAX).isEqualTo(EventLayoutNative.constant("TB_REDIS_ADDR_MAX"));
        assertThat(REDIS_ERROR_MAX).isEqualTo(EventLayoutNative.constant("TB_REDIS_ERROR_MAX"));
        assertThat(REDIS_FLAG_ERROR).isEqualTo(EventLayoutNative.constant("TB_REDIS_FLAG_ERROR"));
        assertThat(REDIS_FLAG_PIPELINE).isEqualTo(EventLayoutNative.constant("TB_REDIS_FLAG_PIPELINE"));
        assertThat(REDIS_FLAG_TX).isEqualTo(EventLayoutNative.constant("TB_REDIS_FLAG_TX"));
        assertThat(REDIS_KIND_BYTES).isEqualTo(EventLayoutNative.constant("TB_REDIS_KIND_BYTES"));
    }

    @Test
    void grpcEvent() {
        String e = "tb_grpc_event";
        assertThat(KIND_GRPC).isEqualTo(EventLayoutNative.constant("TB_EV_GRPC"));
        assertThat(GRPC_SIDE).isEqualTo(off(e, "side"));
        assertThat(GRPC_FLAGS).isEqualTo(off(e, "flags"));
        assertThat(GRPC_METHOD_LEN).isEqualTo(off(e, "method_len"));
        assertThat(GRPC_AUTHORITY_LEN).isEqualTo(off(e, "authority_len"));
        assertThat(GRPC_MESSAGE_LEN).isEqualTo(off(e, "message_len"));
        assertThat(GRPC_TRACESTATE_LEN).isEqualTo(off(e, "tracestate_len"));
        assertThat(GRPC_STATUS).isEqualTo(off(e, "status"));
        assertThat(GRPC_STREAM_ID).isEqualTo(off(e, "stream_id"));
        assertThat(GRPC_CONN).isEqualTo(off(e, "conn"));
        assertThat(GRPC_METHOD).isEqualTo(off(e, "method"));
        assertThat(GRPC_AUTHORITY).isEqualTo(off(e, "authority"));
        assertThat(GRPC_MESSAGE).isEqualTo(off(e, "message"));
        assertThat(GRPC_TRACESTATE).isEqualTo(off(e, "tracestate"));
        assertThat(GRPC_SIZE).isEqualTo(EventLayoutNative.sizeOf(e));
        assertThat(GRPC_METHOD_MAX).isEqualTo(EventLayoutNative.constant("TB_GRPC_METHOD_MAX"));
        assertThat(GRPC_AUTHORITY_MAX).isEqualTo(EventLayoutNative.constant("TB_GRPC_AUTHORITY_MAX"));
        assertThat(GRPC_MESSAGE_MAX).isEqualTo(EventLayoutNative.constant("TB_GRPC_MESSAGE_MAX"));
        assertThat(GRPC_STATUS_UNKNOWN).isEqualTo(EventLayoutNative.constant("TB_GRPC_STATUS_UNKNOWN"));
        assertThat(GRPC_FLAG_FOREIGN_ERROR).isEqualTo(EventLayoutNative.constant("TB_GRPC_FLAG_FOREIGN_ERROR"));
        assertThat(GRPC_FLAG_STREAM).isEqualTo(EventLayoutNative.constant("TB_GRPC_FLAG_STREAM"));
        assertThat(GRPC_FLAG_UNREAD).isEqualTo(EventLayoutNative.constant("TB_GRPC_FLAG_UNREAD"));
        assertThat(GRPC_SERVER).isEqualTo(EventLayoutNative.constant("TB_GRPC_SERVER"));
        assertThat(GRPC_CLIENT).isEqualTo(EventLayoutNative.constant("TB_GRPC_CLIENT"));
    }

    @Test
    void manualSpanEvent() {
        String e = "tb_manual_span_event";
        assertThat(KIND_MANUAL_SPAN).isEqualTo(EventLayoutNative.constant("TB_EV_MANUAL_SPAN"));
        assertThat(MANUAL_TOTAL_LEN).isEqualTo(off(e, "total_len"));
        assertThat(MANUAL_INDEX).isEqualTo(off(e, "index"));
        assertThat(MANUAL_COUNT).isEqualTo(off(e, "count"));
        assertThat(MANUAL_LEN).isEqualTo(off(e, "len"));
        assertThat(MANUAL_SOURCE).isEqualTo(off(e, "source"));
        assertThat(MANUAL_FLAGS).isEqualTo(off(e, "flags"));
        assertThat(MANUAL_DATA).isEqualTo(off(e, "data"));
        assertThat(MANUAL_SIZE).isEqualTo(EventLayoutNative.sizeOf(e));
        assertThat(MANUAL_GLOBAL_API).isEqualTo(EventLayoutNative.constant("TB_MANUAL_GLOBAL_API"));
        int[] items = {GI_START, GI_NAME, GI_KIND, GI_TIME, GI_ATTR, GI_STATUS, GI_EVENT, GI_ERROR, GI_LINK, GI_END,
            GI_DROPPED, GI_SPAN, GI_NEW_ROOT};
        String[] names = {"START", "NAME", "KIND", "TIME", "ATTR", "STATUS", "EVENT", "ERROR", "LINK", "END", "DROPPED",
            "SPAN", "NEW_ROOT"};
        for (int i = 0; i < items.length; i++) {
            assertThat(items[i]).as(names[i]).isEqualTo(EventLayoutNative.constant("TB_GI_" + names[i]));
        }
    }

    @Test
    void processEventMatchesTheHeader() {
        assertThat(KIND_PROCESS).isEqualTo(EventLayoutNative.constant("TB_EV_PROCESS"));
        assertThat(PROCESS_EXEC).isEqualTo(EventLayoutNative.constant("TB_PROCESS_EXEC"));
        assertThat(PROCESS_EXIT).isEqualTo(EventLayoutNative.constant("TB_PROCESS_EXIT"));
        assertThat(PROCESS_OP).isEqualTo(off("tb_process_event", "op"));
        assertThat(PROCESS_SIZE).isEqualTo(EventLayoutNative.sizeOf("tb_process_event"));
    }

    @Test
    void traceAdoptEventMatchesTheHeader() {
        String e = "tb_trace_adopt_event";
        assertThat(KIND_TRACE_ADOPT).isEqualTo(EventLayoutNative.constant("TB_EV_TRACE_ADOPT"));
        assertThat(ADOPT_TRACE_ID).isEqualTo(off(e, "trace_id"));
        assertThat(ADOPT_SIZE).isEqualTo(EventLayoutNative.sizeOf(e));
        assertThat(SC_LOCAL_ROOT).isEqualTo(off("tb_span_context", "local_root"));
        assertThat(MANUAL_CHUNK).isEqualTo(EventLayoutNative.constant("TB_MANUAL_CHUNK"));
        assertThat(MANUAL_MAX_CHUNKS).isEqualTo(EventLayoutNative.constant("TB_MANUAL_MAX_CHUNKS"));
        assertThat(MANUAL_AUTO_SDK).isEqualTo(EventLayoutNative.constant("TB_MANUAL_AUTO_SDK"));
        assertThat(MANUAL_FLAG_NO_START).isEqualTo(EventLayoutNative.constant("TB_MANUAL_FLAG_NO_START"));
    }

    private static int off(String struct, String field) {
        return EventLayoutNative.offsetOf(struct, field);
    }
}
