package io.tracebee.e2e;

import static io.tracebee.e2e.NoCollectorIT.metric;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.e2e.Collector.ReceivedSpan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The agent under faults, against a real collector and a real traced Go server: the collector goes away and comes
 * back, the agent is told to stop while spans wait for export, the kernel ring buffer overflows. Each /hello request
 * makes exactly one span, so every request is either delivered or counted as lost.
 */
class FaultsIT {
    private static final String HELLO = "GET /hello/{id}";
    private static final String QUEUE_FULL = "tracebee_spans_dropped_total{exporter=\"otlp\",reason=\"queue_full\",}";
    private static final String EXPORT_FAILED = "tracebee_spans_dropped_total{exporter=\"otlp\",reason=\"export_failed\",}";
    private static final String EXPORTED = "tracebee_spans_exported_total{exporter=\"otlp\",}";
    private static final String QUEUED = "tracebee_export_queue_size{exporter=\"otlp\",}";
    private static final String ASSEMBLED = "tracebee_spans_assembled_total";
    private static final String RINGBUF_FULL = "tracebee_events_lost_total{reason=\"ringbuf_full\",stage=\"kernel\",}";
    private static final String PIPELINE_FULL = "tracebee_events_lost_total{reason=\"pipeline_full\",stage=\"reader\",}";

