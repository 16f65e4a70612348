package io.tracebee.decode;

/**
 * The common header of every kernel event: who, when, and the span context the probe assigned.
 *
 * @param startNs kernel monotonic clock at function entry
 * @param endNs kernel monotonic clock at function return
 * @param goroutine the runtime.g pointer of the goroutine the call ran on
 * @param target the id of the agent's target whose uprobe produced the event
 * @param parentOrigin where the parent came from: {@link EventLayout#ORIGIN_LOCAL} (this process),
 *        {@link EventLayout#ORIGIN_HEADER} (an incoming traceparent), {@link EventLayout#ORIGIN_CONN}
 *        (a traced client on this host, matched by TCP connection) or {@link EventLayout#ORIGIN_MESSAGE} (a
 *        traced Kafka producer in another process on this host, matched by message)
 */
public record EventHeader(
        int kind,
        int pid,
        int tid,
        long startNs,
        long endNs,
        long goroutine,
        long target,
        byte[] traceId,
        byte[] spanId,
        int traceFlags,
        byte[] parentSpanId,
        int parentOrigin) {

    /** Whether the parent span lives in another process (W3C's "remote" parent). */
    public boolean parentRemote() {
        return parentOrigin != EventLayout.ORIGIN_LOCAL;
    }
}
