package io.tracebee.e2e;

import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real OpenTelemetry Collector and one agent exporting to it over OTLP (batches every 200 ms), shared by a
 * test class's tests: {@code @RegisterExtension static final AgentAndCollector shared = new AgentAndCollector();}.
 * Started before the first test, closed after the last.
 */
final class AgentAndCollector implements BeforeAllCallback, AfterAllCallback {
    Collector collector;
    AgentProcess agent;

    @Override
    public void beforeAll(ExtensionContext context) {
        collector = Collector.start();
        agent = AgentProcess.start(Map.of(
                "OTEL_TRACES_EXPORTER", "otlp",
                "OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint(),
                "OTEL_BSP_SCHEDULE_DELAY", "200"));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (agent != null) {
            agent.close();
        }
        if (collector != null) {
            collector.close();
        }
    }
}
