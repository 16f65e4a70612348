package io.tracebee.correlate;

import io.tracebee.decode.TracedEvent;
import io.tracebee.span.Resource;

/**
 * An event placed in its trace: the trace it belongs to, its parent, and the process resource.
 *
 * @param parentSpanId 8 bytes, all zero for a root
 */
public record CorrelatedEvent(TracedEvent event, byte[] traceId, byte[] parentSpanId, int traceFlags,
        Resource resource) {
}
