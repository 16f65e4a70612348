package io.tracebee.e2e;

import io.tracebee.e2e.Collector.ReceivedSpan;
import java.time.Duration;
import java.util.List;

/** Walking the spans of one trace as the collector received them. */
final class Traces {
    private Traces() {
    }

    /** The spans of {@code span}'s trace, once at least {@code atLeast} of them arrived. */
    static List<ReceivedSpan> traceOf(Collector collector, ReceivedSpan span, int atLeast) {
        collector.awaitSpans(s -> s.traceId().equals(span.traceId()), atLeast, Duration.ofSeconds(30));
        return collector.spans().stream().filter(s -> s.traceId().equals(span.traceId())).toList();
    }

    /**
     * {@code child}'s parent, waiting for it to arrive: for traces whose size is not known in advance (a new
     * connection's set-up commands may sit in them), where counting spans would stop waiting too early.
     */
    static ReceivedSpan awaitParentOf(Collector collector, ReceivedSpan child) {
        return collector.awaitSpans(s -> s.traceId().equals(child.traceId()) && s.spanId().equals(child.parentSpanId()),
                1, Duration.ofSeconds(30)).get(0);
    }

    static ReceivedSpan parentOf(List<ReceivedSpan> trace, ReceivedSpan child) {
        return trace.stream().filter(s -> s.spanId().equals(child.parentSpanId())).findFirst()
                .orElseThrow(() -> new AssertionError("no parent " + child.parentSpanId() + " for " + child.name()
                        + " in " + trace.stream().map(ReceivedSpan::name).toList()));
    }
}
