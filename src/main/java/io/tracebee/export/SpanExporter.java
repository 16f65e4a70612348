package io.tracebee.export;

import io.smallrye.mutiny.Uni;
import io.tracebee.span.Span;
import java.util.List;

/**
 * A destination for finished spans (OTLP collector, file, console, the built-in trace view).
 *
 * <p>Implementations never let an exception escape: {@link #export} reports problems as a failed
 * {@link ExportResult} and {@link #shutdown} completes even when closing fails. Callers
 * ({@link BatchSpanProcessor}) still guard against misbehaving implementations.
 */
public interface SpanExporter {

    /** Short, stable name used in metric tags, thread names and logs ("otlp", "console", ...). */
    String name();

    /** Sends one batch; the returned Uni completes with the outcome and does not fail. */
    Uni<ExportResult> export(List<Span> spans);

    /** Releases connections and files; exports after shutdown fail. */
    Uni<Void> shutdown();
}
