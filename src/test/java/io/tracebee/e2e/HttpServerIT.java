package io.tracebee.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import io.tracebee.e2e.Collector.ReceivedSpan;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An unmodified Go HTTP server, attached at runtime with POST /targets, produces one SERVER span per
 * request at a real OpenTelemetry Collector; DELETE detaches live and removes the uprobes.
 */
class HttpServerIT {
    @RegisterExtension
    static final AgentAndCollector shared = new AgentAndCollector();

    @ParameterizedTest
    @ValueSource(strings = {"httpserver-go1.23", "httpserver-go1.24", "httpserver-go1.25", "httpserver-go1.26",
        "httpserver-go1.26-stripped"})
    void serverSpansFromAnAttachedProcess(String fixture) {
        try (GoServer server = GoServer.start(fixture)) {
            String goMinor = fixture.replaceAll(".*-(go1\\.\\d+).*", "$1");
            String id = given().baseUri(shared.agent.baseUri()).contentType(ContentType.JSON)
                    .body(Map.of("pid", server.pid(), "serviceName", "svc-" + fixture))
                    .when().post("/targets")
                    .then().statusCode(201)
                    .header("Location", startsWith(shared.agent.baseUri() + "/targets/"))
                    .body("pid", equalTo((int) server.pid()))
                    .body("goVersion", startsWith(goMinor))
                    .body("probes.library", hasItem("net/http server"))
                    .body("probes.state", hasItem("attached"))
                    .extract().path("id");
            assertThat(Uprobes.heldBy(shared.agent.pid())).isNotEmpty();

            long before = epochNanos();
            assertThat(server.get("/hello/42?lang=en&sig=secret").statusCode()).isEqualTo(200);
            assertThat(server.get("/status/503").statusCode()).isEqualTo(503);
            assertThat(server.post("/echo", "ping").statusCode()).isEqualTo(200);
            assertThat(server.get("/nowrite").statusCode()).isEqualTo(200);
            assertThat(server.get("/nope").statusCode()).isEqualTo(404);
            long after = epochNanos();

            List<ReceivedSpan> spans = shared.collector.awaitSpans(s -> ("svc-" + fixture).equals(s.resource().get("service.name")),
                    5, Duration.ofSeconds(20));
            assertThat(spans).hasSize(5);
            for (ReceivedSpan s : spans) {
                assertThat(s.kind()).as("SERVER").isEqualTo(2);
                assertThat(s.traceId()).hasSize(32).isNotEqualTo("0".repeat(32));
                assertThat(s.spanId()).hasSize(16);
                assertThat(s.parentSpanId()).isEmpty();
                // kernel monotonic -> wall clock is exact to the calibration window: allow 2 ms
                assertThat(s.startNanos()).isBetween(before - CLOCK_TOLERANCE, after + CLOCK_TOLERANCE);
                assertThat(s.endNanos()).isBetween(s.startNanos(), after + CLOCK_TOLERANCE);
                assertThat(s.attributes()).containsEntry("url.scheme", "http")
                        .containsEntry("network.protocol.version", "1.1")
                        .containsEntry("network.peer.address", "127.0.0.1")
                        .containsEntry("server.address", "127.0.0.1")
                        .containsEntry("server.port", (long) server.port());
                assertThat(s.resource()).containsEntry("process.pid", server.pid())
                        .containsEntry("telemetry.distro.name", "tracebee")
                        .containsKey("host.name")
                        .containsEntry("process.executable.path", Fixtures.file(fixture).toString());
                assertThat((String) s.resource().get("process.runtime.version")).startsWith(goMinor);
            }
            ReceivedSpan hello = byPath(spans, "/hello/42");
            assertThat(hello.name()).isEqualTo("GET /hello/{id}");
            assertThat(hello.attributes()).containsEntry("http.request.method", "GET")
                    .containsEntry("url.query", "lang=en&sig=REDACTED")
                    .containsEntry("http.route", "/hello/{id}")
                    .containsEntry("http.response.status_code", 200L);
            assertThat(hello.statusCode()).isEqualTo(0);

            ReceivedSpan failed = byPath(spans, "/status/503");
            assertThat(failed.name()).isEqualTo("GET /status/{code}");
            assertThat(failed.attributes()).containsEntry("http.response.status_code", 503L);
            assertThat(failed.statusCode()).as("5xx is ERROR").isEqualTo(2);

            assertThat(byPath(spans, "/echo").name()).isEqualTo("POST /echo");
            assertThat(byPath(spans, "/nowrite").attributes()).containsEntry("http.response.status_code", 200L);
            ReceivedSpan notFound = byPath(spans, "/nope");
            assertThat(notFound.attributes()).containsEntry("http.response.status_code", 404L);
            assertThat(notFound.statusCode()).as("4xx is not an error on a server span").isEqualTo(0);

            assertThat(NoCollectorIT.metric(shared.agent.metrics(), "tracebee_spans_exported_total{exporter=\"otlp\",}"))
                    .isGreaterThanOrEqualTo(5);
            // a client call made by the handler is that handler's child, in its trace
            assertThat(server.get("/call?url=http://" + server.address() + "/hello/inner").statusCode()).isEqualTo(200);
            List<ReceivedSpan> call = shared.collector.awaitSpans(s -> ("svc-" + fixture).equals(s.resource().get("service.name"))
                    && (s.kind() == 3 || "/call".equals(s.attributes().get("url.path"))), 2, Duration.ofSeconds(20));
            ReceivedSpan outer = byPath(call, "/call");
            ReceivedSpan client = call.stream().filter(s -> s.kind() == 3).findFirst().orElseThrow();
            assertThat(client.name()).isEqualTo("GET");
            assertThat(client.traceId()).isEqualTo(outer.traceId());
            assertThat(client.parentSpanId()).isEqualTo(outer.spanId());
            assertThat(client.attributes()).containsEntry("url.full", "http://" + server.address() + "/hello/inner")
                    .containsEntry("http.response.status_code", 200L)
                    .containsEntry("server.port", (long) server.port());
            assertThat(client.startNanos()).isBetween(outer.startNanos(), outer.endNanos());

            // ... also when the handler makes the call from a goroutine it starts
            assertThat(server.get("/callasync?url=http://" + server.address() + "/hello/async").statusCode()).isEqualTo(200);
            List<ReceivedSpan> async = shared.collector.awaitSpans(s -> ("svc-" + fixture).equals(s.resource().get("service.name"))
                    && (s.kind() == 3 || "/callasync".equals(s.attributes().get("url.path"))), 3, Duration.ofSeconds(20));
            ReceivedSpan asyncOuter = byPath(async, "/callasync");
            ReceivedSpan asyncClient = async.stream()
                    .filter(s -> s.kind() == 3 && String.valueOf(s.attributes().get("url.full")).endsWith("/hello/async"))
                    .findFirst().orElseThrow(() -> new AssertionError("no async client span in " + async));
            assertThat(asyncClient.traceId()).isEqualTo(asyncOuter.traceId());
            assertThat(asyncClient.parentSpanId()).isEqualTo(asyncOuter.spanId());

            given().baseUri(shared.agent.baseUri()).when().get("/targets/" + id).then().statusCode(200)
                    .body("id", equalTo(id));
            given().baseUri(shared.agent.baseUri()).when().delete("/targets/" + id).then().statusCode(204);
            given().baseUri(shared.agent.baseUri()).when().get("/targets/" + id).then().statusCode(404)
                    .contentType("application/problem+json");
            assertThat(Uprobes.heldBy(shared.agent.pid())).as("uprobes after DELETE").isEmpty();

            for (int i = 0; i < 5; i++) {
                server.get("/hello/after-detach");
            }
            ManagedProcess.sleep(1500);
            assertThat(shared.collector.spans().stream().filter(s -> "/hello/after-detach".equals(s.attributes().get("url.path"))))
                    .as("no spans after DELETE").isEmpty();
        }
    }

    static final long CLOCK_TOLERANCE = 2_000_000L;

    static long epochNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    static ReceivedSpan byPath(List<ReceivedSpan> spans, String path) {
        return spans.stream().filter(s -> path.equals(s.attributes().get("url.path"))).findFirst()
                .orElseThrow(() -> new AssertionError("no span for " + path + " in " + spans));
    }
}
