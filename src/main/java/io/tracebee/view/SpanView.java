package io.tracebee.view;

import java.util.Map;

/**
 * One span as the trace page shows it; times are both exact (nanosecond strings) and relative to
 * the trace start (milliseconds, for drawing).
 *
 * @param parentSpanId empty for a root span
 * @param depth nesting level in the trace's tree (orphans whose parent has not arrived are at 0)
 * @param startOffsetMs start relative to the trace's earliest span
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
        Map<String, Object> resource) {
}
