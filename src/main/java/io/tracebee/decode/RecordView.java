package io.tracebee.decode;

import static io.tracebee.decode.EventLayout.*;

import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A span-producing event read in place: the record's bytes in the batch the reader drained, never copied out.
 * Decoding a record allocates this one small object; each field is read from the bytes when asked for (a String
 * or an id array is made then, and is the caller's), so what the span does not use is never made and what it uses
 * is made once, for the span (docs/BENCHMARKS.md, read side).
 *
 * <p><b>Lifetime:</b> a view is valid while its bytes are: for a batch from the ring buffer, until the batch is
 * released, which the pipeline does once the batch's spans are assembled. Whoever keeps events longer decodes a copy
 * of the bytes. The event is also its own {@link EventHeader}. Its text fields are read on one thread at a time (the
 * decoder's table of recurring strings is not shared safely): the pipeline thread, in the agent.
 */
public abstract sealed class RecordView implements EventHeader permits HttpServerEvent, HttpClientEvent, DbEvent,
        RedisEvent, KafkaProducerEvent, KafkaConsumerEvent, GrpcEvent {
    private static final VarHandle INT = EventDecoder.INT;
    private static final VarHandle LONG = EventDecoder.LONG;
    private static final VarHandle SHORT = EventDecoder.SHORT;

    final byte[] d;
    final int off;
    /** The decoder's table of recurring strings (methods, hosts, routes), read on the decoder's thread. */
    final RepeatedStrings repeated;

    RecordView(byte[] d, int off, RepeatedStrings repeated) {
        this.d = d;
        this.off = off;
        this.repeated = repeated;
    }

    /** The event's header: the event itself. */
    public final EventHeader header() {
        return this;
    }

    @Override
    public final int kind() {
        return (int) INT.get(d, off + H_KIND);
    }

    @Override
    public final int pid() {
        return (int) INT.get(d, off + H_PID);
    }

    @Override
    public final int tid() {
        return (int) INT.get(d, off + H_TID);
    }

    @Override
    public final long startNs() {
        return (long) LONG.get(d, off + H_START_NS);
    }

    @Override
    public final long endNs() {
        return (long) LONG.get(d, off + H_END_NS);
    }

    @Override
    public final long goroutine() {
        return (long) LONG.get(d, off + H_GOROUTINE);
    }

    @Override
    public final long target() {
        return (long) LONG.get(d, off + H_TARGET);
    }

    @Override
    public final byte[] traceId() {
        return bytes(H_SC + SC_TRACE_ID, TRACE_ID_SIZE);
    }

    @Override
    public final byte[] spanId() {
        return bytes(H_SC + SC_SPAN_ID, SPAN_ID_SIZE);
    }

    @Override
    public final int traceFlags() {
        return d[off + H_SC + SC_FLAGS] & 0xff;
    }

    @Override
    public final byte[] parentSpanId() {
        return bytes(H_PARENT + SC_SPAN_ID, SPAN_ID_SIZE);
    }

    @Override
    public final int parentOrigin() {
        return d[off + H_PARENT + SC_ORIGIN] & 0xff;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[kind=" + kind() + ", pid=" + pid() + ", tid=" + tid() + ", target="
                + target() + ", span=" + java.util.HexFormat.of().formatHex(spanId()) + ", trace=" + java.util.HexFormat.of().formatHex(traceId()) + ", start="
                + startNs() + ", end=" + endNs() + "]";
    }

    // ---- field readers, relative to the record

    final byte[] bytes(int at, int len) {
        return Arrays.copyOfRange(d, off + at, off + at + len);
    }

    final int u8(int at) {
        return d[off + at] & 0xff;
    }

    final int u16(int at) {
        return Short.toUnsignedInt((short) SHORT.get(d, off + at));
    }

    final int i32(int at) {
        return (int) INT.get(d, off + at);
    }

    final long i64(int at) {
        return (long) LONG.get(d, off + at);
    }

    /** A length field, clamped to its buffer so a corrupt record cannot read past it. */
    final int length(int at, int max) {
        return Math.min(u16(at), max);
    }

    final String ascii(int at, int lenAt, int max) {
        int len = length(lenAt, max);
        return len == 0 ? "" : new String(d, off + at, len, StandardCharsets.ISO_8859_1);
    }

    final String utf8(int at, int lenAt, int max) {
        return utf8(at, length(lenAt, max));
    }

    final String utf8(int at, int len) {
        return len == 0 ? "" : new String(d, off + at, len, StandardCharsets.UTF_8);
    }

    /** A field whose values repeat across events (method, pattern, host): the same String again, not a new one. */
    final String repeatedAscii(int at, int lenAt, int max) {
        return repeated.get(d, off + at, length(lenAt, max), StandardCharsets.ISO_8859_1);
    }

    final String repeatedUtf8(int at, int lenAt, int max) {
        return repeated.get(d, off + at, length(lenAt, max), StandardCharsets.UTF_8);
    }

    /** The connection at {@code at}, or null when the probe left it zero (not read). */
    final TcpConnection connection(int at) {
        return EventDecoder.connection(d, off + at);
    }
}
