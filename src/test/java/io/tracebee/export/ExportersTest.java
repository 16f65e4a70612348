package io.tracebee.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportersTest {

    @Test
    void defaultDependsOnWhetherAnEndpointIsConfigured() {
        assertThat(Exporters.names(Map.of(), null)).containsExactly("console");
        assertThat(Exporters.names(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"), null))
                .containsExactly("otlp");
        assertThat(Exporters.names(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4317"), null))
                .containsExactly("otlp");
        assertThat(Exporters.names(Map.of(), "otlp,console")).containsExactly("otlp", "console");
    }

    @Test
    void parsesTheExporterList() {
        assertThat(Exporters.names(Map.of("OTEL_TRACES_EXPORTER", " OTLP, logging ,file,otlp"), null))
                .containsExactly("otlp", "console", "file");
        assertThat(Exporters.names(Map.of("OTEL_TRACES_EXPORTER", "none"), "console")).isEmpty();
        assertThat(Exporters.names(Map.of("OTEL_TRACES_EXPORTER", "none,console"), null)).containsExactly("console");
        assertThat(Exporters.names(Map.of("OTEL_TRACES_EXPORTER", "otlp,zipkin"), null))
                .as("an invalid value is reported (Settings) and the default used").containsExactly("console");
    }

    @Test
    void buildsEachKind(@TempDir Path dir) {
        Path file = dir.resolve("t.jsonl");
        List<SpanExporter> exporters = Exporters.create(
                Map.of("OTEL_TRACES_EXPORTER", "otlp,console,file", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1"),
                new Exporters.Options(null, file, System.out));
        try {
            assertThat(exporters).extracting(SpanExporter::name).containsExactly("otlp", "console", "file");
            assertThat(((OtlpGrpcExporter) exporters.get(0)).config().endpoint()).hasToString("http://127.0.0.1:1");
            assertThat(((FileExporter) exporters.get(2)).path()).isEqualTo(file);
        } finally {
            exporters.forEach(e -> e.shutdown().await().atMost(Duration.ofSeconds(5)));
        }
    }

    @Test
    void fileExporterNeedsAPath() {
        assertThatThrownBy(() -> Exporters.create(Map.of("OTEL_TRACES_EXPORTER", "file"), Exporters.Options.defaults()))
                .hasMessageContaining("OTEL_EXPORTER_FILE_PATH");
        assertThat(Exporters.create(Map.of("OTEL_TRACES_EXPORTER", "file", "OTEL_EXPORTER_FILE_PATH", "/tmp/x.jsonl"),
                Exporters.Options.defaults())).hasSize(1);
    }

    @Test
    void batchConfigReadsTheBspVariables() {
        BatchConfig config = BatchConfig.fromEnv(Map.of("OTEL_BSP_MAX_QUEUE_SIZE", "100",
                "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "500", "OTEL_BSP_SCHEDULE_DELAY", "250",
                "OTEL_BSP_EXPORT_TIMEOUT", "nope"));
        assertThat(config.maxQueueSize()).isEqualTo(100);
        assertThat(config.maxExportBatchSize()).isEqualTo(100);
        assertThat(config.scheduleDelay()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.exportTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(BatchConfig.fromEnv(Map.of())).isEqualTo(BatchConfig.defaults());
        assertThat(BatchConfig.defaults().scheduleDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(BatchConfig.defaults().maxQueueSize()).isEqualTo(16384);
        assertThat(BatchConfig.defaults().maxExportBatchSize()).isEqualTo(512);
    }
}
