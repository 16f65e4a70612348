package io.tracebee.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.tracebee.span.Span;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchSpanProcessorTest {
    private static final Duration LONG = Duration.ofHours(1);

    static {
        // Mutiny's context propagation finds its provider on first use, and two threads doing that at once fail
        // with "ContextManagerProvider already set" (seen here when an exporter thread and the test thread raced).
        // Quarkus registers it at start; a plain test does it once, here, before any thread competes.
        org.eclipse.microprofile.context.spi.ContextManagerProvider.instance();
    }

    /** Records batches; can hold exports at a gate, fail them, or complete them asynchronously. */
    static class RecordingExporter implements SpanExporter {
        final List<List<Span>> batches = Collections.synchronizedList(new ArrayList<>());
        final List<Long> exportTimes = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final AtomicBoolean shutdownCalled = new AtomicBoolean();
        volatile CountDownLatch gate = new CountDownLatch(0);
        volatile boolean async;

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public Uni<ExportResult> export(List<Span> spans) {
            Uni<ExportResult> work = Uni.createFrom().item(() -> {
                int now = inFlight.incrementAndGet();
                maxInFlight.accumulateAndGet(now, Math::max);
                try {
                    gate.await();
                    if (async) {
                        Thread.sleep(20);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                batches.add(List.copyOf(spans));
                exportTimes.add(System.nanoTime());
                inFlight.decrementAndGet();
                return ExportResult.ok();
            });
            return async ? work.runSubscriptionOn(r -> new Thread(r).start()) : work;
        }

        @Override
        public Uni<Void> shutdown() {
            shutdownCalled.set(true);
            return Uni.createFrom().voidItem();
        }

        int spanCount() {
            synchronized (batches) {
                return batches.stream().mapToInt(List::size).sum();
            }
        }
    }

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<SpanProcessor> processors = new ArrayList<>();

    private BatchSpanProcessor processor(SpanExporter exporter, BatchConfig config) {
        BatchSpanProcessor p = new BatchSpanProcessor(exporter, config, registry);
        processors.add(p);
        return p;
    }

    @AfterEach
    void shutdown() {
        processors.forEach(p -> p.shutdown(Duration.ofSeconds(2)));
    }

    private double dropped(String reason) {
        return registry.get("tracebee.spans.dropped").tag("reason", reason).counter().count();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(5);
        }
    }

    @Test
    void sendsFullBatchesWithoutWaitingForTheTimer() throws Exception {
        RecordingExporter exporter = new RecordingExporter();
        BatchSpanProcessor p = processor(exporter, new BatchConfig(100, 10, LONG, Duration.ofSeconds(5)));

        p.offer(TestSpans.many(25));
        await(() -> exporter.batches.size() == 2);
        Thread.sleep(50);
        assertThat(exporter.batches).hasSize(2).allSatisfy(b -> assertThat(b).hasSize(10));
        assertThat(p.queueSize()).isEqualTo(5);

        p.forceFlush().await().atMost(Duration.ofSeconds(5));
        assertThat(exporter.batches).hasSize(3);
        assertThat(exporter.batches.get(2)).hasSize(5);
        assertThat(registry.get("tracebee.spans.exported").tag("exporter", "recording").counter().count())
                .isEqualTo(25);
        assertThat(registry.get("tracebee.export.duration").timer().count()).isEqualTo(3);
    }

    @Test
    void sendsPartialBatchesAfterTheScheduleDelay() throws Exception {
        RecordingExporter exporter = new RecordingExporter();
        BatchSpanProcessor p = processor(exporter, new BatchConfig(100, 50, Duration.ofMillis(150),
                Duration.ofSeconds(5)));
        Thread.sleep(200); // let the first timer period pass idle
        long offered = System.nanoTime();
        p.offer(TestSpans.many(3));

        await(() -> exporter.batches.size() == 1);
        assertThat(exporter.batches.get(0)).hasSize(3);
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(exporter.exportTimes.get(0) - offered);
        assertThat(waitedMs).isLessThanOrEqualTo(1000);
    }

    @Test
    void dropsAndCountsWhenTheQueueIsFull() throws Exception {
        RecordingExporter exporter = new RecordingExporter();
        exporter.gate = new CountDownLatch(1);
        BatchSpanProcessor p = processor(exporter, new BatchConfig(10, 5, LONG, Duration.ofSeconds(30)));

        p.offer(TestSpans.many(5));
        await(() -> exporter.inFlight.get() == 1); // the worker holds the first batch
        p.offer(TestSpans.many(20));

        // the batch in flight still counts against the cap: 5 more fit
        assertThat(dropped("queue_full")).isEqualTo(15);
        assertThat(registry.get("tracebee.export.queue.size").gauge().value()).isEqualTo(10);
        assertThat(registry.get("tracebee.export.queue.capacity").gauge().value()).isEqualTo(10);

        exporter.gate.countDown();
        p.forceFlush().await().atMost(Duration.ofSeconds(5));
        assertThat(exporter.spanCount()).isEqualTo(10);
        assertThat(registry.get("tracebee.export.queue.size").gauge().value()).isZero();
    }

    @Test
    void keepsOneExportInFlight() throws Exception {
        RecordingExporter exporter = new RecordingExporter();
        exporter.async = true;
        BatchSpanProcessor p = processor(exporter, new BatchConfig(1000, 10, Duration.ofMillis(5),
                Duration.ofSeconds(5)));
        for (int i = 0; i < 10; i++) {
            p.offer(TestSpans.many(20));
        }
        p.forceFlush().await().atMost(Duration.ofSeconds(10));
        assertThat(exporter.spanCount()).isEqualTo(200);
        assertThat(exporter.maxInFlight.get()).isEqualTo(1);
    }

    @Test
    void shutdownFlushesQueuedSpansAndClosesTheExporter() {
        RecordingExporter exporter = new RecordingExporter();
        BatchSpanProcessor p = new BatchSpanProcessor(exporter, new BatchConfig(100, 50, LONG, Duration.ofSeconds(5)),
                registry);
        p.offer(TestSpans.many(7));

        assertThat(p.shutdown(Duration.ofSeconds(5))).isTrue();
        assertThat(exporter.spanCount()).isEqualTo(7);
        assertThat(exporter.shutdownCalled).isTrue();

        p.offer(TestSpans.many(2));
        assertThat(dropped("shutdown")).isEqualTo(2);
        assertThat(registry.find("tracebee.export.queue.size").gauge()).isNull();
    }

    @Test
    void shutdownGivesUpOnAStuckExporterWithinTheBound() throws Exception {
        RecordingExporter exporter = new RecordingExporter();
        exporter.gate = new CountDownLatch(1); // never opened
        BatchSpanProcessor p = new BatchSpanProcessor(exporter, new BatchConfig(100, 5, LONG, Duration.ofMinutes(1)),
                registry);
        p.offer(TestSpans.many(12));

        long start = System.nanoTime();
        boolean drained = p.shutdown(Duration.ofMillis(300));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(drained).isFalse();
        assertThat(tookMs).isLessThan(2000);
        // 7 were still queued; the 5 of the stuck export are counted by its outcome (this exporter completes
        // when interrupted)
        assertThat(dropped("shutdown")).isEqualTo(7);
        await(() -> registry.get("tracebee.spans.exported").counter().count() == 5);
        assertThat(dropped("export_failed")).isZero();
        assertThat(p.forceFlush().await().atMost(Duration.ofSeconds(1))).isNull();
    }

    @Test
    void survivesExportersThatThrowOrHang() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        SpanExporter flaky = new SpanExporter() {
            @Override
            public String name() {
                return "flaky";
            }

            @Override
            public Uni<ExportResult> export(List<Span> spans) {
                return switch (calls.incrementAndGet()) {
                    case 1 -> throw new IllegalStateException("boom");
                    case 2 -> Uni.createFrom().failure(new RuntimeException("async boom"));
                    case 3 -> Uni.createFrom().nothing();
                    default -> Uni.createFrom().item(ExportResult.ok());
                };
            }

            @Override
            public Uni<Void> shutdown() {
                throw new IllegalStateException("shutdown boom");
            }
        };
        BatchSpanProcessor p = processor(flaky, new BatchConfig(100, 1, LONG, Duration.ofMillis(200)));
        p.offer(TestSpans.many(4));
        p.forceFlush().await().atMost(Duration.ofSeconds(5));

        // the hung export timed out, which is transient: its span was kept and sent again
        assertThat(calls.get()).isEqualTo(5);
        assertThat(registry.get("tracebee.export.failures").counter().count()).isEqualTo(3);
        assertThat(registry.get("tracebee.export.retries").counter().count()).isEqualTo(1);
        assertThat(dropped("export_failed")).isEqualTo(2);
        assertThat(registry.get("tracebee.spans.exported").counter().count()).isEqualTo(2);
        assertThat(p.shutdown(Duration.ofSeconds(1))).isTrue();
    }

    @Test
    void aSlowExporterDoesNotStallTheOthers() throws Exception {
        RecordingExporter slow = new RecordingExporter();
        slow.gate = new CountDownLatch(1);
        RecordingExporter fast = new RecordingExporter() {
            @Override
            public String name() {
                return "fast";
            }
        };
        FanOutSpanProcessor fanOut = FanOutSpanProcessor.of(List.of(slow, fast),
                new BatchConfig(100, 5, Duration.ofMillis(20), Duration.ofSeconds(30)), registry);
        processors.add(fanOut);
        for (int i = 0; i < 5; i++) {
            fanOut.offer(TestSpans.many(5));
        }
        await(() -> fast.spanCount() == 25);
        assertThat(slow.spanCount()).isZero();
        slow.gate.countDown();
        fanOut.forceFlush().await().atMost(Duration.ofSeconds(5));
        assertThat(slow.spanCount()).isEqualTo(25);
    }
}
