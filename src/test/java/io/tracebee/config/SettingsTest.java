package io.tracebee.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

/** Flags over the environment over application.properties; one rule for invalid values; secrets never shown. */
class SettingsTest {
    /** Named as Quarkus names the source of application.properties. */
    private static PropertiesConfigSource applicationProperties(Map<String, String> values) {
        return new PropertiesConfigSource(values, "PropertiesConfigSource[source=application.properties]", 250);
    }

    private static Config properties(Map<String, String> values) {
        return new SmallRyeConfigBuilder().withSources(applicationProperties(values)).build();
    }

    @Test
    void aFlagBeatsTheEnvironmentWhichBeatsProperties() {
        Config config = properties(Map.of(
                "otel.service.name", "from-properties",
                "otel.exporter.otlp.endpoint", "http://properties:4317",
                "otel.bsp.max.queue.size", "10",
                "tracebee.ring.buffer.bytes", "65536"));
        Map<String, String> env = Map.of(
                "OTEL_SERVICE_NAME", "from-env",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4317",
                "OTEL_BSP_MAX_QUEUE_SIZE", "20");
        Settings s = new Settings(Map.of(Knob.SERVICE_NAME, "from-flag", Knob.OTLP_ENDPOINT, "http://flag:4317"),
                env, config);

        assertThat(s.value(Knob.SERVICE_NAME))
                .isEqualTo(new Settings.Value(Knob.SERVICE_NAME, "from-flag", Settings.Source.FLAG));
        assertThat(s.get(Knob.OTLP_ENDPOINT)).hasValue("http://flag:4317");
        assertThat(s.value(Knob.BSP_MAX_QUEUE_SIZE).source()).isEqualTo(Settings.Source.ENVIRONMENT);
        assertThat(s.getInt(Knob.BSP_MAX_QUEUE_SIZE)).isEqualTo(20);
        assertThat(s.value(Knob.RING_BUFFER_BYTES).source()).isEqualTo(Settings.Source.PROPERTIES);
        assertThat(s.getInt(Knob.RING_BUFFER_BYTES)).isEqualTo(65536);
        assertThat(s.getInt(Knob.BSP_MAX_EXPORT_BATCH_SIZE)).as("unset: the catalog's default").isEqualTo(512);
        assertThat(s.environment()).containsEntry("OTEL_SERVICE_NAME", "from-flag")
                .containsEntry("OTEL_EXPORTER_OTLP_ENDPOINT", "http://flag:4317")
                .containsEntry("OTEL_BSP_MAX_QUEUE_SIZE", "20")
                .containsEntry("TRACEBEE_RING_BUFFER_BYTES", "65536")
                .doesNotContainKey("OTEL_BSP_MAX_EXPORT_BATCH_SIZE");
    }

    @Test
    void aTracesVariantWinsFromTheSameSourceButNotFromAWeakerOne() {
        Map<String, String> env = Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces-env:4317",
                "OTEL_EXPORTER_OTLP_TIMEOUT", "1000", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "2000");
        Settings envOnly = new Settings(env, null);
        assertThat(envOnly.forTraces(Knob.OTLP_ENDPOINT)).isEqualTo(Knob.OTLP_TRACES_ENDPOINT);
        assertThat(envOnly.getMillis(envOnly.forTraces(Knob.OTLP_TIMEOUT))).isEqualTo(Duration.ofMillis(2000));

