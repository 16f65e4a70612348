package io.tracebee.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Every setting tracebee reads: its environment variable, command-line flag and {@code application.properties}
 * key, type, default and meaning. {@link Settings} reads knobs only through this catalog, and {@code --help} and
 * docs/CONFIGURATION.md are generated from it, so a setting cannot be read without being documented.
 *
 * <p>Names follow one rule: the flag is the variable without {@code OTEL_GO_AUTO_}, {@code OTEL_EXPORTER_},
 * {@code OTEL_} or {@code TRACEBEE_}, in kebab case ({@code OTEL_BSP_MAX_QUEUE_SIZE} ─▶
 * {@code --bsp-max-queue-size}); the property is the variable the MicroProfile way ({@code otel.bsp.max.queue.size}).
 */
public enum Knob {
    TARGET_EXE(Group.TARGETS, "OTEL_GO_AUTO_TARGET_EXE", ValueType.PATHS, Default.NONE,
            "binary to trace: every process running it, now and later (several: repeat the flag or separate with "
                    + "commas; target flags replace the variables' targets)", Trait.REPEATABLE),
    TARGET_PID(Group.TARGETS, "OTEL_GO_AUTO_TARGET_PID", ValueType.PIDS, Default.NONE,
            "process to trace (several: repeat the flag or separate with commas)", Trait.REPEATABLE),
    TARGET_EXE_GLOB(Group.TARGETS, "TRACEBEE_TARGET_EXE_GLOB", ValueType.GLOBS, Default.NONE,
            "absolute path glob (*, **, ?, [..], {a,b}): every binary matching it that a process runs, now and "
                    + "later, as /proc/<pid>/exe names it (the path in the process's own container)",
            Trait.REPEATABLE),

    SERVICE_NAME(Group.RESOURCE, "OTEL_SERVICE_NAME", ValueType.TEXT, Default.shown("the executable's name"),
            "service.name of the traced processes"),
    RESOURCE_ATTRIBUTES(Group.RESOURCE, "OTEL_RESOURCE_ATTRIBUTES", ValueType.KEY_VALUES, Default.NONE,
            "extra resource attributes of the traced processes"),

    TRACES_EXPORTER(Group.EXPORT, "OTEL_TRACES_EXPORTER",
            ValueType.choices("otlp", "console", "file", "none", "logging"), Default.shown("otlp if an OTLP endpoint is set, else console"),
            "where spans go (logging is console); the built-in view at / always keeps the last 200 traces",
            Trait.alias("--exporter")),
    FILE_PATH(Group.EXPORT, "OTEL_EXPORTER_FILE_PATH", ValueType.PATH, Default.NONE,
            "output of the file exporter: OTLP JSON lines, the Collector file exporter's format"),
    BSP_SCHEDULE_DELAY(Group.EXPORT, "OTEL_BSP_SCHEDULE_DELAY", ValueType.millis(0), Default.of("1000"),
            "longest wait before spans that do not fill a batch are exported"),
    BSP_EXPORT_TIMEOUT(Group.EXPORT, "OTEL_BSP_EXPORT_TIMEOUT", ValueType.millis(0), Default.of("30000"),
            "longest one export may take, retries included; 0: no limit"),
    BSP_MAX_QUEUE_SIZE(Group.EXPORT, "OTEL_BSP_MAX_QUEUE_SIZE", ValueType.integer(1), Default.of("16384"),
            "spans queued per exporter; more are dropped and counted. Not the SDKs' 2048: an agent exports for"
            + " many processes, and 2048 spans last 41 ms at 50,000 spans/s (docs/BENCHMARKS.md)"),
    BSP_MAX_EXPORT_BATCH_SIZE(Group.EXPORT, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", ValueType.integer(1), Default.of("512"),
            "spans per export call (at most the queue size)"),
    EXPORT_RETRY_MAX_ELAPSED(Group.EXPORT, "TRACEBEE_EXPORT_RETRY_MAX_ELAPSED", ValueType.millis(0),
            Default.of("300000"), "how long a batch is kept and retried while the exporter's receiver is "
                    + "unreachable; 0 drops at the first failure"),