    /**
     * A 30 s collector outage with a queue of 100: the 100 spans that fit wait and arrive after the collector is back,
     * the 50 that did not are counted as dropped, and the queue never holds more than its cap.
     */
    @Test
    void collectorOutageThenRecovery() throws Exception {
        try (Collector collector = Collector.start();
                GoServer server = GoServer.start("httpserver-go1.26");
                AgentProcess agent = agent(collector, server, "outage", Map.of(
                        "OTEL_BSP_SCHEDULE_DELAY", "100",
                        "OTEL_BSP_MAX_QUEUE_SIZE", "100",
                        "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "20"))) {
            server.get("/hello/before");
            collector.awaitSpans(hello("outage"), 1, Duration.ofSeconds(20));

            collector.stop();
            long outage = System.nanoTime();
            for (int i = 0; i < 150; i++) {
                assertThat(server.get("/hello/" + i).statusCode()).isEqualTo(200);
            }
            awaitMetric(agent, ASSEMBLED, 151, Duration.ofSeconds(20));
            awaitMetric(agent, QUEUE_FULL, 50, Duration.ofSeconds(10));
            while (System.nanoTime() - outage < TimeUnit.SECONDS.toNanos(30)) {
                String m = agent.metrics();
                assertThat(metric(m, QUEUED)).as("queue size during the outage").isLessThanOrEqualTo(100);
                assertThat(metric(m, EXPORT_FAILED)).isZero();
                Thread.sleep(1000);
            }
            String during = agent.metrics();
            assertThat(metric(during, QUEUED)).isEqualTo(100);
            assertThat(metric(during, "tracebee_export_retries_total{exporter=\"otlp\",}")).isPositive();

            collector.restart();
            long back = System.nanoTime();
            List<ReceivedSpan> spans = collector.awaitSpans(hello("outage"), 101, Duration.ofSeconds(60));
            long recoveryMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back);
            // the oldest 100 were kept, in order; the 50 after them found the queue full
            assertThat(spans.stream().map(s -> (String) s.attributes().get("url.path")).distinct())
                    .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 100).mapToObj(i -> "/hello/" + i)
                            .collect(java.util.stream.Collectors.toCollection(() -> new ArrayList<>(List.of("/hello/before")))));
            String after = agent.metrics();
            assertThat(metric(after, EXPORTED)).isEqualTo(101);
            assertThat(metric(after, QUEUE_FULL)).isEqualTo(50);
            assertThat(metric(after, EXPORT_FAILED)).isZero();
            assertThat(recoveryMs).as("delivery after the collector came back").isLessThan(30_000);

            server.get("/hello/after");
            collector.awaitSpans(hello("outage").and(s -> "/hello/after".equals(s.attributes().get("url.path"))), 1,
                    Duration.ofSeconds(10));
            System.out.printf("[faults] outage of 30 s: 100 spans delivered %d ms after the collector came back%n",
                    recoveryMs);
        }
    }

    /** SIGTERM while spans wait for the next export: they are flushed, then the probes are detached, in bounded time. */
    @Test
    void sigtermFlushesAndDetaches() throws Exception {
        try (Collector collector = Collector.start();
                GoServer server = GoServer.start("httpserver-go1.26");
                AgentProcess agent = agent(collector, server, "sigterm", Map.of("OTEL_BSP_SCHEDULE_DELAY", "600000"))) {
            for (int i = 0; i < 30; i++) {
                server.get("/hello/" + i);
            }
            awaitMetric(agent, QUEUED, 30, Duration.ofSeconds(20));
            assertThat(collector.spans()).isEmpty();
            assertThat(Uprobes.heldBy(agent.pid())).isNotEmpty();

            long start = System.nanoTime();
            agent.process().terminate();
            agent.process().waitFor(Duration.ofSeconds(30));
            long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(collector.awaitSpans(hello("sigterm"), 30, Duration.ofSeconds(5))).hasSize(30);
            String stopped = agent.process().awaitLine(l -> l.contains("tracebee stopped"), Duration.ofSeconds(1));
            assertThat(stopped).contains("1 target(s) detached").doesNotContain("not all");
            assertThat(stopMs).as("SIGTERM to exit").isLessThan(15_000);
            // the target never noticed
            assertThat(server.get("/hello/after").statusCode()).isEqualTo(200);
            System.out.printf("[faults] SIGTERM to exit: %d ms (%s)%n", stopMs, stopped.trim());
        }
    }

    /**
     * A 4 KiB ring read every 200 ms overflows under a burst of concurrent requests: what the kernel could not write
     * is counted, every other request is delivered or counted where it was lost (the ring is drained in batches of a
     * few records, and at start the pipeline thread may fall its batch queue behind: the reader then drops, and
     * counts), and tracing goes on.
     */
    @Test
    void ringBufferOverflowIsCountedAndTracingGoesOn() throws Exception {
        int requests = 600;
        try (Collector collector = Collector.start();
                GoServer server = GoServer.start("httpserver-go1.26");
                AgentProcess agent = agent(collector, server, "overflow", Map.of(
                        "OTEL_BSP_SCHEDULE_DELAY", "100",
                        "OTEL_BSP_MAX_QUEUE_SIZE", "4096",
                        "TRACEBEE_RING_BUFFER_BYTES", "4096",
                        "TRACEBEE_RING_BUFFER_POLL_MS", "200"))) {
            ExecutorService clients = Executors.newFixedThreadPool(16);
            try {
                List<Future<Integer>> codes = new ArrayList<>();
                for (int i = 0; i < requests; i++) {
                    String path = "/hello/" + i;
                    codes.add(clients.submit(() -> server.get(path).statusCode()));
                }
                for (Future<Integer> code : codes) {
                    assertThat(code.get(60, TimeUnit.SECONDS)).isEqualTo(200);
                }
            } finally {
                clients.shutdownNow();
            }
            // every request is accounted for: delivered, or lost in the kernel and counted
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            double lost;
            double behind;
            long delivered;
            String m;
            do {
                Thread.sleep(200);
                m = agent.metrics();
                lost = metric(m, RINGBUF_FULL);
                behind = metric(m, PIPELINE_FULL);
                delivered = collector.spans().stream().filter(hello("overflow")).count();
            } while (delivered + lost + behind < requests && System.nanoTime() < deadline);
            assertThat(lost).as("events lost to a full ring").isPositive();
            assertThat(delivered + (long) lost + (long) behind).as("delivered + counted losses, with\n" + m)
                    .isEqualTo(requests);
            assertThat(behind).as("reader drops").isLessThan(requests / 10.0);

            server.get("/hello/after");
            collector.awaitSpans(hello("overflow").and(s -> "/hello/after".equals(s.attributes().get("url.path"))), 1,
                    Duration.ofSeconds(10));
            System.out.printf("[faults] ring overflow: %d of %d requests delivered, %d counted as ringbuf_full, %d as"
                    + " pipeline_full%n", delivered, requests, (long) lost, (long) behind);
        }
    }

    /** The agent tracing {@code server} as {@code service}, exporting to {@code collector}, with more settings. */
    private static AgentProcess agent(Collector collector, GoServer server, String service, Map<String, String> env) {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint());
        all.put("OTEL_SERVICE_NAME", service);
        return AgentProcess.start(all, "--target-pid", Long.toString(server.pid()));
    }

    private static Predicate<ReceivedSpan> hello(String service) {
        return s -> s.name().equals(HELLO) && service.equals(s.resource().get("service.name"));
    }

    private static void awaitMetric(AgentProcess agent, String name, double atLeast, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String m = agent.metrics();
        while (NoCollectorIT.metricValue(m, name).orElse(0) < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " stayed below " + atLeast + ":\n" + m);
            }
            Thread.sleep(100);
            m = agent.metrics();
        }
    }
}
