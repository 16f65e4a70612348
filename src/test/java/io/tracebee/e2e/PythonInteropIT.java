package io.tracebee.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.http.ContentType;
import io.tracebee.e2e.Collector.ReceivedSpan;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * tracebee with an in-process agent: a Python service run under {@code opentelemetry-instrument}
 * (OpenTelemetry from PyPI, Flask and requests instrumentations) calls the Go service, which calls
 * back into Python. One connected trace at one collector: Python server (root) ─▶ Python client ─▶
 * Go server (continues the traceparent requests sent) ─▶ Go client ─▶ Python server (continues the
 * traceparent tracebee wrote into the Go request through sk_msg — the Go process is never written).
 */
class PythonInteropIT {
    private static final String PYTHON = "python-svc";

    @Test
    void pythonRootGoServerGoClientPythonServerIsOneTrace() throws Exception {
        Path venv = Fixtures.dir().resolve("python-venv");
        Path app = Path.of("src/test/python/interop.py").toAbsolutePath();
        try (Collector collector = Collector.start();
                AgentProcess agent = AgentProcess.start(Map.of(
                        "OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint(),
                        "OTEL_BSP_SCHEDULE_DELAY", "200"));
                GoServer go = GoServer.start("httpserver-go1.26");
                ManagedProcess python = ManagedProcess.start(PYTHON,
                        List.of(venv.resolve("bin/opentelemetry-instrument").toString(),
                                venv.resolve("bin/python").toString(), app.toString()),
                        Map.of("OTEL_SERVICE_NAME", PYTHON,
                                "OTEL_TRACES_EXPORTER", "otlp",
                                "OTEL_METRICS_EXPORTER", "none",
                                "OTEL_LOGS_EXPORTER", "none",
                                "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc",
                                "OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint(),
                                "OTEL_BSP_SCHEDULE_DELAY", "200",
                                "PYTHONUNBUFFERED", "1"))) {
            agent.attach(go.pid(), "go-svc");
            String pythonAddress = python.awaitLine(l -> l.startsWith("listening on "), Duration.ofSeconds(60))
                    .substring("listening on ".length()).trim();

            HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                    HttpRequest.newBuilder(URI.create("http://" + pythonAddress + "/start?go=" + go.address()))
                            .timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).startsWith("leaf traceparent=00-");

            // Python: server /start, client GET, server /leaf; Go: server /fetch, client GET
            List<ReceivedSpan> py = collector.awaitSpans(s -> PYTHON.equals(s.resource().get("service.name")), 3,
                    Duration.ofSeconds(60));
            List<ReceivedSpan> gos = collector.awaitSpans(s -> "go-svc".equals(s.resource().get("service.name")), 2,
                    Duration.ofSeconds(60));
            ReceivedSpan pyRoot = only(py, s -> s.kind() == 2 && s.name().contains("/start"));
            ReceivedSpan pyClient = only(py, s -> s.kind() == 3);
            ReceivedSpan pyLeaf = only(py, s -> s.kind() == 2 && s.name().contains("/leaf"));
            ReceivedSpan goServer = only(gos, s -> s.kind() == 2);
            ReceivedSpan goClient = only(gos, s -> s.kind() == 3);

            assertThat(pyRoot.parentSpanId()).as("the Python server span is the root").isEmpty();
            assertThat(pyClient.parentSpanId()).isEqualTo(pyRoot.spanId());
            assertThat(goServer.parentSpanId()).as("Go server continues the requests' traceparent").isEqualTo(pyClient.spanId());
            assertThat(goServer.parentRemote()).isTrue();
            assertThat(goClient.parentSpanId()).isEqualTo(goServer.spanId());
            assertThat(pyLeaf.parentSpanId()).as("Python server continues the header tracebee wrote").isEqualTo(goClient.spanId());
            assertThat(List.of(pyClient, goServer, goClient, pyLeaf)).extracting(ReceivedSpan::traceId)
                    .containsOnly(pyRoot.traceId());
            // the flags travel as Python set them: 03 = sampled + W3C level 2's random trace id
            assertThat(r.body()).isEqualTo("leaf traceparent=00-" + goClient.traceId() + "-" + goClient.spanId() + "-"
                    + String.format("%02x", goServer.flags() & 0xff));
            assertThat(goServer.flags() & 1).as("sampled").isEqualTo(1);
        }
    }

    private static ReceivedSpan only(List<ReceivedSpan> spans, java.util.function.Predicate<ReceivedSpan> match) {
        List<ReceivedSpan> found = spans.stream().filter(match).toList();
        assertThat(found).as("in " + spans).hasSize(1);
        return found.get(0);
    }
}