    OTLP_ENDPOINT(Group.OTLP, "OTEL_EXPORTER_OTLP_ENDPOINT", ValueType.URL, Default.of("http://localhost:4317"),
            "the collector's OTLP/gRPC address; https:// for TLS; without a scheme TLS unless insecure",
            Trait.strict("spans and the export headers would go to another address")),
    OTLP_HEADERS(Group.OTLP, "OTEL_EXPORTER_OTLP_HEADERS", ValueType.KEY_VALUES, Default.NONE,
            "gRPC metadata sent with every export, e.g. an API key", Trait.SECRET),
    OTLP_TIMEOUT(Group.OTLP, "OTEL_EXPORTER_OTLP_TIMEOUT", ValueType.millis(0), Default.of("10000"),
            "deadline of one export call; 0: no limit"),
    OTLP_COMPRESSION(Group.OTLP, "OTEL_EXPORTER_OTLP_COMPRESSION", ValueType.choice("gzip", "none"), Default.of("none"),
            "compression of export calls"),
    OTLP_INSECURE(Group.OTLP, "OTEL_EXPORTER_OTLP_INSECURE", ValueType.BOOLEAN, Default.of("false"),
            "for an endpoint without a scheme: true sends in plaintext, false over TLS"),
    OTLP_CERTIFICATE(Group.OTLP, "OTEL_EXPORTER_OTLP_CERTIFICATE", ValueType.PATH,
            Default.shown("the JDK's trusted CAs"), "PEM file of the CAs trusted to sign the collector's certificate"),
    OTLP_CLIENT_CERTIFICATE(Group.OTLP, "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", ValueType.PATH, Default.NONE,
            "PEM client certificate for mutual TLS (with the client key)"),
    OTLP_CLIENT_KEY(Group.OTLP, "OTEL_EXPORTER_OTLP_CLIENT_KEY", ValueType.PATH, Default.NONE,
            "PEM (PKCS#8) client key for mutual TLS"),
    OTLP_PROTOCOL(Group.OTLP, "OTEL_EXPORTER_OTLP_PROTOCOL", ValueType.choice("grpc"), Default.of("grpc"),
            "export protocol: tracebee sends OTLP over gRPC only"),
    OTLP_TRACES_ENDPOINT(OTLP_ENDPOINT),
    OTLP_TRACES_HEADERS(OTLP_HEADERS),
    OTLP_TRACES_TIMEOUT(OTLP_TIMEOUT),
    OTLP_TRACES_COMPRESSION(OTLP_COMPRESSION),
    OTLP_TRACES_INSECURE(OTLP_INSECURE),
    OTLP_TRACES_CERTIFICATE(OTLP_CERTIFICATE),
    OTLP_TRACES_CLIENT_CERTIFICATE(OTLP_CLIENT_CERTIFICATE),
    OTLP_TRACES_CLIENT_KEY(OTLP_CLIENT_KEY),
    OTLP_TRACES_PROTOCOL(OTLP_PROTOCOL),

    TRACES_SAMPLER(Group.SAMPLING, "OTEL_TRACES_SAMPLER", ValueType.choice("parentbased_always_on",
            "parentbased_always_off", "parentbased_traceidratio", "always_on", "always_off", "traceidratio"),
            Default.of("parentbased_always_on"), "which traces are kept, decided in the kernel where a trace enters "
                    + "a traced process; parentbased_* follow a caller's sampled flag"),
    TRACES_SAMPLER_ARG(Group.SAMPLING, "OTEL_TRACES_SAMPLER_ARG", ValueType.RATIO, Default.of("1.0"),
            "probability of the traceidratio samplers (the Go SDK's rule on the trace id)"),

