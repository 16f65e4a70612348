package io.tracebee.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OtlpExporterConfigTest {

    @Test
    void defaultsFollowTheOtelSpec() {
        OtlpExporterConfig config = OtlpExporterConfig.fromEnv(Map.of());
        assertThat(config.endpoint()).hasToString("http://localhost:4317");
        assertThat(config.tls()).isFalse();
        assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.headers()).isEmpty();
        assertThat(config.compression()).isEqualTo("none");
        assertThat(config.retry()).isEqualTo(RetryPolicy.defaults());
    }

    @Test
    void tracesSpecificVariablesWin() {
        OtlpExporterConfig config = OtlpExporterConfig.fromEnv(Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://generic:4317",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://traces.example.com",
                "OTEL_EXPORTER_OTLP_HEADERS", "a=1",
                "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "b=2",
                "OTEL_EXPORTER_OTLP_TIMEOUT", "1000",
                "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "2500",
                "OTEL_EXPORTER_OTLP_COMPRESSION", "gzip",
                "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", "/etc/ca.pem"));
        assertThat(config.endpoint()).hasToString("https://traces.example.com:443");
        assertThat(config.tls()).isTrue();
        assertThat(config.headers()).containsExactly(Map.entry("b", "2"));
        assertThat(config.timeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(config.compression()).isEqualTo("gzip");
        assertThat(config.certificate()).isEqualTo(Path.of("/etc/ca.pem"));
    }

    @Test
    void endpointWithoutSchemeIsTlsUnlessInsecure() {
        assertThat(OtlpExporterConfig.parseEndpoint("collector:4317", false)).hasToString("https://collector:4317");
        assertThat(OtlpExporterConfig.parseEndpoint("collector:4317", true)).hasToString("http://collector:4317");
        assertThat(OtlpExporterConfig.parseEndpoint("http://collector", false)).hasToString("http://collector:4317");
        assertThat(OtlpExporterConfig.parseEndpoint("http://[::1]:9999/ignored/path", false))
                .hasToString("http://[::1]:9999");
        assertThat(OtlpExporterConfig.fromEnv(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317",
                "OTEL_EXPORTER_OTLP_INSECURE", "true")).tls()).isFalse();
        assertThatThrownBy(() -> OtlpExporterConfig.parseEndpoint("ftp://collector", false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parsesHeadersLeniently() {
        assertThat(OtlpExporterConfig.parseHeaders("api-key=abc%2Fdef , X-Scope=team%20a,broken,=novalue,k=a=b"))
                .containsExactly(Map.entry("api-key", "abc/def"), Map.entry("x-scope", "team a"),
                        Map.entry("k", "a=b"));
    }

    @Test
    void badTimeoutFallsBackAndZeroMeansNoLimit() {
        assertThat(OtlpExporterConfig.fromEnv(Map.of("OTEL_EXPORTER_OTLP_TIMEOUT", "soon")).timeout())
                .isEqualTo(Duration.ofSeconds(10));
        assertThat(OtlpExporterConfig.fromEnv(Map.of("OTEL_EXPORTER_OTLP_TIMEOUT", "0")).timeout())
                .isGreaterThan(Duration.ofDays(1));
    }

    @Test
    void backoffGrowsToTheCap() {
        RetryPolicy policy = RetryPolicy.defaults();
        assertThat(policy.backoff(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.backoff(2)).isEqualTo(Duration.ofMillis(1500));
        assertThat(policy.backoff(10)).isEqualTo(Duration.ofSeconds(5));
    }
}
