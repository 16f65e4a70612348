package io.tracebee.decode;

/**
 * Byte offsets of the event structs in {@code src/main/bpf/include/tracebee.h}. The header is the
 * source of truth; {@code EventLayoutTest} checks these numbers against the compiled C structs.
 */
public final class EventLayout {
    private EventLayout() {
    }

    public static final int KIND_HTTP_SERVER = 1;
    public static final int KIND_HTTP_CLIENT = 2;
    public static final int KIND_DB_SQL = 3;
    public static final int KIND_REDIS = 4;
    public static final int KIND_KAFKA_PRODUCER = 5;
    public static final int KIND_KAFKA_CONSUMER = 6;
    public static final int KIND_GRPC = 7;
    public static final int KIND_MANUAL_SPAN = 8;
    public static final int KIND_TRACE_ADOPT = 9;
    public static final int KIND_PROCESS = 10;

    public static final int TRACE_ID_SIZE = 16;
    public static final int SPAN_ID_SIZE = 8;

    // struct tb_span_context
    public static final int SC_TRACE_ID = 0;
    public static final int SC_SPAN_ID = 16;
    public static final int SC_FLAGS = 24;
    public static final int SC_ORIGIN = 25;
    public static final int SC_LOCAL_ROOT = 26;
    public static final int SC_SIZE = 32;

    // enum tb_origin
    public static final int ORIGIN_LOCAL = 0;
    public static final int ORIGIN_HEADER = 1;
    public static final int ORIGIN_CONN = 2;
    public static final int ORIGIN_MESSAGE = 3;

    // struct tb_conn
    public static final int CONN_SADDR = 0;
    public static final int CONN_DADDR = 16;
    public static final int CONN_SPORT = 32;
    public static final int CONN_DPORT = 34;
    public static final int CONN_NETNS = 36;
    public static final int CONN_INODE = 40;
    public static final int CONN_SIZE = 48;

    // struct tb_event_header
    public static final int H_KIND = 0;
    public static final int H_SIZE = 4;
    public static final int H_PID = 8;
    public static final int H_TID = 12;
    public static final int H_START_NS = 16;
    public static final int H_END_NS = 24;
    public static final int H_GOROUTINE = 32;
    public static final int H_TARGET = 40;
    public static final int H_SC = 48;
    public static final int H_PARENT = 80;
    public static final int HEADER_SIZE = 112;

    // struct tb_http_server_event
    public static final int HTTP_METHOD_MAX = 16;
    public static final int HTTP_PATH_MAX = 128;
    public static final int HTTP_PATTERN_MAX = 128;
    public static final int HTTP_ADDR_MAX = 64;
    public static final int HTTP_HOST_MAX = 128;

    public static final int HS_STATUS = 112;
    public static final int HS_PROTO_MAJOR = 114;
    public static final int HS_PROTO_MINOR = 115;
    public static final int HS_METHOD_LEN = 116;
    public static final int HS_PATH_LEN = 118;
    public static final int HS_PATTERN_LEN = 120;
    public static final int HS_REMOTE_LEN = 122;
    public static final int HS_HOST_LEN = 124;
    public static final int HS_FLAGS = 126;
    public static final int HTTP_FLAG_TLS = 1;
    public static final int HS_QUERY_LEN = 128;
    public static final int HS_TRACESTATE_LEN = 130;
    public static final int HS_ROUTE_LEN = 132;
    public static final int HS_ROUTE_SOURCE = 134;
    public static final int HS_CONN = 136;
    public static final int HS_METHOD = 184;
    public static final int HS_PATH = 200;
    public static final int HS_PATTERN = 328;
    public static final int HS_REMOTE_ADDR = 456;
    public static final int HS_HOST = 520;
    public static final int HS_QUERY = 648;
    public static final int HS_TRACESTATE = 776;
    public static final int TRACESTATE_MAX = 256;
    public static final int HS_ROUTE = 1032;
    public static final int HTTP_ROUTE_MAX = 128;
    public static final int HTTP_SERVER_SIZE = 1160;

    // enum tb_route_source
    public static final int ROUTE_NONE = 0;
    public static final int ROUTE_GIN = 1;
    public static final int ROUTE_GORILLA = 2;

    // struct tb_http_client_event
    public static final int HTTP_SCHEME_MAX = 8;
    public static final int HTTP_QUERY_MAX = 128;
    public static final int HTTP_CLIENT_FLAG_ERROR = 1;
    public static final int HTTP_CLIENT_FLAG_USERINFO = 2;

