package io.tracebee.decode;

import static io.tracebee.decode.EventLayout.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds raw event records (HTTP, database, Redis, gRPC, Kafka) by hand, as the kernel would lay them out. */
public final class EventBytes {
    private final ByteBuffer b = ByteBuffer.allocate(java.util.stream.IntStream.of(HTTP_SERVER_SIZE, HTTP_CLIENT_SIZE,
            DB_SIZE, REDIS_SIZE, GRPC_SIZE, KAFKA_PRODUCER_SIZE, KAFKA_CONSUMER_SIZE).max().getAsInt())
            .order(ByteOrder.LITTLE_ENDIAN);

    /** A process of the agent's pid namespace (pid 0 is what probes report for one outside it). */
    private EventBytes() {
        pid(4242, 4242);
    }

    /**
     * A go-redis call: TB_REDIS_FLAG_* flags, the real argument count, the client's DB and address,
     * and arguments as the probe reads them (String as a Go string, byte[] as []byte, Long as int64).
     */
    public static EventBytes redis(int flags, int argc, long db, String addr, Object... args) {
        EventBytes e = new EventBytes();
        e.b.putInt(H_KIND, KIND_REDIS).putInt(H_SIZE, REDIS_SIZE).putShort(REDIS_FLAGS, (short) flags)
                .put(REDIS_NARGS, (byte) args.length).putInt(REDIS_ARGC, argc).putLong(REDIS_DB, db);
        e.b.put(H_SC + SC_FLAGS, (byte) 1);
        e.str(REDIS_ADDR, REDIS_ADDR_LEN, REDIS_ADDR_MAX, addr);
        for (int i = 0; i < args.length; i++) {
            int at = REDIS_ARGS + i * REDIS_ARG_SIZE;
            byte[] v;
            if (args[i] instanceof String s) {
                v = s.getBytes(StandardCharsets.UTF_8);
            } else if (args[i] instanceof byte[] bytes) {
                v = bytes;
            } else if (args[i] instanceof Long n) {
                v = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array();
            } else {
                throw new IllegalArgumentException("no Go kind for " + args[i]);
            }
            int kind = args[i] instanceof String ? GO_KIND_STRING : args[i] instanceof byte[] ? REDIS_KIND_BYTES : 6; // int64
            int n = Math.min(v.length, REDIS_ARG_MAX);
            e.b.put(at + REDIS_ARG_KIND, (byte) kind).put(at + REDIS_ARG_LEN, (byte) n)
                    .putInt(at + REDIS_ARG_FULL_LEN, args[i] instanceof Long ? 0 : v.length).put(at + REDIS_ARG_VALUE, v, 0, n);
        }
        return e;
    }

    /** The error text of a failed go-redis call. */
    public EventBytes redisError(String text) {
        b.putShort(REDIS_FLAGS, (short) (b.getShort(REDIS_FLAGS) | REDIS_FLAG_ERROR));
        return str(REDIS_ERROR, REDIS_ERROR_LEN, REDIS_ERROR_MAX, text);
    }

    /**
     * A gRPC call: the side (EventLayout.GRPC_SERVER or GRPC_CLIENT), full method, authority, status code
     * (EventLayout.GRPC_STATUS_UNKNOWN for none) and status message.
     */
    public static EventBytes grpc(int side, String method, String authority, int status, String message) {
        EventBytes e = new EventBytes();
        e.b.putInt(H_KIND, KIND_GRPC).putInt(H_SIZE, GRPC_SIZE).put(GRPC_SIDE, (byte) side).putInt(GRPC_STATUS, status)
                .putInt(GRPC_STREAM_ID, 3);
        e.b.put(H_SC + SC_FLAGS, (byte) 1);
        e.str(GRPC_METHOD, GRPC_METHOD_LEN, GRPC_METHOD_MAX, method);
        e.str(GRPC_AUTHORITY, GRPC_AUTHORITY_LEN, GRPC_AUTHORITY_MAX, authority);
        return e.str(GRPC_MESSAGE, GRPC_MESSAGE_LEN, GRPC_MESSAGE_MAX, message);
    }

    /** The gRPC event's connection, its tracestate and flags. */
    public EventBytes grpcConn(byte[] local, int localPort, byte[] peer, int peerPort, int netns, long inode) {
        return conn(GRPC_CONN, local, localPort, peer, peerPort, netns, inode);
    }

    public EventBytes grpcTraceState(String s) {
        return str(GRPC_TRACESTATE, GRPC_TRACESTATE_LEN, TRACESTATE_MAX, s);
    }

    public EventBytes grpcFlags(int flags) {
        b.put(GRPC_FLAGS, (byte) flags);
        return this;
    }

