package io.tracebee.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The values a {@link Knob} takes: how they are written in {@code --help}, and the check that turns what a user
 * wrote into the value the agent uses (trimmed, choices lower-cased) or rejects it.
 */
public final class ValueType {
    public static final ValueType TEXT = new ValueType("TEXT", "a text", s -> s);
    public static final ValueType PATH = new ValueType("PATH", "a path", s -> s);
    public static final ValueType PATHS = list("PATH", "paths", s -> s);
    public static final ValueType PIDS = list("PID", "process ids", ValueType::pid);
    /** Absolute path globs; a comma inside braces ({@code /srv/{api,web}/server}) belongs to its glob. */
    public static final ValueType GLOBS = list("GLOB", "absolute path globs", ValueType::glob);
    public static final ValueType SWITCH = new ValueType("on|off", "on or off", ValueType::onOff);
    public static final ValueType BOOLEAN = choice("true", "false");
    public static final ValueType RATIO = new ValueType("RATIO", "a number from 0 to 1", ValueType::ratio);
    public static final ValueType URL = new ValueType("URL", "an http:// or https:// address with a host",
            ValueType::url);
    public static final ValueType KEY_VALUES = new ValueType("KEY=VALUE,...",
            "a comma-separated list of key=value pairs (values percent-encoded)", ValueType::keyValues);

    private final String label;
    private final String expected;
    private final boolean list;
    private final List<String> choices;
    private final UnaryOperator<String> check;

    private ValueType(String label, String expected, boolean list, List<String> choices, UnaryOperator<String> check) {
        this.label = label;
        this.expected = expected;
        this.list = list;
        this.choices = choices;
        this.check = check;
    }

    private ValueType(String label, String expected, UnaryOperator<String> check) {
        this(label, expected, false, List.of(), check);
    }

    /** A whole number of at least {@code min}. */
    public static ValueType integer(long min) {
        return new ValueType("N", "an integer of at least " + min, s -> {
            long n = Long.parseLong(s);
            if (n < min || n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException();
            }
            return Long.toString(n);
        });
    }

    /** A power of two of at least {@code min} (a ring buffer's size). */
    public static ValueType powerOfTwo(int min) {
        return new ValueType("BYTES", "a power of two of at least " + min, s -> {
            int n = Integer.parseInt(s);
            if (n < min || Integer.bitCount(n) != 1) {
                throw new IllegalArgumentException();
            }
            return Integer.toString(n);
        });
    }

    /** A whole number of milliseconds, at least {@code min}. */
    public static ValueType millis(long min) {
        return new ValueType("MS", "a whole number of milliseconds" + (min > 0 ? " of at least " + min : ""), s -> {
            long n = Long.parseLong(s);
            if (n < min) {
                throw new IllegalArgumentException();
            }
            return Long.toString(n);
        });
    }

    /** One of {@code values}, case-insensitive. */
    public static ValueType choice(String... values) {
        List<String> all = List.of(values);
        String label = String.join("|", all);
        return new ValueType(label.length() <= 16 ? label : "NAME", "one of " + String.join(", ", all), false, all,
                s -> member(all, s));
    }

    /** Several of {@code values}, comma-separated. */
    public static ValueType choices(String... values) {
        List<String> all = List.of(values);
        ValueType t = list("NAME", "names", s -> member(all, s));
        return new ValueType(t.label, "a comma-separated list of " + String.join(", ", all), true, all, t.check);
    }

    private static ValueType list(String element, String plural, UnaryOperator<String> check) {
        return new ValueType(element + "[," + element + "...]", "a comma-separated list of " + plural, true, List.of(),
                s -> {
                    List<String> out = new ArrayList<>();
                    for (String part : splitList(s)) {
                        if (part.isBlank()) {
                            throw new IllegalArgumentException();
                        }
                        out.add(check.apply(part.trim()));
                    }
                    return String.join(",", out);
                });
    }

    /** How {@code --help} writes a value: {@code N}, {@code MS}, {@code on|off}, ... */
    public String label() {
        return label;
    }

    /** What a valid value is, to finish "is not ...". */
    public String expected() {
        return expected;
    }

    /** Whether a value is comma-separated (and a repeated flag is joined with commas). */
    public boolean isList() {
        return list;
    }

    /** The allowed values of a choice, else empty. */
    public List<String> allowed() {
        return choices;
    }

    /** The value to use for {@code raw} (not blank), or empty when it is not one of this type's values. */
    public Optional<String> normalize(String raw) {
        try {
            return Optional.of(check.apply(raw.trim()));
        } catch (IllegalArgumentException e) {  // NumberFormatException too
            return Optional.empty();
        }
    }

    private static String member(List<String> all, String s) {
        String v = s.toLowerCase(Locale.ROOT);
        if (!all.contains(v)) {
            throw new IllegalArgumentException();
        }
        return v;
    }

    /** A list value's elements: split at commas, but not at those inside braces (a glob's alternatives). */
    public static List<String> splitList(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int from = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}' && depth > 0) {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(s.substring(from, i));
                from = i + 1;
            }
        }
        out.add(s.substring(from));
        return out;
    }

    private static String glob(String s) {
        if (!s.startsWith("/")) {
            throw new IllegalArgumentException();
        }
        java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + s);  // PatternSyntaxException: invalid
        return s;
    }

    private static String pid(String s) {
        if (Integer.parseInt(s) <= 0) {
            throw new IllegalArgumentException();
        }
        return s;
    }

    private static String onOff(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "on", "true" -> "on";
            case "off", "false" -> "off";
            default -> throw new IllegalArgumentException();
        };
    }

    private static String ratio(String s) {
        double r = Double.parseDouble(s);
        if (!(r >= 0 && r <= 1)) {
            throw new IllegalArgumentException();
        }
        return s;
    }

    /** {@code http(s)://host[:port][/path]}, or {@code host:port} (TLS unless insecure, decided by the exporter). */
    private static String url(String s) {
        try {
            URI uri = new URI(s.contains("://") ? s : "https://" + s);
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
            return s;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String keyValues(String s) {
        for (String entry : s.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0 || entry.substring(0, eq).isBlank()) {
                throw new IllegalArgumentException();
            }
            URLDecoder.decode(entry.substring(eq + 1), StandardCharsets.UTF_8);  // throws on a bad %-escape
        }
        return s;
    }
}
