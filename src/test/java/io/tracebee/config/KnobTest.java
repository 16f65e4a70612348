package io.tracebee.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The catalog is consistent, and no code names a knob's variable but the catalog. */
class KnobTest {
    @Test
    void namesFollowOneRule() {
        assertThat(Knob.SERVICE_NAME.property()).isEqualTo("otel.service.name");
        assertThat(Knob.BSP_MAX_QUEUE_SIZE.flag()).isEqualTo("--bsp-max-queue-size");
        assertThat(Knob.OTLP_TRACES_ENDPOINT.flag()).isEqualTo("--otlp-traces-endpoint");
        assertThat(Knob.TARGET_EXE.flag()).isEqualTo("--target-exe");
        assertThat(Knob.FILE_PATH.flag()).isEqualTo("--file-path");
        assertThat(Knob.RING_BUFFER_POLL_MS.flag()).isEqualTo("--ring-buffer-poll-ms");
        assertThat(Knob.TRACES_EXPORTER.flags()).containsExactly("--traces-exporter", "--exporter");
        assertThat(Knob.HTTP_PORT.flag()).as("Quarkus reads it before the command line").isNull();
        List<String> flags = Arrays.stream(Knob.values()).flatMap(k -> k.flags().stream()).toList();
        assertThat(flags).doesNotHaveDuplicates().allMatch(f -> f.matches("--[a-z0-9]+(-[a-z0-9]+)*"));
        assertThat(Arrays.stream(Knob.values()).map(Knob::env)).doesNotHaveDuplicates();
    }

    @Test
    void everyDefaultIsAValidValue() {
        for (Knob k : Knob.values()) {
            if (k.defaultValue() != null) {
                assertThat(k.type().normalize(k.defaultValue())).as(k.env()).hasValue(k.defaultValue());
            }
            assertThat(k.description()).as(k.env()).isNotBlank().doesNotEndWith(".");
            assertThat(k.shownDefault()).as(k.env()).isNotBlank();
        }
    }

    @Test
    void everyOtlpKnobHasATracesVariantLikeIt() {
        List<Knob> generic = Arrays.stream(Knob.values())
                .filter(k -> k.env().startsWith("OTEL_EXPORTER_OTLP_") && k.general() == null).toList();
        assertThat(generic).hasSize(9);
        for (Knob k : generic) {
            Knob traces = k.tracesVariant();
            assertThat(traces.env()).isEqualTo(k.env().replace("_OTLP_", "_OTLP_TRACES_"));
            assertThat(traces.general()).isEqualTo(k);
            assertThat(traces.type()).isSameAs(k.type());
            assertThat(traces.defaultValue()).isEqualTo(k.defaultValue());
            assertThat(traces.secret()).isEqualTo(k.secret());
            assertThat(traces.strict()).isEqualTo(k.strict());
        }
        assertThat(Knob.OTLP_HEADERS.secret()).isTrue();
        assertThat(Knob.API_TOKEN.secret()).isTrue();
    }

    @Test
    void quarkusKnobsDefaultToWhatApplicationPropertiesSays() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            p.load(in);
        }
        for (Knob k : Knob.values()) {
            if (k.readByQuarkus()) {
                assertThat(p.getProperty(k.property())).as(k.property()).isEqualTo(k.defaultValue());
            }
        }
    }

    /** A string literal naming an environment variable outside the catalog would be a knob read undocumented. */
    @Test
    void noCodeButTheCatalogNamesAVariable() throws IOException {
        Pattern literal = Pattern.compile("\"((?:OTEL|TRACEBEE|QUARKUS)_[A-Z][A-Z0-9_]*)");
        Path catalog = Path.of("src/main/java/io/tracebee/config/Knob.java");
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                if (f.equals(catalog)) {
                    continue;
                }
                Matcher m = literal.matcher(Files.readString(f));
                while (m.find()) {
                    found.add(f + ": " + m.group(1));
                }
            }
        }
        assertThat(found).as("use Knob.X.env() instead").isEmpty();
    }
}
