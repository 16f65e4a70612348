package io.tracebee.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.http.ContentType;
import io.tracebee.e2e.Collector.ReceivedSpan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Two Go services, A (go1.26) calls B (go1.23), both attached to one agent, on this lockdown kernel
 * (no writes to either process): B's server span is a child of A's client span, which is a child of
 * A's server span, one trace per incoming request. B learns its parent twice over — from the
 * traceparent the sk_msg program writes into A's requests, and from the same-host link by TCP
 * connection — and both must agree. Then an incoming W3C traceparent is continued through A into B,
 * and sampled=0 is respected across both processes.
 */
class CrossProcessIT {
    private static final int SEQUENTIAL = 40;
    private static final int CONCURRENT = 200;
    private static final int CONCURRENCY = 32;

    @Test
    void serviceAToServiceBIsOneConnectedTrace() throws Exception {
        try (Collector collector = Collector.start();
                AgentProcess agent = AgentProcess.start(Map.of(
                        "OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint(),
                        "OTEL_BSP_SCHEDULE_DELAY", "200"));
                GoServer a = GoServer.start("httpserver-go1.26");
                GoServer b = GoServer.start("httpserver-go1.23-stripped")) {
            agent.attach(a.pid(), "service-a");
            agent.attach(b.pid(), "service-b");

            // keep-alive: A's http.DefaultClient reuses one connection for sequential calls;
            // every other call is made from a goroutine the handler starts
            for (int i = 0; i < SEQUENTIAL; i++) {
                String route = i % 2 == 0 ? "/call" : "/callasync";
                assertThat(a.get(route + "?url=http://" + b.address() + "/hello/seq-" + i).statusCode()).isEqualTo(200);
            }
            List<Hop> seq = hops(collector, "seq-", SEQUENTIAL);
            assertConnected(seq);
            Set<Object> clientPorts = new HashSet<>();
            seq.forEach(h -> clientPorts.add(h.b.attributes().get("network.peer.port")));
            assertThat(clientPorts.size()).as("requests shared keep-alive connections").isLessThan(SEQUENTIAL / 2);

            // 200 concurrent requests, 32 in flight: connections opened, reused and closed under load
            ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < CONCURRENT; i++) {
                String path = "/call?url=http://" + b.address() + "/hello/par-" + i;
                statuses.add(pool.submit(() -> a.get(path).statusCode()));
            }
            for (Future<Integer> f : statuses) {
                assertThat(f.get()).isEqualTo(200);
            }
            pool.shutdown();
            assertConnected(hops(collector, "par-", CONCURRENT));

            String metrics = agent.metrics();
            assertThat(NoCollectorIT.metric(metrics, "tracebee_context_links_total{result=\"matched\",}"))
                    .isEqualTo(SEQUENTIAL + CONCURRENT);
            assertThat(NoCollectorIT.metric(metrics, "tracebee_context_links_pending")).isZero();
            assertThat(NoCollectorIT.metric(metrics,
                    "tracebee_events_lost_total{reason=\"pipeline_full\",stage=\"reader\",}")).isZero();
        }
    }

    @Test
    void anIncomingTraceparentIsContinuedAcrossBothServicesAndSampledZeroIsRespected() throws Exception {
        try (Collector collector = Collector.start();
                AgentProcess agent = AgentProcess.start(Map.of(
                        "OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint(),
                        "OTEL_BSP_SCHEDULE_DELAY", "200"));
                GoServer a = GoServer.start("httpserver-go1.24");
                GoServer b = GoServer.start("httpserver-go1.25-stripped")) {
            agent.attach(a.pid(), "service-a");
            agent.attach(b.pid(), "service-b");

            String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
            a.get("/call?url=http://" + b.address() + "/hello/continued",
                    Map.of("traceparent", "00-" + trace + "-00f067aa0ba902b7-01", "tracestate", "vendor=abc"));
            // not sampled by the caller: neither A's nor B's spans may be exported
            a.get("/call?url=http://" + b.address() + "/hello/unsampled",
                    Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"));
            // a marker request afterwards: once its spans arrived, the unsampled ones would have too
            a.get("/call?url=http://" + b.address() + "/hello/marker");

            Hop hop = hops(collector, "continued", 1).get(0);
            assertConnected(List.of(hop));
            assertThat(hop.aServer.traceId()).isEqualTo(trace);
            assertThat(hop.aServer.parentSpanId()).isEqualTo("00f067aa0ba902b7");
            assertThat(hop.aServer.parentRemote()).isTrue();
            assertThat(hop.aServer.traceState()).isEqualTo("vendor=abc");
            assertThat(hop.aServer.flags() & 1).isEqualTo(1);
            assertThat(hop.aClient.parentRemote()).isFalse();
            assertThat(hop.b.parentRemote()).as("B's parent is in process A").isTrue();
            assertThat(hop.b.traceId()).isEqualTo(trace);

            hops(collector, "marker", 1);
            assertThat(collector.spans()).noneMatch(s -> s.traceId().equals("0af7651916cd43dd8448eb211c80319c"));
            assertThat(collector.spans()).noneMatch(s -> String.valueOf(s.attributes().get("url.path")).contains("unsampled")
                    || String.valueOf(s.attributes().get("url.full")).contains("unsampled"));
            String metrics = agent.metrics();
            assertThat(NoCollectorIT.metric(metrics, "tracebee_spans_unsampled_total")).isEqualTo(3);
            // A continued 2 incoming headers; B continued all 3 requests from A, whose traceparent the
            // sk_msg program wrote into them (flags 00 for the unsampled one)
            assertThat(NoCollectorIT.metric(metrics, "tracebee_context_incoming_total{result=\"continued\",}")).isEqualTo(5);
            assertThat(NoCollectorIT.metric(metrics, "tracebee_context_injections_total{result=\"done\",}")).isEqualTo(3);
        }
    }

    /** A's server span, A's client span and B's server span of one request. */
    record Hop(ReceivedSpan aServer, ReceivedSpan aClient, ReceivedSpan b) {
    }

    /** Waits for the three spans of each of {@code n} requests whose B path contains the marker. */
    private static List<Hop> hops(Collector collector, String marker, int n) {
        collector.awaitSpans(s -> "service-b".equals(s.resource().get("service.name"))
                && String.valueOf(s.attributes().get("url.path")).contains(marker), n, Duration.ofSeconds(60));
        collector.awaitSpans(s -> s.kind() == 3 && String.valueOf(s.attributes().get("url.full")).contains(marker), n,
                Duration.ofSeconds(30));
        List<ReceivedSpan> spans = collector.spans();
        Map<String, ReceivedSpan> bySpanId = new HashMap<>();
        spans.forEach(s -> bySpanId.put(s.spanId(), s));
        List<Hop> hops = new ArrayList<>();
        for (ReceivedSpan s : spans) {
            if ("service-b".equals(s.resource().get("service.name"))
                    && String.valueOf(s.attributes().get("url.path")).contains(marker)) {
                ReceivedSpan client = bySpanId.get(s.parentSpanId());
                ReceivedSpan server = client == null ? null : bySpanId.get(client.parentSpanId());
                hops.add(new Hop(server, client, s));
            }
        }
        assertThat(hops).hasSize(n);
        return hops;
    }

    private static void assertConnected(List<Hop> hops) {
        int misParented = 0;
        Set<String> traces = new HashSet<>();
        for (Hop h : hops) {
            boolean ok = h.aClient != null && h.aServer != null
                    && "service-a".equals(h.aClient.resource().get("service.name")) && h.aClient.kind() == 3
                    && "service-a".equals(h.aServer.resource().get("service.name")) && h.aServer.kind() == 2
                    && String.valueOf(h.aClient.attributes().get("url.full")).endsWith(String.valueOf(h.b.attributes().get("url.path")))
                    && h.b.traceId().equals(h.aClient.traceId()) && h.aClient.traceId().equals(h.aServer.traceId());
            if (!ok) {
                misParented++;
            } else {
                traces.add(h.aServer.traceId());
            }
        }
        assertThat(misParented).as("B spans not children of their own A client span").isZero();
        assertThat(traces).as("one trace per incoming request").hasSize(hops.size());
    }
}
