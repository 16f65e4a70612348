package io.tracebee.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.e2e.Collector.ReceivedSpan;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Go Auto's environment works unchanged: OTEL_GO_AUTO_TARGET_EXE at start-up covers every process
 * of the binary, including ones started after the agent; OTEL_SERVICE_NAME names them.
 */
class EnvTargetIT {
    @Test
    void attachesTheExecutableNamedInTheEnvironment() {
        String fixture = "httpserver-go1.26";
        try (Collector collector = Collector.start();
                AgentProcess agent = AgentProcess.start(Map.of(
                        "OTEL_GO_AUTO_TARGET_EXE", Fixtures.file(fixture).toString(),
                        "OTEL_SERVICE_NAME", "env-attached",
                        "OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint(),
                        "OTEL_BSP_SCHEDULE_DELAY", "200"));
                GoServer server = GoServer.start(fixture)) {
            for (int i = 0; i < 3; i++) {
                assertThat(server.get("/hello/" + i).statusCode()).isEqualTo(200);
            }
            List<ReceivedSpan> spans;
            try {
                spans = collector.awaitSpans(s -> "env-attached".equals(s.resource().get("service.name")),
                        3, Duration.ofSeconds(20));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\nagent metrics:\n" + agent.metrics()
                        + "\nprograms:\n" + Uprobes.programRunCounts(), e);
            }
            assertThat(spans).hasSize(3).allSatisfy(s -> {
                assertThat(s.name()).isEqualTo("GET /hello/{id}");
                assertThat(s.resource()).containsEntry("process.pid", server.pid());
            });
        }
    }
}
