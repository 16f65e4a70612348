package io.tracebee.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.ConfigValue;
import org.jboss.logging.Logger;

/**
 * The value of every {@link Knob}, from three sources: a command-line flag, else the environment variable, else
 * the same key in {@code application.properties} ({@code otel.service.name}; system properties count here too).
 * Knobs Quarkus reads itself ({@link Knob#readByQuarkus()}) are taken from Quarkus's configuration as it sees them.
 *
 * <p>One rule for invalid values, the OpenTelemetry specification's: a warning naming the knob, where the value
 * came from and what is used instead, then the default applies — except for {@linkplain Knob#strict() strict}
 * knobs, where falling back would be unsafe: there the read throws, and the agent does not start. A secret's
 * value is never part of a warning or of {@link #changed()}. Blank means unset.
 */
public final class Settings {
    private static final Logger LOG = Logger.getLogger(Settings.class);

    /** Where a value came from, strongest first. */
    public enum Source {
        FLAG,
        ENVIRONMENT,
        SYSTEM_PROPERTY,
        PROPERTIES,
        /** Another of Quarkus's configuration sources (e.g. the port it actually bound for port 0). */
        OTHER_CONFIGURATION,
        DEFAULT
    }

    /**
     * A knob's value as the agent uses it.
     *
     * @param value the checked value (choices lower-cased), or null when unset or invalid: the default applies
     * @param source where it came from; {@link Source#DEFAULT} when value is null
     */
    public record Value(Knob knob, String value, Source source) {
    }

    private record Raw(String text, Source source) {
    }

    private final Map<Knob, String> flags;
    private final Map<String, String> env;
    private final Config config;
    private final Map<Knob, Value> values = new ConcurrentHashMap<>();
    private final List<String> warnings = new CopyOnWriteArrayList<>();

    /**
     * @param flags the values given on the command line
     * @param env the environment
     * @param config the application's configuration, or null for none
     */
    public Settings(Map<Knob, String> flags, Map<String, String> env, Config config) {
        this.flags = Map.copyOf(flags);
        this.env = Map.copyOf(env);
        this.config = config;
    }

    public Settings(Map<String, String> env, Config config) {
        this(Map.of(), env, config);
    }

    /** Settings from this process's environment and configuration, with {@code flags} over them. */
    public static Settings fromEnvironment(Map<Knob, String> flags) {
        return new Settings(flags, System.getenv(), ConfigProvider.getConfig());
    }

    /** Settings from an environment-style map alone (e.g. {@link #environment()}'s). */
    public static Settings of(Map<String, String> env) {
        return new Settings(env, null);
    }

    /** The value set for the knob, or empty when it is unset or invalid (then its default applies). */
    public Optional<String> get(Knob knob) {
        return Optional.ofNullable(value(knob).value());
    }

    /** The value set for the knob, else its default (null when the default is computed by the caller). */
    public String getOrDefault(Knob knob) {
        return get(knob).orElse(knob.defaultValue());
    }

    public int getInt(Knob knob) {
        return Integer.parseInt(required(knob));
    }

    public Duration getMillis(Knob knob) {
        return Duration.ofMillis(Long.parseLong(required(knob)));
    }

    /** An on/off knob: true for on. */
    public boolean getSwitch(Knob knob) {
        return required(knob).equals("on");
    }

    /** A comma-separated knob's elements; empty when unset. */
    public List<String> getList(Knob knob) {
        String v = getOrDefault(knob);
        return v == null ? List.of() : ValueType.splitList(v);
    }

    /**
     * The knob that applies to traces: for a generic OTLP knob, its {@code OTEL_EXPORTER_OTLP_TRACES_*} variant
     * when that is set from the same or a stronger source (a flag beats the environment whichever is more
     * specific); else the knob itself.
     */
    public Knob forTraces(Knob knob) {
        Knob traces = knob.tracesVariant();
        if (traces == null) {
            return knob;
        }
        Value t = value(traces);
        return t.value() != null && t.source().compareTo(value(knob).source()) <= 0 ? traces : knob;
    }

    /** The knob's value and where it came from; the first read of an invalid value warns (or throws if strict). */
    public Value value(Knob knob) {
        return values.computeIfAbsent(knob, this::resolve);
    }

