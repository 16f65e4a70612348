package io.tracebee.export;

import io.smallrye.mutiny.Uni;
import io.tracebee.span.Span;
import java.time.Duration;
import java.util.List;

/** Where the pipeline hands finished spans; decouples span assembly from slow exporters. */
public interface SpanProcessor {

    /** Queues spans for export; never blocks, drops (and counts) what does not fit. */
    void offer(List<Span> spans);

    /** Completes once every span offered before the call has been exported (or has failed to be). */
    Uni<Void> forceFlush();

    /**
     * Stops accepting spans, exports what is queued within {@code timeout}, then shuts the exporters
     * down. Blocks the caller; returns whether everything queued was handled in time.
     */
    boolean shutdown(Duration timeout);
}
