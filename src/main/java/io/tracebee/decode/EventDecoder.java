package io.tracebee.decode;

import static io.tracebee.decode.EventLayout.*;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Turns raw ring-buffer records into typed events. Records that are too short or of an unknown
 * kind are counted and skipped, never thrown: one bad record must not stop the stream.
 */
public final class EventDecoder {
    static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private final LongAdder decodeErrors = new LongAdder();
    private final LongAdder decoded = new LongAdder();
    /** Events decoded, by kind (tracebee.h's enum tb_event_kind). */
    private final LongAdder[] byKind = new LongAdder[KIND_PROCESS + 1];

    {
        for (int i = 0; i < byKind.length; i++) {
            byKind[i] = new LongAdder();
        }
    }
    private final ManualSpanChunks manualChunks = new ManualSpanChunks();
    private final GlobalApiRecords globalRecords = new GlobalApiRecords();
    private final LongAdder processStatePurged = new LongAdder();
    private final RepeatedStrings repeated = new RepeatedStrings();

    /** Decodes {@code count} records laid out in {@code data} at the given offsets and lengths. */
    public List<TracedEvent> decode(byte[] data, int[] offsets, int[] lengths, int count) {
        List<TracedEvent> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            TracedEvent e = decodeOne(data, offsets[i], lengths[i]);
            if (e != null) {
                out.add(e);
            }
        }
        decoded.add(out.size());
        return out;
    }

    /** Decodes one record, or returns null (and counts a decode error) if it is malformed. */
    public TracedEvent decodeOne(byte[] data, int off, int len) {
        if (len < HEADER_SIZE) {
            decodeErrors.increment();
            return null;
        }
        int kind = (int) INT.get(data, off + H_KIND);
        if (kind > 0 && kind < byKind.length) {
            byKind[kind].increment();
        }
        if (kind == KIND_HTTP_SERVER && len >= HTTP_SERVER_SIZE) {
            return httpServer(data, off, header(data, off, kind));
        }
        if (kind == KIND_HTTP_CLIENT && len >= HTTP_CLIENT_SIZE) {
            return httpClient(data, off, header(data, off, kind));
        }
        if (kind == KIND_DB_SQL && len >= DB_SIZE) {
            return db(data, off, header(data, off, kind));
        }
        if (kind == KIND_REDIS && len >= REDIS_SIZE) {
            return redis(data, off, header(data, off, kind));
        }
        if (kind == KIND_KAFKA_PRODUCER && len >= KAFKA_PRODUCER_SIZE) {
            return kafkaProducer(data, off, header(data, off, kind));
        }
        if (kind == KIND_KAFKA_CONSUMER && len >= KAFKA_CONSUMER_SIZE) {
            return kafkaConsumer(data, off, header(data, off, kind));
        }
        if (kind == KIND_GRPC && len >= GRPC_SIZE) {
            return grpc(data, off, header(data, off, kind));
        }
        if (kind == KIND_MANUAL_SPAN && len >= MANUAL_DATA) {
            ManualSpanEvent whole = manualChunks.add(data, off, len, header(data, off, kind));
            return whole != null && whole.source() == MANUAL_GLOBAL_API ? globalRecords.add(whole) : whole;
        }
        if (kind == KIND_PROCESS && len >= PROCESS_SIZE) {
            return new ProcessEvent(header(data, off, kind), (int) INT.get(data, off + PROCESS_OP) == PROCESS_EXEC);
        }
        if (kind == KIND_TRACE_ADOPT && len >= ADOPT_SIZE) {
            return new TraceAdoptEvent(header(data, off, kind),
                    Arrays.copyOfRange(data, off + ADOPT_TRACE_ID, off + ADOPT_TRACE_ID + TRACE_ID_SIZE));
        }
        decodeErrors.increment();
        return null;
    }

    /**
     * Forgets what is held for process pid, which is gone: manual spans it opened and will never end, chunks of
     * spans it will never finish. Returns how many entries went. Same thread as {@link #decode}.
     */
    public int forgetProcess(int pid) {
        int n = manualChunks.forget(pid) + globalRecords.forget(pid);
        processStatePurged.add(n);
        return n;
    }

    /** Entries held for process pid (open manual spans, partial chunks). Same thread as {@link #decode}. */
    public int heldFor(int pid) {
        return manualChunks.openOf(pid) + globalRecords.openOf(pid);
    }

    /** Entries dropped by {@link #forgetProcess} so far. */
    public long processStatePurged() {
        return processStatePurged.sum();
    }

    public long decodeErrors() {
        return decodeErrors.sum();
    }

    /** Records of one kind read so far (tb_event_kind), malformed ones included. */
    public long received(int kind) {
        return kind > 0 && kind < byKind.length ? byKind[kind].sum() : 0;
    }

    public long decoded() {
        return decoded.sum();
    }

    /** Manual spans dropped because one of their chunks or records was lost in the kernel. */
    public long manualSpansIncomplete() {
        return manualChunks.incomplete() + globalRecords.incomplete();
    }

    /** Global-API spans dropped unended: more were open at once than the decoder keeps. */
    public long manualSpansUnended() {
        return globalRecords.unended();
    }

    static EventHeader header(byte[] d, int off, int kind) {
        return new EventHeader(
                kind,
                (int) INT.get(d, off + H_PID),
                (int) INT.get(d, off + H_TID),
                (long) LONG.get(d, off + H_START_NS),
                (long) LONG.get(d, off + H_END_NS),
                (long) LONG.get(d, off + H_GOROUTINE),
                (long) LONG.get(d, off + H_TARGET),
                Arrays.copyOfRange(d, off + H_SC + SC_TRACE_ID, off + H_SC + SC_TRACE_ID + TRACE_ID_SIZE),
                Arrays.copyOfRange(d, off + H_SC + SC_SPAN_ID, off + H_SC + SC_SPAN_ID + SPAN_ID_SIZE),
                d[off + H_SC + SC_FLAGS] & 0xff,
                Arrays.copyOfRange(d, off + H_PARENT + SC_SPAN_ID, off + H_PARENT + SC_SPAN_ID + SPAN_ID_SIZE),
                d[off + H_PARENT + SC_ORIGIN] & 0xff);
    }

    /** The connection at {@code at}, or null when the probe left it zero (not read). */
    static TcpConnection connection(byte[] d, int at) {
        long inode = (long) LONG.get(d, at + CONN_INODE);
        if (inode == 0) {
            return null;
        }
        return new TcpConnection(
                Arrays.copyOfRange(d, at + CONN_SADDR, at + CONN_SADDR + 16),
                Short.toUnsignedInt((short) SHORT.get(d, at + CONN_SPORT)),
                Arrays.copyOfRange(d, at + CONN_DADDR, at + CONN_DADDR + 16),
                Short.toUnsignedInt((short) SHORT.get(d, at + CONN_DPORT)),
                Integer.toUnsignedLong((int) INT.get(d, at + CONN_NETNS)),
                inode);
    }

    private HttpServerEvent httpServer(byte[] d, int off, EventHeader h) {
        int pathLen = u16(d, off + HS_PATH_LEN, HTTP_PATH_MAX);
        return new HttpServerEvent(
                h,
                Short.toUnsignedInt((short) SHORT.get(d, off + HS_STATUS)),
                d[off + HS_PROTO_MAJOR] & 0xff,
                d[off + HS_PROTO_MINOR] & 0xff,
                repeatedAscii(d, off + HS_METHOD, u16(d, off + HS_METHOD_LEN, HTTP_METHOD_MAX)),
                utf8(d, off + HS_PATH, pathLen),
                pathLen == HTTP_PATH_MAX,
                repeatedUtf8(d, off + HS_PATTERN, u16(d, off + HS_PATTERN_LEN, HTTP_PATTERN_MAX)),
                repeatedUtf8(d, off + HS_ROUTE, u16(d, off + HS_ROUTE_LEN, HTTP_ROUTE_MAX)),
                HttpServerEvent.RouteSource.of(d[off + HS_ROUTE_SOURCE] & 0xff),
                ascii(d, off + HS_REMOTE_ADDR, u16(d, off + HS_REMOTE_LEN, HTTP_ADDR_MAX)),
                repeatedUtf8(d, off + HS_HOST, u16(d, off + HS_HOST_LEN, HTTP_HOST_MAX)),
                utf8(d, off + HS_QUERY, u16(d, off + HS_QUERY_LEN, HTTP_QUERY_MAX)),
                (((short) SHORT.get(d, off + HS_FLAGS)) & HTTP_FLAG_TLS) != 0,
                connection(d, off + HS_CONN),
                ascii(d, off + HS_TRACESTATE, u16(d, off + HS_TRACESTATE_LEN, TRACESTATE_MAX)));
    }

    private HttpClientEvent httpClient(byte[] d, int off, EventHeader h) {
        int flags = Short.toUnsignedInt((short) SHORT.get(d, off + HC_FLAGS));
        return new HttpClientEvent(
                h,
                Short.toUnsignedInt((short) SHORT.get(d, off + HC_STATUS)),
                d[off + HC_PROTO_MAJOR] & 0xff,
                d[off + HC_PROTO_MINOR] & 0xff,
                repeatedAscii(d, off + HC_METHOD, u16(d, off + HC_METHOD_LEN, HTTP_METHOD_MAX)),
                repeatedAscii(d, off + HC_SCHEME, u16(d, off + HC_SCHEME_LEN, HTTP_SCHEME_MAX)),
                repeatedUtf8(d, off + HC_HOST, u16(d, off + HC_HOST_LEN, HTTP_HOST_MAX)),
                utf8(d, off + HC_PATH, u16(d, off + HC_PATH_LEN, HTTP_PATH_MAX)),
                utf8(d, off + HC_QUERY, u16(d, off + HC_QUERY_LEN, HTTP_QUERY_MAX)),
                (flags & HTTP_CLIENT_FLAG_ERROR) != 0,
                (flags & HTTP_CLIENT_FLAG_USERINFO) != 0,
                connection(d, off + HC_CONN));
    }

    private static DbEvent db(byte[] d, int off, EventHeader h) {
        int flags = Short.toUnsignedInt((short) SHORT.get(d, off + DB_FLAGS));
        return new DbEvent(h,
                utf8(d, off + DB_QUERY, u16(d, off + DB_QUERY_LEN, DB_QUERY_MAX)),
                (int) INT.get(d, off + DB_QUERY_FULL_LEN),
                (flags & DB_FLAG_EXEC) != 0,
                (flags & DB_FLAG_PREPARED) != 0,
                (flags & DB_FLAG_ERROR) != 0,
                Byte.toUnsignedInt(d[off + DB_SYSTEM]),
                Byte.toUnsignedInt(d[off + DB_ERROR_TYPE]),
                ascii(d, off + DB_CODE, Math.min(Byte.toUnsignedInt(d[off + DB_CODE_LEN]), DB_CODE_MAX)),
                utf8(d, off + DB_ERROR, u16(d, off + DB_ERROR_LEN, DB_ERROR_MAX)));
    }

    private static RedisEvent redis(byte[] d, int off, EventHeader h) {
        int flags = Short.toUnsignedInt((short) SHORT.get(d, off + REDIS_FLAGS));
        int n = Math.min(Byte.toUnsignedInt(d[off + REDIS_NARGS]), REDIS_ARGS_MAX);
        List<RedisEvent.Arg> args = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            args.add(redisArg(d, off + REDIS_ARGS + i * REDIS_ARG_SIZE));
        }
        return new RedisEvent(h,
                (flags & REDIS_FLAG_PIPELINE) != 0,
                (flags & REDIS_FLAG_TX) != 0,
                (flags & REDIS_FLAG_ERROR) != 0,
                d[off + REDIS_KEY_POS],
                (int) INT.get(d, off + REDIS_ARGC),
                (long) LONG.get(d, off + REDIS_DB),
                utf8(d, off + REDIS_ADDR, u16(d, off + REDIS_ADDR_LEN, REDIS_ADDR_MAX)),
                utf8(d, off + REDIS_ERROR, u16(d, off + REDIS_ERROR_LEN, REDIS_ERROR_MAX)),
                args);
    }

    private static GrpcEvent grpc(byte[] d, int off, EventHeader h) {
        return new GrpcEvent(h,
                d[off + GRPC_SIDE] == GRPC_SERVER,
                utf8(d, off + GRPC_METHOD, u16(d, off + GRPC_METHOD_LEN, GRPC_METHOD_MAX)),
                utf8(d, off + GRPC_AUTHORITY, u16(d, off + GRPC_AUTHORITY_LEN, GRPC_AUTHORITY_MAX)),
                (int) INT.get(d, off + GRPC_STATUS),
                utf8(d, off + GRPC_MESSAGE, u16(d, off + GRPC_MESSAGE_LEN, GRPC_MESSAGE_MAX)),
                Byte.toUnsignedInt(d[off + GRPC_FLAGS]),
                Integer.toUnsignedLong((int) INT.get(d, off + GRPC_STREAM_ID)),
                connection(d, off + GRPC_CONN),
                ascii(d, off + GRPC_TRACESTATE, u16(d, off + GRPC_TRACESTATE_LEN, TRACESTATE_MAX)));
    }

    /** An argument by its Go kind: text, or a number from as many little-endian bytes as its size. */
    private static RedisEvent.Arg redisArg(byte[] d, int at) {
        int kind = Byte.toUnsignedInt(d[at + REDIS_ARG_KIND]);
        int len = Math.min(Byte.toUnsignedInt(d[at + REDIS_ARG_LEN]), REDIS_ARG_MAX);
        int full = (int) INT.get(d, at + REDIS_ARG_FULL_LEN);
        int v = at + REDIS_ARG_VALUE;
        Object value = switch (kind) {
            case GO_KIND_STRING, REDIS_KIND_BYTES -> utf8(d, v, len);
            case GO_KIND_BOOL -> len == 1 ? d[v] != 0 : null;
            case GO_KIND_FLOAT32 -> len == 4 ? (double) Float.intBitsToFloat((int) INT.get(d, v)) : null;
            case GO_KIND_FLOAT64 -> len == 8 ? Double.longBitsToDouble((long) LONG.get(d, v)) : null;
            default -> kind >= GO_KIND_INT && kind <= GO_KIND_UINTPTR && len > 0 && len <= 8
                    ? integer(d, v, len, kind < GO_KIND_UINT) : null;
        };
        return new RedisEvent.Arg(value, value instanceof String ? full : 0);
    }

    private static long integer(byte[] d, int at, int len, boolean signed) {
        long x = 0;
        for (int i = len - 1; i >= 0; i--) {
            x = (x << 8) | (d[at + i] & 0xff);
        }
        int shift = 64 - 8 * len;
        return signed && shift > 0 ? (x << shift) >> shift : x;
    }

    private static KafkaProducerEvent kafkaProducer(byte[] d, int off, EventHeader h) {
        int flags = Short.toUnsignedInt((short) SHORT.get(d, off + KP_FLAGS));
        return new KafkaProducerEvent(h,
                utf8(d, off + KP_TOPIC, u16(d, off + KP_TOPIC_LEN, KAFKA_TOPIC_MAX)),
                Arrays.copyOfRange(d, off + KP_KEY, off + KP_KEY + u16(d, off + KP_KEY_LEN, KAFKA_KEY_MAX)),
                (int) INT.get(d, off + KP_KEY_FULL_LEN),
                (int) INT.get(d, off + KP_VALUE_LEN),
                (int) INT.get(d, off + KP_PARTITION),
                (long) LONG.get(d, off + KP_OFFSET),
                (int) INT.get(d, off + KP_BATCH_COUNT),
                (flags & KAFKA_FLAG_ERROR) != 0,
                (flags & KAFKA_FLAG_TOMBSTONE) != 0);
    }

    private static KafkaConsumerEvent kafkaConsumer(byte[] d, int off, EventHeader h) {
        int flags = Short.toUnsignedInt((short) SHORT.get(d, off + KC_FLAGS));
        return new KafkaConsumerEvent(h,
                utf8(d, off + KC_TOPIC, u16(d, off + KC_TOPIC_LEN, KAFKA_TOPIC_MAX)),
                Arrays.copyOfRange(d, off + KC_KEY, off + KC_KEY + u16(d, off + KC_KEY_LEN, KAFKA_KEY_MAX)),
                (int) INT.get(d, off + KC_KEY_FULL_LEN),
                (int) INT.get(d, off + KC_VALUE_LEN),
                (int) INT.get(d, off + KC_PARTITION),
                (long) LONG.get(d, off + KC_OFFSET),
                utf8(d, off + KC_GROUP, u16(d, off + KC_GROUP_LEN, KAFKA_GROUP_MAX)),
                KafkaConsumerEvent.Link.of(d[off + KC_LINK] & 0xff),
                ascii(d, off + KC_TRACESTATE, u16(d, off + KC_TRACESTATE_LEN, TRACESTATE_MAX)),
                (flags & KAFKA_FLAG_TOMBSTONE) != 0);
    }

    /** A length field, clamped to its buffer so a corrupt record cannot read past it. */
    private static int u16(byte[] d, int at, int max) {
        return Math.min(Short.toUnsignedInt((short) SHORT.get(d, at)), max);
    }

    private static String ascii(byte[] d, int at, int len) {
        return len == 0 ? "" : new String(d, at, len, StandardCharsets.ISO_8859_1);
    }

    private static String utf8(byte[] d, int at, int len) {
        return len == 0 ? "" : new String(d, at, len, StandardCharsets.UTF_8);
    }

    /** A field whose values repeat across events (method, pattern, host): the same String again, not a new one. */
    private String repeatedAscii(byte[] d, int at, int len) {
        return repeated.get(d, at, len, StandardCharsets.ISO_8859_1);
    }

    private String repeatedUtf8(byte[] d, int at, int len) {
        return repeated.get(d, at, len, StandardCharsets.UTF_8);
    }
}
