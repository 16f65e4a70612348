package io.tracebee.view;

import java.util.List;
import java.util.Map;

/**
 * One span as the trace page shows it; times are both exact (nanosecond strings) and relative to
 * the trace start (milliseconds, for drawing).
 *
 * @param parentSpanId empty for a root span
 * @param depth nesting level in the trace's tree (orphans whose parent has not arrived are at 0)
 * @param startOffsetMs start relative to the trace's earliest span
 * @param attributes values as JSON shows them: bytes as base64 strings, key-value lists as objects
 */
public record SpanView(
        String spanId,
        String parentSpanId,
        String name,
        String kind,
        String scope,
        String service,
        String startTimeUnixNano,
        String endTimeUnixNano,
        double startOffsetMs,
        double durationMs,
        int depth,
        String statusCode,
        String statusMessage,
        Map<String, Object> attributes,
        Map<String, Object> resource,
        List<Event> events,
        List<Link> links) {

    /** A span event; {@code offsetMs} is relative to the trace's earliest span, like {@code startOffsetMs}. */
    public record Event(String name, String timeUnixNano, double offsetMs, Map<String, Object> attributes) {
    }

    /** A link to another span, perhaps of another trace. */
    public record Link(String traceId, String spanId, String traceState, Map<String, Object> attributes) {
    }
}
