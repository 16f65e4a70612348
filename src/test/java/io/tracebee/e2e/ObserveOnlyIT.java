package io.tracebee.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasItem;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code TRACEBEE_TARGET_WRITES=off}: the agent traces, but adds nothing to what the target sends (no traceparent
 * on its outgoing requests) and does not even ask the kernel whether it could write process memory.
 */
class ObserveOnlyIT {
    @Test
    void tracesWithoutChangingWhatTheTargetSends() {
        try (GoServer traced = GoServer.start("httpserver-go1.26");
                GoServer other = GoServer.start("httpserver-go1.26");
                AgentProcess agent = AgentProcess.start(Map.of(
                        "TRACEBEE_TARGET_WRITES", "off",
                        "OTEL_SERVICE_NAME", "observe-only",
                        "OTEL_TRACES_EXPORTER", "none",
                        "OTEL_BSP_SCHEDULE_DELAY", "100"),
                        "--target-pid", Long.toString(traced.pid()))) {
            String started = agent.process().awaitLine(l -> l.contains("tracebee started"), Duration.ofSeconds(5));
            assertThat(started).contains("writing target memory off (TRACEBEE_TARGET_WRITES=off: observe only)")
                    .contains("outgoing traceparent headers off (TRACEBEE_TARGET_WRITES=off)");

            String body = traced.get("/fetch?url=http://" + other.address() + "/inspect").body();
            assertThat(body).startsWith("tp=;");

            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (true) {
                try {
                    given().baseUri(agent.baseUri()).queryParam("service", "observe-only").when().get("/api/traces")
                            .then().statusCode(200).body("rootName", hasItem("GET /fetch"));
                    break;
                } catch (AssertionError notYet) {
                    if (System.nanoTime() > deadline) {
                        throw notYet;
                    }
                    ManagedProcess.sleep(100);
                }
            }
        }
    }
}
