package io.tracebee.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docs/CONFIGURATION.md is the catalog as a table and must not drift from it. To regenerate after changing
 * {@link Knob}: {@code ./mvnw -B -ntp -q test -Dtest=ConfigurationDocTest -Dtracebee.writeDocs=true}.
 */
class ConfigurationDocTest {
    private static final Path DOC = Path.of("docs/CONFIGURATION.md");

    @Test
    void theDocumentIsTheCatalog() throws IOException {
        String expected = render();
        if (Boolean.getBoolean("tracebee.writeDocs")) {
            Files.writeString(DOC, expected);
        }
        assertThat(Files.readString(DOC)).as("docs/CONFIGURATION.md is generated from Knob: run this test with "
                + "-Dtracebee.writeDocs=true").isEqualTo(expected);
    }

    static String render() {
        StringBuilder out = new StringBuilder("""
                # Configuration

                <!-- Generated from io.tracebee.config.Knob by ConfigurationDocTest; do not edit by hand. After changing
                     the catalog: ./mvnw -B -ntp -q test -Dtest=ConfigurationDocTest -Dtracebee.writeDocs=true -->

                Every setting has a command-line flag, an environment variable and an `application.properties` key (the
                variable in lower case with dots: `OTEL_SERVICE_NAME` ─▶ `otel.service.name`). A flag wins over the
                environment, which wins over `application.properties` (and `-D` system properties). Blank means unset.
                `java -jar quarkus-run.jar --help` lists the same.

                An invalid value is reported in a warning that names the setting, where the value came from and the
                default used instead; then the default applies (as the OpenTelemetry specification asks). **Strict**
                settings are the exception: falling back would be unsafe, so tracebee does not start. **Secret** values
                are never logged nor echoed. At start tracebee logs, in one line, every setting that is not at its
                default and where it came from.
                """);
        for (Knob.Group group : Knob.Group.values()) {
            out.append("\n## ").append(group.heading()).append("\n\n")
                    .append("| flag | variable | default | value | meaning |\n|---|---|---|---|---|\n");
            for (Knob k : Knob.values()) {
                if (k.group() == group) {
                    out.append("| ").append(k.flag() == null ? "none (read by Quarkus)" : code(k.flags()))
                            .append(" | `").append(k.env()).append("` | ").append(cell(k.shownDefault()))
                            .append(" | ").append(values(k)).append(" | ").append(cell(meaning(k))).append(" |\n");
                }
            }
        }
        return out.toString();
    }

    private static String values(Knob k) {
        List<String> allowed = k.type().allowed();
        String v = allowed.isEmpty() ? code(List.of(k.type().label())) : code(allowed);
        return k.type().isList() ? v + " (comma-separated)" : v;
    }

    private static String meaning(Knob k) {
        String s = k.description() + ".";
        if (k.secret()) {
            s += " **Secret**: never logged.";
        }
        if (k.strict()) {
            s += " **Strict**: an invalid value stops tracebee (" + k.strictBecause() + ").";
        }
        return s;
    }

    private static String code(List<String> items) {
        return items.stream().map(i -> "`" + i.replace("|", "\\|") + "`").collect(Collectors.joining(", "));
    }

    private static String cell(String s) {
        return s.replace("|", "\\|");
    }
}
