package io.tracebee.view;

import java.util.List;

/**
 * One line of the trace list.
 *
 * @param rootName name of the root span, or of the earliest span when the root has not arrived
 * @param service service of that span
 * @param services every service that contributed spans
 * @param startEpochMillis start of the earliest span
 * @param durationMs from the earliest start to the latest end
 * @param error whether any span has status ERROR
 */
public record TraceSummary(
        String traceId,
        String rootName,
        String service,
        List<String> services,
        long startEpochMillis,
        double durationMs,
        int spanCount,
        boolean error) {
}