    RING_BUFFER_BYTES(Group.KERNEL, "TRACEBEE_RING_BUFFER_BYTES", ValueType.powerOfTwo(4096), Default.of("8388608"),
            "size of the kernel ring buffer every probe writes to; a full ring drops events (counted)"),
    RING_BUFFER_POLL_MS(Group.KERNEL, "TRACEBEE_RING_BUFFER_POLL_MS", ValueType.millis(1), Default.of("50"),
            "how often the reader looks at the ring when no probe woke it (probes wake it once 64 KiB wait)"),
    HTTP_INJECT(Group.KERNEL, "TRACEBEE_HTTP_INJECT", ValueType.SWITCH, Default.of("on"),
            "write the client span's traceparent into outgoing HTTP/1.x requests of traced clients, in the "
                    + "kernel's socket path (sk_msg), never in their memory"),
    DB_QUERY_TEXT(Group.KERNEL, "TRACEBEE_DB_QUERY_TEXT", ValueType.SWITCH, Default.of("on"),
            "db.query.text on database and Redis spans (literals and values are always replaced by ?)"),
    BPF_STATS(Group.KERNEL, "TRACEBEE_BPF_STATS", ValueType.SWITCH, Default.of("on"),
            "the kernel's run count and time of every probe program (tracebee_bpf_program_* metrics)"),
    TARGET_WRITES(Group.KERNEL, "TRACEBEE_TARGET_WRITES", ValueType.choice("auto", "off"), Default.of("auto"),
            "auto: writes only where a feature needs it and the kernel allows it (no probe writes process memory "
                    + "today); off: observe only, not even a traceparent added to outgoing requests",
            Trait.strict("auto could write the memory of processes meant to be left untouched")),

    API_TOKEN(Group.ACCESS, "TRACEBEE_API_TOKEN", ValueType.TEXT, Default.NONE,
            "bearer token the HTTP API requires (but /q/health); needed to listen beyond loopback. A flag is "
                    + "visible to other users in ps: prefer the variable or the file", Trait.SECRET),
    API_TOKEN_FILE(Group.ACCESS, "TRACEBEE_API_TOKEN_FILE", ValueType.PATH, Default.NONE,
            "file whose first line is the API token; unreadable or empty, tracebee does not start",
            Trait.strict("the API would run without its token")),
    HTTP_HOST(Group.ACCESS, "QUARKUS_HTTP_HOST", ValueType.TEXT, Default.of("127.0.0.1"),
            "address the HTTP API listens on; any but loopback needs a token", Trait.READ_BY_QUARKUS),
    HTTP_PORT(Group.ACCESS, "QUARKUS_HTTP_PORT", ValueType.integer(0), Default.of("8686"),
            "port of the HTTP API", Trait.READ_BY_QUARKUS);

    /** Sections of {@code --help} and docs/CONFIGURATION.md, in order. */
    public enum Group {
        TARGETS("Targets"),
        RESOURCE("Resource"),
        EXPORT("Exporting"),
        OTLP("OTLP exporter (an OTEL_EXPORTER_OTLP_TRACES_* setting wins over the generic one from the same source)"),
        SAMPLING("Sampling"),
        KERNEL("Probes and the kernel"),
        ACCESS("HTTP API");

        private final String heading;

        Group(String heading) {
            this.heading = heading;
        }

        public String heading() {
            return heading;
        }
    }

    /**
     * A knob's default: {@code value} is what the agent uses (null when there is none or it is computed at run
     * time), {@code shown} what users are told.
     */
    public record Default(String value, String shown) {
        static final Default NONE = new Default(null, "none");

        static Default of(String value) {
            return new Default(value, value);
        }

        static Default shown(String text) {
            return new Default(null, text);
        }
    }

    /** What sets a knob apart from the plain case. */
    private sealed interface Trait {
        /** Its value is never logged or echoed in a warning. */
        Trait SECRET = new Marker();
        /** Its flag may be given several times; the values are joined with commas. */
        Trait REPEATABLE = new Marker();
        /** Quarkus reads it (before the command line is parsed): no flag, and Quarkus's configuration decides. */
        Trait READ_BY_QUARKUS = new Marker();

        /** An invalid value stops the agent instead of falling back to the default, because {@code why}. */
        static Trait strict(String why) {
            return new Strict(why);
        }

        /** Another flag for the same knob, kept for compatibility. */
        static Trait alias(String flag) {
            return new Alias(flag);
        }
    }

    private record Strict(String why) implements Trait {
    }

    private record Alias(String flag) implements Trait {
    }

    private static final class Marker implements Trait {
    }

