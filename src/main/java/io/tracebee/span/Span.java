package io.tracebee.span;

/**
 * One finished span, as assembled from kernel events and handed to exporters.
 *
 * @param traceId 16 bytes
 * @param spanId 8 bytes
 * @param parentSpanId 8 bytes, all zero for a root span
 * @param traceFlags W3C trace flags (bit 0 = sampled)
 * @param startEpochNanos wall-clock start, nanoseconds since the Unix epoch
 * @param endEpochNanos wall-clock end, nanoseconds since the Unix epoch
 * @param scope instrumentation scope name (the probe's library, e.g. "net/http")
 */
public record Span(
        byte[] traceId,
        byte[] spanId,
        byte[] parentSpanId,
        int traceFlags,
        String name,
        SpanKind kind,
        long startEpochNanos,
        long endEpochNanos,
        Attributes attributes,
        StatusCode statusCode,
        String statusMessage,
        Resource resource,
        String scope) {

    public boolean isRoot() {
        for (byte b : parentSpanId) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    public String traceIdHex() {
        return Hex.encode(traceId);
    }

    public String spanIdHex() {
        return Hex.encode(spanId);
    }

    public String parentSpanIdHex() {
        return isRoot() ? "" : Hex.encode(parentSpanId);
    }
}
