package io.tracebee.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Without a collector the agent still serves a person: console trees, OTLP JSON lines in a file
 * (the Collector file exporter's format), the built-in trace view's API and Prometheus metrics.
 * The target is attached with the --target-pid flag.
 */
class NoCollectorIT {
    @Test
    void consoleFileViewAndMetrics() throws Exception {
        Path file = Files.createDirectories(Path.of("target", "e2e-file")).resolve("spans-" + System.nanoTime() + ".jsonl");
        try (GoServer server = GoServer.start("httpserver-go1.24");
                AgentProcess agent = AgentProcess.start(Map.of(
                        "OTEL_TRACES_EXPORTER", "console,file",
                        "OTEL_EXPORTER_FILE_PATH", file.toAbsolutePath().toString(),
                        "OTEL_SERVICE_NAME", "no-collector",
                        "OTEL_BSP_SCHEDULE_DELAY", "200"),
                        "--target-pid", Long.toString(server.pid()))) {
            server.get("/hello/1");
            server.get("/status/500");
            server.post("/echo", "x");

            agent.process().awaitLine(l -> l.contains("GET /hello/{id}") && l.contains("SERVER"), Duration.ofSeconds(20));
            agent.process().awaitLine(l -> l.contains("GET /status/{code}") && l.contains("ERROR"), Duration.ofSeconds(5));
            // the three requests' spans may reach the console in any order: wait for each before counting
            agent.process().awaitLine(l -> l.contains("POST /echo") && l.contains("SERVER"), Duration.ofSeconds(5));

            List<String> traceIds = given().baseUri(agent.baseUri()).queryParam("service", "no-collector")
                    .when().get("/api/traces")
                    .then().statusCode(200).extract().path("traceId");
            assertThat(traceIds).hasSize(3);
            given().baseUri(agent.baseUri()).when().get("/api/traces").then()
                    .body("rootName", hasItem("POST /echo"));
            given().baseUri(agent.baseUri()).when().get("/").then().statusCode(200)
                    .contentType(org.hamcrest.Matchers.containsString("text/html"));

            JsonNode line = awaitFileSpans(file, 3);
            JsonNode span = line.path("resourceSpans").get(0).path("scopeSpans").get(0).path("spans").get(0);
            assertThat(span.path("traceId").asText()).matches("[0-9a-f]{32}");
            assertThat(span.path("kind").asInt()).isEqualTo(2);
            assertThat(line.path("resourceSpans").get(0).path("resource").toString()).contains("no-collector");

            String metrics = agent.metrics();
            assertThat(metric(metrics, "tracebee_events_received_total")).isGreaterThanOrEqualTo(3);
            assertThat(metric(metrics, "tracebee_spans_exported_total{exporter=\"console\",}")).isGreaterThanOrEqualTo(3);
            assertThat(metric(metrics, "tracebee_targets_attached")).isEqualTo(1);
            assertThat(metric(metrics, "tracebee_events_lost_total{reason=\"ringbuf_full\",stage=\"kernel\",}")).isZero();
            given().baseUri(agent.baseUri()).when().get("/q/health/ready").then().statusCode(200)
                    .body("status", equalTo("UP"));

            // a refused attach, so the failure counter for its reason exists
            given().baseUri(agent.baseUri()).contentType("application/json").body("{\"exe\": \"/bin/ls\"}")
                    .when().post("/targets").then().statusCode(422);
            assertThat(selfMetricFamilies(agent.metrics())).isEmpty();
        }
    }

    /**
     * Issue #6's self-metrics, each as a Prometheus line prefix: returns those missing. Events per probe, kernel
     * drops, ring fill, decode errors, correlation matched/unmatched, queue length and capacity, spans exported /
     * failed / dropped by reason, export latency, targets by state, attach failures by reason, BPF run count and time.
     */
    static List<String> selfMetricFamilies(String metrics) {
        List<String> wanted = List.of(
                "tracebee_events_by_kind_total{kind=\"http_server\",}",
                "tracebee_bpf_program_runs_total{program=",
                "tracebee_bpf_program_run_seconds_total{program=",
                "tracebee_events_lost_total{reason=\"ringbuf_full\",stage=\"kernel\",}",
                "tracebee_events_lost_total{reason=\"inflight_full\",stage=\"kernel\",}",
                "tracebee_ringbuf_pending_bytes ",
                "tracebee_ringbuf_size_bytes ",
                "tracebee_events_lost_total{reason=\"malformed\",stage=\"decode\",}",
                "tracebee_context_links_total{result=\"matched\",}",
                "tracebee_context_links_total{result=\"unmatched\",}",
                "tracebee_export_queue_size{exporter=",
                "tracebee_export_queue_capacity{exporter=",
                "tracebee_spans_exported_total{exporter=",
                "tracebee_export_failures_total{exporter=",
                "tracebee_spans_dropped_total{exporter=\"console\",reason=\"queue_full\",}",
                "tracebee_export_duration_seconds_count{exporter=",
                "tracebee_export_duration_seconds_sum{exporter=",
                "tracebee_targets{state=\"attached\",}",
                "tracebee_targets{state=\"exited\",}",
                "tracebee_targets{state=\"watching\",}",
                "tracebee_attach_failures_total{reason=\"not-go\",}",
                "tracebee_process_state_purged_total{where=\"kernel\",}",
                "tracebee_probe_load_seconds_sum{library=\"net/http server\",}",
                "tracebee_probe_attach_seconds_sum{library=\"net/http server\",}");
        return wanted.stream().filter(w -> metrics.lines().noneMatch(l -> l.startsWith(w))).toList();
    }

    private static JsonNode awaitFileSpans(Path file, int spans) throws Exception {
        ObjectMapper json = new ObjectMapper();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                int n = 0;
                JsonNode first = null;
                for (String l : Files.readAllLines(file)) {
                    JsonNode node = json.readTree(l);
                    first = first == null ? node : first;
                    n += node.findValues("spanId").size();
                }
                if (n >= spans) {
                    return first;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("file exporter wrote fewer than " + spans + " spans to " + file);
    }

    static double metric(String metrics, String name) {
        return metricValue(metrics, name).orElseThrow(() -> new AssertionError("no metric " + name + " in\n" + metrics));
    }

    /** The value of the Prometheus line {@code name value}, if there is one. */
    static java.util.OptionalDouble metricValue(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1))).findFirst();
    }
}
