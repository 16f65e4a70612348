package io.tracebee.span;

import java.util.List;

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
 * @param traceState W3C tracestate continued from the caller; "" when none
 * @param parentRemote whether the parent span belongs to another process (OTLP's is-remote flag)
 * @param events time-stamped annotations, in the order they were recorded
 * @param links references to other spans
 * @param droppedAttributes attributes the producer discarded over its limits (OTLP's unsigned count; 0 for
 *     spans made from probes, which record no more than they keep, and likewise below)
 * @param droppedEvents events the producer discarded
 * @param droppedLinks links the producer discarded
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
        String scope,
        String traceState,
        boolean parentRemote,
        List<SpanEvent> events,
        List<SpanLink> links,
        int droppedAttributes,
        int droppedEvents,
        int droppedLinks) {

    /** OTLP span flags: bit 8 says whether the parent is remote is known, bit 9 says it is. */
    public static final int FLAG_HAS_IS_REMOTE = 0x100;
    public static final int FLAG_IS_REMOTE = 0x200;

    public Span {
        events = events == null ? List.of() : List.copyOf(events);
        links = links == null ? List.of() : List.copyOf(links);
    }

    /** A span without events or links, none of whose attributes, events or links were dropped. */
    public Span(byte[] traceId, byte[] spanId, byte[] parentSpanId, int traceFlags, String name, SpanKind kind,
            long startEpochNanos, long endEpochNanos, Attributes attributes, StatusCode statusCode,
            String statusMessage, Resource resource, String scope, String traceState, boolean parentRemote) {
        this(traceId, spanId, parentSpanId, traceFlags, name, kind, startEpochNanos, endEpochNanos, attributes,
                statusCode, statusMessage, resource, scope, traceState, parentRemote, List.of(), List.of(), 0, 0, 0);
    }

    /** A span without trace state whose parent, if any, is in the same process. */
    public Span(byte[] traceId, byte[] spanId, byte[] parentSpanId, int traceFlags, String name, SpanKind kind,
            long startEpochNanos, long endEpochNanos, Attributes attributes, StatusCode statusCode,
            String statusMessage, Resource resource, String scope) {
        this(traceId, spanId, parentSpanId, traceFlags, name, kind, startEpochNanos, endEpochNanos, attributes,
                statusCode, statusMessage, resource, scope, "", false);
    }

    /** The W3C trace flags plus OTLP's is-remote bits, as the span's OTLP {@code flags} field. */
    public int otlpFlags() {
        return (traceFlags & 0xff) | FLAG_HAS_IS_REMOTE | (parentRemote ? FLAG_IS_REMOTE : 0);
    }

    public boolean sampled() {
        return (traceFlags & 1) != 0;
    }

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
