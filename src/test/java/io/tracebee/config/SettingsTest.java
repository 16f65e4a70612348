package io.tracebee.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {
    @Test
    void flagsWinOverTheEnvironment() {
        Settings s = new Settings(Map.of("OTEL_SERVICE_NAME", "from-env", "OTEL_TRACES_EXPORTER", "otlp"), null);
        s.override("OTEL_SERVICE_NAME", "from-flag");
        s.override("OTEL_TRACES_EXPORTER", null);
        assertThat(s.get("OTEL_SERVICE_NAME")).hasValue("from-flag");
        assertThat(s.get("OTEL_TRACES_EXPORTER")).hasValue("otlp");
        assertThat(s.environment()).containsEntry("OTEL_SERVICE_NAME", "from-flag");
    }

    @Test
    void blankIsUnsetAndIntegersAreChecked() {
        Settings s = new Settings(Map.of("OTEL_SERVICE_NAME", "  ", "TRACEBEE_RING_BUFFER_BYTES", "lots"), null);
        assertThat(s.get("OTEL_SERVICE_NAME")).isEmpty();
        assertThat(s.getInt("TRACEBEE_RING_BUFFER_POLL_MS", 50)).isEqualTo(50);
        assertThatThrownBy(() -> s.getInt("TRACEBEE_RING_BUFFER_BYTES", 1))
                .hasMessage("TRACEBEE_RING_BUFFER_BYTES must be an integer, got \"lots\"");
    }

    @Test
    void propertyNamesFollowTheEnvironmentName() {
        assertThat(Settings.propertyName("OTEL_SERVICE_NAME")).isEqualTo("otel.service.name");
    }
}
