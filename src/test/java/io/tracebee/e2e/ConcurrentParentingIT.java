package io.tracebee.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.http.ContentType;
import io.tracebee.e2e.Collector.ReceivedSpan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * 200 concurrent requests whose handlers each make a client call: every client span must be the child
 * of its own handler's server span, in that span's trace — exact ids, zero mis-parented.
 */
class ConcurrentParentingIT {
    private static final int REQUESTS = 200;
    private static final int CONCURRENCY = 32;

    @Test
    void everyClientSpanHasItsOwnHandlerAsParent() throws Exception {
        try (Collector collector = Collector.start();
                AgentProcess agent = AgentProcess.start(Map.of(
                        "OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint(),
                        "OTEL_BSP_SCHEDULE_DELAY", "200"));
                GoServer server = GoServer.start("httpserver-go1.26")) {
            agent.attach(server.pid(), "relay");

            ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                String path = "/relay/" + i;
                statuses.add(pool.submit(() -> server.get(path).statusCode()));
            }
            for (Future<Integer> f : statuses) {
                assertThat(f.get()).isEqualTo(200);
            }
            pool.shutdown();

            // per request: the relay server span, its client span, and the inner /hello server span
            List<ReceivedSpan> spans = collector.awaitSpans(s -> "relay".equals(s.resource().get("service.name")),
                    3 * REQUESTS, Duration.ofSeconds(60));
            assertThat(spans).hasSize(3 * REQUESTS);
            Map<String, ReceivedSpan> relayByPath = new HashMap<>();
            Map<String, ReceivedSpan> clientByTarget = new HashMap<>();
            for (ReceivedSpan s : spans) {
                Object path = s.attributes().get("url.path");
                if (s.kind() == 2 && path != null && path.toString().startsWith("/relay/")) {
                    assertThat(relayByPath.put(path.toString().substring("/relay/".length()), s)).isNull();
                } else if (s.kind() == 3) {
                    String url = s.attributes().get("url.full").toString();
                    assertThat(clientByTarget.put(url.substring(url.lastIndexOf('/') + 1), s)).isNull();
                }
            }
            assertThat(relayByPath).hasSize(REQUESTS);
            assertThat(clientByTarget).hasSize(REQUESTS);
            int misParented = 0;
            for (int i = 0; i < REQUESTS; i++) {
                ReceivedSpan relay = relayByPath.get(Integer.toString(i));
                ReceivedSpan client = clientByTarget.get(Integer.toString(i));
                if (!client.parentSpanId().equals(relay.spanId()) || !client.traceId().equals(relay.traceId())) {
                    misParented++;
                }
                assertThat(relay.parentSpanId()).as("relay spans are roots").isEmpty();
            }
            assertThat(misParented).as("client spans not parented by their own handler").isZero();
            assertThat(relayByPath.values().stream().map(ReceivedSpan::traceId).distinct()).hasSize(REQUESTS);
            assertThat(NoCollectorIT.metric(agent.metrics(), "tracebee_events_lost_total{reason=\"pipeline_full\",stage=\"reader\",}"))
                    .isZero();
        }
    }
}
