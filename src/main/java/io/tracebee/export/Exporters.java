package io.tracebee.export;

import io.tracebee.config.Knob;
import io.tracebee.config.Settings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Builds the exporters named by {@code OTEL_TRACES_EXPORTER} (comma list of {@code otlp}, {@code console},
 * {@code file}, {@code none}; {@code logging} is accepted as the old name of {@code console}).
 */
public final class Exporters {
    private static final Logger LOG = Logger.getLogger(Exporters.class);

    /**
     * What the caller supplies beyond the environment.
     *
     * @param defaultExporters used when OTEL_TRACES_EXPORTER is unset; null means {@link #defaultNames}
     * @param filePath the file exporter's output; null means OTEL_EXPORTER_FILE_PATH from the environment
     * @param console where the console exporter prints; null means System.out
     */
    public record Options(String defaultExporters, Path filePath, PrintStream console) {
        public static Options defaults() {
            return new Options(null, null, null);
        }
    }

    private Exporters() {
    }

    /**
     * {@code otlp} when an OTLP endpoint is configured ({@code OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT}),
     * otherwise {@code console}: without a collector the spans should at least be visible.
     */
    public static String defaultNames(Map<String, String> env) {
        Settings s = Settings.of(env);
        return s.get(s.forTraces(Knob.OTLP_ENDPOINT)).isPresent() ? "otlp" : "console";
    }

    /** The exporter names to build, de-duplicated and lower-cased; empty for {@code none}. */
    public static List<String> names(Map<String, String> env, String defaultExporters) {
        String value = Settings.of(env).get(Knob.TRACES_EXPORTER)
                .orElse(defaultExporters == null ? defaultNames(env) : defaultExporters);
        Set<String> names = new LinkedHashSet<>();
        for (String part : value.split(",")) {
            String name = part.trim().toLowerCase(Locale.ROOT);
            if (name.equals("logging")) {
                name = "console";
            }
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        if (names.contains("none")) {
            if (names.size() > 1) {
                LOG.warnf("%s=%s: 'none' combined with other exporters; ignoring 'none'", Knob.TRACES_EXPORTER.env(),
                        value);
                names.remove("none");
            } else {
                return List.of();
            }
        }
        return List.copyOf(names);
    }

    /** Builds the exporters; configuration errors throw IllegalArgumentException naming the setting. */
    public static List<SpanExporter> create(Map<String, String> env, Options options) {
        List<SpanExporter> exporters = new ArrayList<>();
        for (String name : names(env, options.defaultExporters())) {
            exporters.add(create(name, env, options));
        }
        return exporters;
    }

    public static SpanExporter create(String name, Map<String, String> env, Options options) {
        switch (name) {
            case "otlp" -> {
                OtlpExporterConfig config = OtlpExporterConfig.fromEnv(env);
                LOG.infof("Exporting spans over OTLP/gRPC to %s%s", config.endpoint(), config.tls() ? " (TLS)" : "");
                return new OtlpGrpcExporter(config);
            }
            case "console" -> {
                return new ConsoleExporter(options.console() == null ? System.out : options.console());
            }
            case "file" -> {
                Path path = options.filePath();
                if (path == null) {
                    path = Settings.of(env).get(Knob.FILE_PATH).map(Path::of).orElseThrow(() ->
                            new IllegalArgumentException("The file exporter needs " + Knob.FILE_PATH.env() + " ("
                                    + Knob.FILE_PATH.flag() + ")"));
                }
                LOG.infof("Writing spans as OTLP JSON lines to %s", path);
                return new FileExporter(path);
            }
            default -> throw new IllegalArgumentException("Unsupported span exporter: " + name);
        }
    }
}