    /**
     * Every OTEL_* and TRACEBEE_* knob that is set, by environment name, for components that read the
     * OpenTelemetry variables from a map (the export package). Invalid values are left out (the default
     * applies), and an {@code OTEL_EXPORTER_OTLP_TRACES_*} knob is left out when its generic knob comes from a
     * stronger source: a flag beats the environment for the OTLP knobs too.
     */
    public Map<String, String> environment() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Knob knob : Knob.values()) {
            Value v = value(knob);
            if (knob.readByQuarkus() || v.value() == null) {
                continue;
            }
            if (knob.general() != null && forTraces(knob.general()) != knob) {
                continue;
            }
            out.put(knob.env(), v.value());
        }
        return out;
    }

    /** {@code NAME=value (source)} for every knob not at its default, secrets redacted: for the start-up log. */
    public List<String> changed() {
        List<String> out = new ArrayList<>();
        for (Knob knob : Knob.values()) {
            Value v = value(knob);
            if (v.value() != null && (knob.general() != null || !v.value().equals(knob.defaultValue()))) {
                String shown = knob.secret() ? "(secret)" : v.value();
                out.add(knob.env() + "=" + shown + " (" + where(knob, v.source()) + ")");
            }
        }
        return out;
    }

    /** TRACEBEE_* variables in the environment that are no knob (misspelt ones, most likely). */
    public List<String> unknownVariables() {
        return env.keySet().stream().filter(name -> name.startsWith("TRACEBEE_"))
                .filter(name -> Arrays.stream(Knob.values()).noneMatch(k -> k.env().equals(name)))
                .sorted().toList();
    }

    /** The warnings given so far about invalid values. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    private String required(Knob knob) {
        String v = getOrDefault(knob);
        if (v == null) {
            throw new IllegalStateException(knob.env() + " has no default value to read");
        }
        return v;
    }

    private Value resolve(Knob knob) {
        Raw raw = raw(knob);
        if (raw == null) {
            return new Value(knob, null, Source.DEFAULT);
        }
        Optional<String> checked = knob.type().normalize(raw.text());
        if (checked.isPresent()) {
            return new Value(knob, checked.get(), raw.source());
        }
        String problem = knob.env() + (knob.secret() ? "" : "=" + raw.text()) + " from " + where(knob, raw.source())
                + (knob.secret() ? " (value not shown: secret)" : "") + " is not " + knob.type().expected();
        if (knob.strict()) {
            throw new IllegalArgumentException(problem + "; not falling back to the default (" + knob.shownDefault()
                    + "): " + knob.strictBecause());
        }
        String warning = problem + "; using the default: " + knob.shownDefault();
        warnings.add(warning);
        LOG.warn(warning);
        return new Value(knob, null, Source.DEFAULT);
    }

    /** The first non-blank value in order of precedence, or null. */
    private Raw raw(Knob knob) {
        String flag = flags.get(knob);
        if (flag != null && !flag.isBlank()) {
            return new Raw(flag, Source.FLAG);
        }
        if (!knob.readByQuarkus() || config == null) {
            String v = env.get(knob.env());
            if (v != null && !v.isBlank()) {
                return new Raw(v, Source.ENVIRONMENT);
            }
        }
        if (config == null) {
            return null;
        }
        ConfigValue cv = config.getConfigValue(knob.property());
        if (cv == null || cv.getValue() == null || cv.getValue().isBlank()) {
            return null;
        }
        String sourceName = cv.getSourceName() == null ? "" : cv.getSourceName().toLowerCase(Locale.ROOT);
        Source source = sourceName.startsWith("syspropconfigsource") ? Source.SYSTEM_PROPERTY
                : sourceName.startsWith("envconfigsource") ? Source.ENVIRONMENT
                : sourceName.contains("application.properties") ? Source.PROPERTIES : Source.OTHER_CONFIGURATION;
        return new Raw(cv.getValue(), source);
    }

    private static String where(Knob knob, Source source) {
        return switch (source) {
            case FLAG -> "flag " + knob.flag();
            case ENVIRONMENT -> "the environment";
            case SYSTEM_PROPERTY -> "system property " + knob.property();
            case PROPERTIES -> "application.properties (" + knob.property() + ")";
            case OTHER_CONFIGURATION -> "Quarkus's configuration (" + knob.property() + ")";
            case DEFAULT -> "the default";
        };
    }
}
