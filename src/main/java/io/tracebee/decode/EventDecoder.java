package io.tracebee.decode;

import static io.tracebee.decode.EventLayout.*;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Turns raw ring-buffer records into typed events. Records that are too short or of an unknown
 * kind are counted and skipped, never thrown: one bad record must not stop the stream.
 *
 * <p>A span's record becomes a view over its bytes ({@link RecordView}): nothing is copied or parsed here, the
 * assembler reads the fields the span needs. Such events are valid while the bytes are: decode a copy to keep them
 * past the batch. Manual-span chunks, process and adoption records are copied, since they are joined or kept.
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
            return new HttpServerEvent(data, off, repeated);
        }
        if (kind == KIND_HTTP_CLIENT && len >= HTTP_CLIENT_SIZE) {
            return new HttpClientEvent(data, off, repeated);
        }
        if (kind == KIND_DB_SQL && len >= DB_SIZE) {
            return new DbEvent(data, off, repeated);
        }
        if (kind == KIND_REDIS && len >= REDIS_SIZE) {
            return new RedisEvent(data, off, repeated);
        }
        if (kind == KIND_KAFKA_PRODUCER && len >= KAFKA_PRODUCER_SIZE) {
            return new KafkaProducerEvent(data, off, repeated);
        }
        if (kind == KIND_KAFKA_CONSUMER && len >= KAFKA_CONSUMER_SIZE) {
            return new KafkaConsumerEvent(data, off, repeated);
        }
        if (kind == KIND_GRPC && len >= GRPC_SIZE) {
            return new GrpcEvent(data, off, repeated);
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
        return EventHeader.of(
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

}