    /** A database call: the statement, TB_DB_FLAG_* flags and the driver's system id. */
    public static EventBytes db(String query, int flags, int system) {
        EventBytes e = new EventBytes();
        e.b.putInt(H_KIND, KIND_DB_SQL).putInt(H_SIZE, DB_SIZE).putShort(DB_FLAGS, (short) flags)
                .put(DB_SYSTEM, (byte) system).putInt(DB_QUERY_FULL_LEN, query.getBytes(StandardCharsets.UTF_8).length);
        e.b.put(H_SC + SC_FLAGS, (byte) 1);
        return e.str(DB_QUERY, DB_QUERY_LEN, DB_QUERY_MAX, query);
    }

    /** A failed database call's error: its type id, status code and message. */
    public EventBytes dbError(int type, String code, String message) {
        b.put(DB_ERROR_TYPE, (byte) type);
        byte[] c = code.getBytes(StandardCharsets.US_ASCII);
        b.put(DB_CODE, c).put(DB_CODE_LEN, (byte) c.length);
        return str(DB_ERROR, DB_ERROR_LEN, DB_ERROR_MAX, message);
    }

    public static EventBytes httpClient() {
        EventBytes e = new EventBytes();
        e.b.putInt(H_KIND, KIND_HTTP_CLIENT).putInt(H_SIZE, HTTP_CLIENT_SIZE);
        return e;
    }

    /** Client-event fields: status, method, scheme, host, path, query and flags. */
    public EventBytes client(int status, String method, String scheme, String host, String path, String query,
            int flags) {
        b.putShort(HC_STATUS, (short) status).put(HC_PROTO_MAJOR, (byte) 1).put(HC_PROTO_MINOR, (byte) 1)
                .putShort(HC_FLAGS, (short) flags);
        str(HC_METHOD, HC_METHOD_LEN, HTTP_METHOD_MAX, method);
        str(HC_SCHEME, HC_SCHEME_LEN, HTTP_SCHEME_MAX, scheme);
        str(HC_HOST, HC_HOST_LEN, HTTP_HOST_MAX, host);
        str(HC_PATH, HC_PATH_LEN, HTTP_PATH_MAX, path);
        return str(HC_QUERY, HC_QUERY_LEN, HTTP_QUERY_MAX, query);
    }

    /** One message of a kafka-go WriteMessages call: TB_KAFKA_FLAG_* flags. */
    public static EventBytes kafkaProducer(String topic, byte[] key, int keyLength, int valueLength, int partition,
            long offset, int batchCount, int flags) {
        EventBytes e = new EventBytes();
        e.b.putInt(H_KIND, KIND_KAFKA_PRODUCER).putInt(H_SIZE, KAFKA_PRODUCER_SIZE).putInt(KP_KEY_FULL_LEN, keyLength)
                .putInt(KP_VALUE_LEN, valueLength).putInt(KP_PARTITION, partition).putLong(KP_OFFSET, offset)
                .putInt(KP_BATCH_COUNT, batchCount).putShort(KP_FLAGS, (short) flags);
        e.b.put(KP_KEY, key, 0, Math.min(key.length, KAFKA_KEY_MAX)).putShort(KP_KEY_LEN,
                (short) Math.min(key.length, KAFKA_KEY_MAX));
        return e.str(KP_TOPIC, KP_TOPIC_LEN, KAFKA_TOPIC_MAX, topic);
    }

    /** One message kafka-go's FetchMessage returned: link is enum tb_kafka_link_kind, flags TB_KAFKA_FLAG_*. */
    public static EventBytes kafkaConsumer(String topic, byte[] key, int keyLength, int valueLength, int partition,
            long offset, String group, int link, String traceState, int flags) {
        EventBytes e = new EventBytes();
        e.b.putInt(H_KIND, KIND_KAFKA_CONSUMER).putInt(H_SIZE, KAFKA_CONSUMER_SIZE).putInt(KC_KEY_FULL_LEN, keyLength)
                .putInt(KC_VALUE_LEN, valueLength).putInt(KC_PARTITION, partition).putLong(KC_OFFSET, offset)
                .put(KC_LINK, (byte) link).putShort(KC_FLAGS, (short) flags);
        e.b.put(KC_KEY, key, 0, Math.min(key.length, KAFKA_KEY_MAX)).putShort(KC_KEY_LEN,
                (short) Math.min(key.length, KAFKA_KEY_MAX));
        e.str(KC_GROUP, KC_GROUP_LEN, KAFKA_GROUP_MAX, group);
        e.str(KC_TRACESTATE, KC_TRACESTATE_LEN, TRACESTATE_MAX, traceState);
        return e.str(KC_TOPIC, KC_TOPIC_LEN, KAFKA_TOPIC_MAX, topic);
    }

    /** The record decoded, as the pipeline would see it. */
    public TracedEvent decode() {
        byte[] record = bytes();
        return new EventDecoder().decodeOne(record, 0, record.length);
    }

