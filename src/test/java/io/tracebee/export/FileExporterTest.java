package io.tracebee.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileExporterTest {

    @Test
    void appendsOneJsonLinePerExport(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("nested/traces.jsonl");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "existing\n");
        FileExporter exporter = new FileExporter(file);

        assertThat(exporter.export(OtlpJsonEncoderTest.goldenSpans()).await().atMost(Duration.ofSeconds(5)).success())
                .isTrue();
        assertThat(exporter.export(TestSpans.many(2)).await().atMost(Duration.ofSeconds(5)).success()).isTrue();
        assertThat(exporter.export(List.of()).await().atMost(Duration.ofSeconds(5)).success()).isTrue();

        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("existing");
        assertThat(lines.get(1)).isEqualTo(OtlpJsonEncoderTest.PDATA_GOLDEN);
        assertThat(lines.get(2)).isEqualTo(OtlpJsonEncoder.encode(TestSpans.many(2)));

        exporter.shutdown().await().atMost(Duration.ofSeconds(5));
        assertThat(exporter.export(TestSpans.many(1)).await().atMost(Duration.ofSeconds(5)).success()).isFalse();
    }

    @Test
    void concurrentExportsNeverInterleave(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("traces.jsonl");
        FileExporter exporter = new FileExporter(file);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<ExportResult>> results = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            results.add(pool.submit(() -> exporter.export(TestSpans.many(30)).await().atMost(Duration.ofSeconds(5))));
        }
        for (Future<ExportResult> r : results) {
            assertThat(r.get().success()).isTrue();
        }
        pool.shutdown();
        String expected = OtlpJsonEncoder.encode(TestSpans.many(30));
        assertThat(Files.readAllLines(file)).hasSize(40).allSatisfy(line -> assertThat(line).isEqualTo(expected));
    }

    @Test
    void reportsUnwritablePathsAsFailures(@TempDir Path dir) throws Exception {
        Path blocker = dir.resolve("file");
        Files.writeString(blocker, "x");
        FileExporter exporter = new FileExporter(blocker.resolve("traces.jsonl"));
        ExportResult result = exporter.export(TestSpans.many(1)).await().atMost(Duration.ofSeconds(5));
        assertThat(result.success()).isFalse();
        assertThat(result.message()).contains("traces.jsonl");
    }
}