    private final Group group;
    private final String env;
    private final ValueType type;
    private final Default defaultValue;
    private final String description;
    private final boolean secret;
    private final boolean repeatable;
    private final boolean readByQuarkus;
    private final String strictBecause;
    private final List<String> flags = new ArrayList<>();
    private final Knob general;

    Knob(Group group, String env, ValueType type, Default defaultValue, String description, Trait... traits) {
        this.group = group;
        this.env = env;
        this.type = type;
        this.defaultValue = defaultValue;
        this.description = description;
        List<Trait> t = List.of(traits);
        this.secret = t.contains(Trait.SECRET);
        this.repeatable = t.contains(Trait.REPEATABLE);
        this.readByQuarkus = t.contains(Trait.READ_BY_QUARKUS);
        this.strictBecause = t.stream().filter(Strict.class::isInstance).map(s -> ((Strict) s).why()).findFirst()
                .orElse(null);
        if (!readByQuarkus) {
            flags.add(flagOf(env));
        }
        t.stream().filter(Alias.class::isInstance).forEach(a -> flags.add(((Alias) a).flag()));
        this.general = null;
    }

    /** The {@code OTEL_EXPORTER_OTLP_TRACES_*} variant of a generic OTLP knob, which wins over it. */
    Knob(Knob general) {
        this.group = general.group;
        this.env = general.env.replace("OTEL_EXPORTER_OTLP_", "OTEL_EXPORTER_OTLP_TRACES_");
        this.type = general.type;
        this.defaultValue = new Default(general.defaultValue(), "the value of " + general.flag());
        this.description = "the same for traces only; wins over " + general.flag();
        this.secret = general.secret;
        this.repeatable = general.repeatable;
        this.readByQuarkus = false;
        this.strictBecause = general.strictBecause;
        this.flags.add(flagOf(env));
        this.general = general;
    }

    private static String flagOf(String env) {
        String name = env;
        for (String prefix : List.of("OTEL_GO_AUTO_", "OTEL_EXPORTER_", "OTEL_", "TRACEBEE_")) {
            if (name.startsWith(prefix)) {
                name = name.substring(prefix.length());
                break;
            }
        }
        return "--" + name.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The environment variable, e.g. {@code OTEL_SERVICE_NAME}. */
    public String env() {
        return env;
    }

    /** The key in {@code application.properties}: {@code OTEL_SERVICE_NAME} ─▶ {@code otel.service.name}. */
    public String property() {
        return env.toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** The command-line flag, or null for a knob Quarkus reads before the command line is parsed. */
    public String flag() {
        return flags.isEmpty() ? null : flags.get(0);
    }

    /** The flag and its aliases. */
    public List<String> flags() {
        return List.copyOf(flags);
    }

    public Group group() {
        return group;
    }

    public ValueType type() {
        return type;
    }

    /** The value the agent uses when the knob is unset, or null when there is none or it is computed. */
    public String defaultValue() {
        return defaultValue.value();
    }

    /** The default as users are told it. */
    public String shownDefault() {
        return defaultValue.shown();
    }

    /** One line saying what the knob does. */
    public String description() {
        return description;
    }

    /** Never logged or echoed. */
    public boolean secret() {
        return secret;
    }

    /** The flag may be repeated; its values are joined with commas. */
    public boolean repeatable() {
        return repeatable;
    }

    /** Read by Quarkus from its configuration; tracebee only reports it. */
    public boolean readByQuarkus() {
        return readByQuarkus;
    }

    /** Whether an invalid value stops the agent rather than falling back to the default. */
    public boolean strict() {
        return strictBecause != null;
    }

    /** Why falling back would be unsafe, for a strict knob; else null. */
    public String strictBecause() {
        return strictBecause;
    }

    /** For an {@code OTEL_EXPORTER_OTLP_TRACES_*} knob, the generic one it wins over; else null. */
    public Knob general() {
        return general;
    }

    /** For a generic OTLP knob, its {@code OTEL_EXPORTER_OTLP_TRACES_*} variant; else null. */
    public Knob tracesVariant() {
        for (Knob k : values()) {
            if (k.general == this) {
                return k;
            }
        }
        return null;
    }
}