    public static EventBytes httpServer() {
        EventBytes e = new EventBytes();
        e.b.putInt(H_KIND, KIND_HTTP_SERVER).putInt(H_SIZE, HTTP_SERVER_SIZE);
        return e;
    }

    public EventBytes pid(int pid, int tid) {
        b.putInt(H_PID, pid).putInt(H_TID, tid);
        return this;
    }

    public EventBytes times(long start, long end) {
        b.putLong(H_START_NS, start).putLong(H_END_NS, end);
        return this;
    }

    public EventBytes target(long target) {
        b.putLong(H_TARGET, target);
        return this;
    }

    public EventBytes goroutine(long g) {
        b.putLong(H_GOROUTINE, g);
        return this;
    }

    public EventBytes ids(byte[] traceId, byte[] spanId, int flags, byte[] parentSpanId) {
        b.put(H_SC + SC_TRACE_ID, traceId).put(H_SC + SC_SPAN_ID, spanId).put(H_SC + SC_FLAGS, (byte) flags);
        b.put(H_PARENT + SC_SPAN_ID, parentSpanId);
        return this;
    }

    /** Where the parent came from: EventLayout.ORIGIN_*. */
    public EventBytes parentOrigin(int origin) {
        b.put(H_PARENT + SC_ORIGIN, (byte) origin);
        return this;
    }

    /** The server event's connection: 16-byte addresses, ports, netns and socket inode. */
    public EventBytes serverConn(byte[] local, int localPort, byte[] peer, int peerPort, int netns, long inode) {
        return conn(HS_CONN, local, localPort, peer, peerPort, netns, inode);
    }

    public EventBytes clientConn(byte[] local, int localPort, byte[] peer, int peerPort, int netns, long inode) {
        return conn(HC_CONN, local, localPort, peer, peerPort, netns, inode);
    }

    private EventBytes conn(int at, byte[] local, int localPort, byte[] peer, int peerPort, int netns, long inode) {
        b.put(at + CONN_SADDR, local).put(at + CONN_DADDR, peer).putShort(at + CONN_SPORT, (short) localPort)
                .putShort(at + CONN_DPORT, (short) peerPort).putInt(at + CONN_NETNS, netns).putLong(at + CONN_INODE, inode);
        return this;
    }

    /** An IPv4 address as the kernel event carries it: IPv4-mapped IPv6. */
    public static byte[] v4Mapped(int a, int b, int c, int d) {
        byte[] r = new byte[16];
        r[10] = (byte) 0xff;
        r[11] = (byte) 0xff;
        r[12] = (byte) a;
        r[13] = (byte) b;
        r[14] = (byte) c;
        r[15] = (byte) d;
        return r;
    }

    public EventBytes traceState(String s) {
        return str(HS_TRACESTATE, HS_TRACESTATE_LEN, TRACESTATE_MAX, s);
    }

    public EventBytes status(int status) {
        b.putShort(HS_STATUS, (short) status);
        return this;
    }

    public EventBytes proto(int major, int minor) {
        b.put(HS_PROTO_MAJOR, (byte) major).put(HS_PROTO_MINOR, (byte) minor);
        return this;
    }

    public EventBytes flags(int flags) {
        b.putShort(HS_FLAGS, (short) flags);
        return this;
    }

    public EventBytes method(String s) {
        return str(HS_METHOD, HS_METHOD_LEN, HTTP_METHOD_MAX, s);
    }

    public EventBytes path(String s) {
        return str(HS_PATH, HS_PATH_LEN, HTTP_PATH_MAX, s);
    }

    public EventBytes pattern(String s) {
        return str(HS_PATTERN, HS_PATTERN_LEN, HTTP_PATTERN_MAX, s);
    }

    /** A framework's route template and the router it came from (EventLayout.ROUTE_*). */
    public EventBytes route(String s, int source) {
        b.put(HS_ROUTE_SOURCE, (byte) source);
        return str(HS_ROUTE, HS_ROUTE_LEN, HTTP_ROUTE_MAX, s);
    }

    public EventBytes remote(String s) {
        return str(HS_REMOTE_ADDR, HS_REMOTE_LEN, HTTP_ADDR_MAX, s);
    }

    public EventBytes host(String s) {
        return str(HS_HOST, HS_HOST_LEN, HTTP_HOST_MAX, s);
    }

    public EventBytes query(String s) {
        return str(HS_QUERY, HS_QUERY_LEN, HTTP_QUERY_MAX, s);
    }

    /** Writes a raw length field, e.g. a corrupt one larger than the buffer. */
    public EventBytes rawLength(int lenField, int value) {
        b.putShort(lenField, (short) value);
        return this;
    }

    private EventBytes str(int at, int lenAt, int max, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(bytes.length, max);
        b.put(at, bytes, 0, n).putShort(lenAt, (short) n);
        return this;
    }

    public byte[] bytes() {
        return b.array().clone();
    }
}