    public static final int HC_STATUS = 112;
    public static final int HC_PROTO_MAJOR = 114;
    public static final int HC_PROTO_MINOR = 115;
    public static final int HC_METHOD_LEN = 116;
    public static final int HC_SCHEME_LEN = 118;
    public static final int HC_HOST_LEN = 120;
    public static final int HC_PATH_LEN = 122;
    public static final int HC_QUERY_LEN = 124;
    public static final int HC_FLAGS = 126;
    public static final int HC_CONN = 128;
    public static final int HC_METHOD = 176;
    public static final int HC_SCHEME = 192;
    public static final int HC_HOST = 200;
    public static final int HC_PATH = 328;
    public static final int HC_QUERY = 456;
    public static final int HTTP_CLIENT_SIZE = 584;

    // struct tb_db_event
    public static final int DB_QUERY_MAX = 512;
    public static final int DB_ERROR_MAX = 256;
    public static final int DB_CODE_MAX = 8;
    public static final int DB_FLAG_ERROR = 1;
    public static final int DB_FLAG_EXEC = 2;
    public static final int DB_FLAG_PREPARED = 4;
    public static final int DB_QUERY_LEN = 112;
    public static final int DB_FLAGS = 114;
    public static final int DB_QUERY_FULL_LEN = 116;
    public static final int DB_SYSTEM = 120;
    public static final int DB_ERROR_TYPE = 121;
    public static final int DB_CODE_LEN = 122;
    public static final int DB_ERROR_LEN = 124;
    public static final int DB_CODE = 128;
    public static final int DB_QUERY = 136;
    public static final int DB_ERROR = 648;
    public static final int DB_SIZE = 904;

    // Go's type kinds (internal/abi.Kind), as the redis probe reports them
    public static final int GO_KIND_BOOL = 1;
    public static final int GO_KIND_INT = 2;
    public static final int GO_KIND_UINT = 7;
    public static final int GO_KIND_UINTPTR = 12;
    public static final int GO_KIND_FLOAT32 = 13;
    public static final int GO_KIND_FLOAT64 = 14;
    public static final int GO_KIND_STRING = 24;

    // struct tb_redis_arg
    public static final int REDIS_ARG_KIND = 0;
    public static final int REDIS_ARG_LEN = 1;
    public static final int REDIS_ARG_FULL_LEN = 4;
    public static final int REDIS_ARG_VALUE = 8;
    public static final int REDIS_ARG_SIZE = 72;

    // struct tb_redis_event
    public static final int REDIS_ARGS_MAX = 8;
    public static final int REDIS_ARG_MAX = 64;
    public static final int REDIS_ADDR_MAX = 64;
    public static final int REDIS_ERROR_MAX = 128;
    public static final int REDIS_FLAG_ERROR = 1;
    public static final int REDIS_FLAG_PIPELINE = 2;
    public static final int REDIS_FLAG_TX = 4;
    public static final int REDIS_KIND_BYTES = 32;
    public static final int REDIS_FLAGS = 112;
    public static final int REDIS_NARGS = 114;
    public static final int REDIS_KEY_POS = 115;
    public static final int REDIS_ARGC = 116;
    public static final int REDIS_DB = 120;
    public static final int REDIS_ADDR_LEN = 128;
    public static final int REDIS_ERROR_LEN = 130;
    public static final int REDIS_ADDR = 136;
    public static final int REDIS_ERROR = 200;
    public static final int REDIS_ARGS = 328;
    public static final int REDIS_SIZE = 904;

    // struct tb_kafka_producer_event and struct tb_kafka_consumer_event
    public static final int KAFKA_TOPIC_MAX = 128;
    public static final int KAFKA_KEY_MAX = 64;
    public static final int KAFKA_GROUP_MAX = 128;
    public static final int KAFKA_FLAG_ERROR = 1;
    public static final int KAFKA_FLAG_TOMBSTONE = 2;
    // enum tb_kafka_link_kind: KafkaConsumerEvent.Link's order
    public static final int KAFKA_LINK_NONE = 0;
    public static final int KAFKA_LINK_HEADER = 1;
    public static final int KAFKA_LINK_OFFSET = 2;
    public static final int KAFKA_LINK_FINGERPRINT = 3;
    public static final int KAFKA_LINK_AMBIGUOUS = 4;