        Settings withFlag = new Settings(Map.of(Knob.OTLP_ENDPOINT, "http://flag:4317"), env, null);
        assertThat(withFlag.forTraces(Knob.OTLP_ENDPOINT)).isEqualTo(Knob.OTLP_ENDPOINT);
        assertThat(withFlag.environment()).containsEntry("OTEL_EXPORTER_OTLP_ENDPOINT", "http://flag:4317")
                .doesNotContainKey("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
                .containsEntry("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "2000");

        Settings traceFlag = new Settings(Map.of(Knob.OTLP_TRACES_ENDPOINT, "http://traces-flag:4317"),
                Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4317"), null);
        assertThat(traceFlag.environment())
                .containsEntry("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces-flag:4317");
    }

    @Test
    void anInvalidValueWarnsWithTheKnobItsSourceAndTheDefaultThenTheDefaultApplies() {
        Config config = properties(Map.of("otel.bsp.schedule.delay", "soon"));
        Settings s = new Settings(Map.of(Knob.BSP_MAX_QUEUE_SIZE, "lots"),
                Map.of("TRACEBEE_HTTP_INJECT", "maybe", "OTEL_TRACES_SAMPLER", "jaeger_remote"), config);

        assertThat(s.getInt(Knob.BSP_MAX_QUEUE_SIZE)).isEqualTo(16384);
        assertThat(s.getSwitch(Knob.HTTP_INJECT)).isTrue();
        assertThat(s.getMillis(Knob.BSP_SCHEDULE_DELAY)).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.getOrDefault(Knob.TRACES_SAMPLER)).isEqualTo("parentbased_always_on");
        assertThat(s.value(Knob.BSP_MAX_QUEUE_SIZE).source()).isEqualTo(Settings.Source.DEFAULT);
        assertThat(s.warnings()).containsExactly(
                "OTEL_BSP_MAX_QUEUE_SIZE=lots from flag --bsp-max-queue-size is not an integer of at least 1; "
                        + "using the default: 16384",
                "TRACEBEE_HTTP_INJECT=maybe from the environment is not on or off; using the default: on",
                "OTEL_BSP_SCHEDULE_DELAY=soon from application.properties (otel.bsp.schedule.delay) is not a whole "
                        + "number of milliseconds; using the default: 1000",
                "OTEL_TRACES_SAMPLER=jaeger_remote from the environment is not one of parentbased_always_on, "
                        + "parentbased_always_off, parentbased_traceidratio, always_on, always_off, traceidratio; "
                        + "using the default: parentbased_always_on");
        s.getInt(Knob.BSP_MAX_QUEUE_SIZE);
        assertThat(s.warnings()).as("warned once").hasSize(4);
        assertThat(s.environment()).as("the export package sees no invalid value")
                .doesNotContainKeys("OTEL_BSP_MAX_QUEUE_SIZE", "TRACEBEE_HTTP_INJECT", "OTEL_BSP_SCHEDULE_DELAY");
    }

    @Test
    void anInvalidValueOfAStrictKnobStopsTheAgent() {
        Settings endpoint = new Settings(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "ftp://collector"), null);
        assertThatThrownBy(() -> endpoint.get(Knob.OTLP_TRACES_ENDPOINT))
                .hasMessage("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=ftp://collector from the environment is not an http:// "
                        + "or https:// address with a host; not falling back to the default (the value of "
                        + "--otlp-endpoint): spans and the export headers would go to another address");
        Settings writes = new Settings(Map.of(Knob.TARGET_WRITES, "of"), Map.of(), null);
        assertThatThrownBy(() -> writes.getOrDefault(Knob.TARGET_WRITES))
                .hasMessageStartingWith("TRACEBEE_TARGET_WRITES=of from flag --target-writes is not one of auto, off;")
                .hasMessageEndingWith("auto could write the memory of processes meant to be left untouched");
        assertThat(new Settings(Map.of("TRACEBEE_TARGET_WRITES", "OFF"), null).getOrDefault(Knob.TARGET_WRITES))
                .isEqualTo("off");
    }

    @Test
    void secretsAreNeverShown() {
        Settings s = new Settings(Map.of("OTEL_EXPORTER_OTLP_HEADERS", "api-key=%zz-s3cret",
                "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "x-token=t0ken", "TRACEBEE_API_TOKEN", "hunter2",
                "OTEL_SERVICE_NAME", "shop"), null);
        assertThat(s.get(Knob.OTLP_HEADERS)).isEmpty();
        assertThat(s.warnings()).containsExactly("OTEL_EXPORTER_OTLP_HEADERS from the environment (value not shown: "
                + "secret) is not a comma-separated list of key=value pairs (values percent-encoded); using the "
                + "default: none");
        assertThat(s.changed()).containsExactly("OTEL_SERVICE_NAME=shop (the environment)",
                "OTEL_EXPORTER_OTLP_TRACES_HEADERS=(secret) (the environment)",
                "TRACEBEE_API_TOKEN=(secret) (the environment)");
        assertThat(String.join("\n", s.warnings()) + s.changed()).doesNotContain("s3cret", "t0ken", "hunter2");
    }

    @Test
    void changedListsWhatIsNotTheDefaultWithItsSource() {
        Config quarkus = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(Map.of("QUARKUS_HTTP_PORT", "9999"), 300))
                .withSources(applicationProperties(Map.of("quarkus.http.host", "127.0.0.1", "quarkus.http.port", "8686",
                        "otel.traces.sampler", "ALWAYS_OFF")))
                .build();
        Settings s = new Settings(Map.of(Knob.RING_BUFFER_BYTES, "8388608", Knob.TARGET_PID, "12,13"),
                Map.of("QUARKUS_HTTP_PORT", "1"), quarkus);
        assertThat(s.changed()).containsExactly("OTEL_GO_AUTO_TARGET_PID=12,13 (flag --target-pid)",
                "OTEL_TRACES_SAMPLER=always_off (application.properties (otel.traces.sampler))",
                "QUARKUS_HTTP_PORT=9999 (the environment)");
        assertThat(s.getInt(Knob.HTTP_PORT)).as("what Quarkus sees, not the map").isEqualTo(9999);
        assertThat(s.getList(Knob.TARGET_PID)).containsExactly("12", "13");
    }

    @Test
    void blankIsUnset() {
        Settings s = new Settings(Map.of("OTEL_SERVICE_NAME", "  "), properties(Map.of("otel.service.name", "props")));
        assertThat(s.get(Knob.SERVICE_NAME)).hasValue("props");
        assertThat(new Settings(Map.of("OTEL_SERVICE_NAME", "  "), null).get(Knob.SERVICE_NAME)).isEmpty();
        assertThat(s.warnings()).isEmpty();
    }

    @Test
    void misspeltTracebeeVariablesAreNamed() {
        Settings s = new Settings(Map.of("TRACEBEE_RING_BUFER_BYTES", "1", "TRACEBEE_HTTP_INJECT", "on",
                "OTEL_LOGS_EXPORTER", "none"), null);
        assertThat(s.unknownVariables()).containsExactly("TRACEBEE_RING_BUFER_BYTES");
    }
}
