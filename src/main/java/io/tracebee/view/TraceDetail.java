package io.tracebee.view;

import java.util.List;

/** One trace with all its known spans, in depth-first order (parents before children, siblings by start). */
public record TraceDetail(
        String traceId,
        long startEpochMillis,
        double durationMs,
        int spanCount,
        boolean error,
        List<SpanView> spans) {
}