    public static final int KP_OFFSET = 112;
    public static final int KP_PARTITION = 120;
    public static final int KP_BATCH_COUNT = 124;
    public static final int KP_KEY_FULL_LEN = 128;
    public static final int KP_VALUE_LEN = 132;
    public static final int KP_TOPIC_LEN = 136;
    public static final int KP_KEY_LEN = 138;
    public static final int KP_FLAGS = 140;
    public static final int KP_TOPIC = 144;
    public static final int KP_KEY = 272;
    public static final int KAFKA_PRODUCER_SIZE = 336;

    public static final int KC_OFFSET = 112;
    public static final int KC_PARTITION = 120;
    public static final int KC_KEY_FULL_LEN = 124;
    public static final int KC_VALUE_LEN = 128;
    public static final int KC_TOPIC_LEN = 132;
    public static final int KC_KEY_LEN = 134;
    public static final int KC_GROUP_LEN = 136;
    public static final int KC_TRACESTATE_LEN = 138;
    public static final int KC_FLAGS = 140;
    public static final int KC_LINK = 142;
    public static final int KC_TOPIC = 144;
    public static final int KC_KEY = 272;
    public static final int KC_GROUP = 336;
    public static final int KC_TRACESTATE = 464;
    public static final int KAFKA_CONSUMER_SIZE = 720;

    // struct tb_grpc_event
    public static final int GRPC_METHOD_MAX = 128;
    public static final int GRPC_AUTHORITY_MAX = 128;
    public static final int GRPC_MESSAGE_MAX = 128;
    public static final int GRPC_STATUS_UNKNOWN = -1;
    public static final int GRPC_FLAG_FOREIGN_ERROR = 1;
    public static final int GRPC_FLAG_STREAM = 2;
    public static final int GRPC_FLAG_UNREAD = 4;
    public static final int GRPC_SERVER = 1;
    public static final int GRPC_CLIENT = 2;
    public static final int GRPC_SIDE = 112;
    public static final int GRPC_FLAGS = 113;
    public static final int GRPC_METHOD_LEN = 114;
    public static final int GRPC_AUTHORITY_LEN = 116;
    public static final int GRPC_MESSAGE_LEN = 118;
    public static final int GRPC_TRACESTATE_LEN = 120;
    public static final int GRPC_STATUS = 124;
    public static final int GRPC_STREAM_ID = 128;
    public static final int GRPC_CONN = 136;
    public static final int GRPC_METHOD = 184;
    public static final int GRPC_AUTHORITY = 312;
    public static final int GRPC_MESSAGE = 440;
    public static final int GRPC_TRACESTATE = 568;
    public static final int GRPC_SIZE = 824;

    // struct tb_manual_span_event
    public static final int MANUAL_CHUNK = 4096;
    public static final int MANUAL_MAX_CHUNKS = 64;
    public static final int MANUAL_AUTO_SDK = 1;
    public static final int MANUAL_GLOBAL_API = 2;
    public static final int MANUAL_FLAG_NO_START = 1;
    public static final int MANUAL_TOTAL_LEN = 112;
    public static final int MANUAL_INDEX = 116;
    public static final int MANUAL_COUNT = 118;
    public static final int MANUAL_LEN = 120;
    public static final int MANUAL_SOURCE = 124;
    public static final int MANUAL_FLAGS = 125;
    public static final int MANUAL_DATA = 128;
    public static final int MANUAL_SIZE = MANUAL_DATA + MANUAL_CHUNK;

    // enum tb_global_item: the items of a global-API record (source MANUAL_GLOBAL_API)
    public static final int GI_START = 1;
    public static final int GI_NAME = 2;
    public static final int GI_KIND = 3;
    public static final int GI_TIME = 4;
    public static final int GI_ATTR = 5;
    public static final int GI_STATUS = 6;
    public static final int GI_EVENT = 7;
    public static final int GI_ERROR = 8;
    public static final int GI_LINK = 9;
    public static final int GI_END = 10;
    public static final int GI_DROPPED = 11;
    public static final int GI_SPAN = 12;
    public static final int GI_NEW_ROOT = 13;

    // struct tb_process_event
    public static final int PROCESS_EXEC = 1;
    public static final int PROCESS_EXIT = 2;
    public static final int PROCESS_OP = 112;
    public static final int PROCESS_SIZE = 120;

    // struct tb_trace_adopt_event
    public static final int ADOPT_TRACE_ID = 112;
    public static final int ADOPT_SIZE = 128;
}
