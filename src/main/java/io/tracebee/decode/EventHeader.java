package io.tracebee.decode;

/**
 * The common header of every kernel event: who, when, and the span context the probe assigned. A span-producing
 * event is itself its header, read from its record ({@link RecordView}); the events the decoder keeps or joins
 * (manual spans, process and adoption records) carry a copy, {@link #of}.
 *
 * <p>{@code startNs}: kernel monotonic clock at function entry; {@code endNs}: at function return;
 * {@code goroutine}: the runtime.g pointer of the goroutine the call ran on; {@code target}: the id of the agent's
 * target whose uprobe produced the event; {@code parentOrigin}: where the parent came from,
 * {@link EventLayout#ORIGIN_LOCAL} (this process), {@link EventLayout#ORIGIN_HEADER} (an incoming traceparent),
 * {@link EventLayout#ORIGIN_CONN} (a traced client on this host, matched by TCP connection) or
 * {@link EventLayout#ORIGIN_MESSAGE} (a traced Kafka producer in another process on this host, matched by message).
 * The id arrays are the caller's: a view hands out a new copy on every call.
 */
public interface EventHeader {
    int kind();

    int pid();

    int tid();

    long startNs();

    long endNs();

    long goroutine();

    long target();

    /** 16 bytes. */
    byte[] traceId();

    /** 8 bytes. */
    byte[] spanId();

    int traceFlags();

    /** 8 bytes, all zero without a parent. */
    byte[] parentSpanId();

    int parentOrigin();

    /** Whether the parent span lives in another process (W3C's "remote" parent). */
    default boolean parentRemote() {
        return parentOrigin() != EventLayout.ORIGIN_LOCAL;
    }

    /** A header held by value. */
    static EventHeader of(int kind, int pid, int tid, long startNs, long endNs, long goroutine, long target,
            byte[] traceId, byte[] spanId, int traceFlags, byte[] parentSpanId, int parentOrigin) {
        return new Fields(kind, pid, tid, startNs, endNs, goroutine, target, traceId, spanId, traceFlags, parentSpanId,
                parentOrigin);
    }

    /** A header held by value: its id arrays are handed out as they are. */
    record Fields(int kind, int pid, int tid, long startNs, long endNs, long goroutine, long target, byte[] traceId,
            byte[] spanId, int traceFlags, byte[] parentSpanId, int parentOrigin) implements EventHeader {
    }
}
