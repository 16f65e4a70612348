package io.tracebee.export;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.tracebee.span.Span;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Hands every span to several exporters, each behind its own {@link BatchSpanProcessor} so a slow or
 * unreachable one (an OTLP collector) never holds up the others (the built-in trace view).
 */
public final class FanOutSpanProcessor implements SpanProcessor {
    private final List<BatchSpanProcessor> processors;

    public FanOutSpanProcessor(List<BatchSpanProcessor> processors) {
        this.processors = List.copyOf(processors);
    }

    /** One {@link BatchSpanProcessor} per exporter, all with the same limits. */
    public static FanOutSpanProcessor of(List<? extends SpanExporter> exporters, BatchConfig config,
            MeterRegistry registry) {
        List<BatchSpanProcessor> processors = new ArrayList<>(exporters.size());
        for (SpanExporter exporter : exporters) {
            processors.add(new BatchSpanProcessor(exporter, config, registry));
        }
        return new FanOutSpanProcessor(processors);
    }

    public List<BatchSpanProcessor> processors() {
        return processors;
    }

    @Override
    public void offer(List<Span> spans) {
        for (BatchSpanProcessor processor : processors) {
            processor.offer(spans);
        }
    }

    @Override
    public Uni<Void> forceFlush() {
        if (processors.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> flushes = new ArrayList<>(processors.size());
        for (BatchSpanProcessor processor : processors) {
            flushes.add(processor.forceFlush());
        }
        return Uni.join().all(flushes).andCollectFailures().replaceWithVoid();
    }

    /** Drains all exporters in parallel against one deadline. */
    @Override
    public boolean shutdown(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (BatchSpanProcessor processor : processors) {
            processor.beginShutdown();
        }
        boolean all = true;
        for (BatchSpanProcessor processor : processors) {
            all &= processor.awaitShutdown(deadline);
        }
        return all;
    }
}
