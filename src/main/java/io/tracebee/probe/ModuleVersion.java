package io.tracebee.probe;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Go module version as build info and the module proxy spell it ({@code v1.10.9}, {@code v5.0.0-rc.1},
 * {@code v2.3.0+incompatible}, pseudo-versions such as {@code v1.10.10-0.20230129092748-24d4a6f8daec}), ordered
 * by semantic-version precedence, which is also the order of Go's pseudo-versions: a pseudo-version is a
 * prerelease of the release after its base, so it sorts between that base and the next release.
 *
 * <p>Build metadata ({@code +incompatible}) does not take part in precedence; it only breaks ties so that the
 * order stays consistent with {@code equals}.
 */
public record ModuleVersion(String raw, long major, long minor, long patch, List<String> prerelease, String build)
        implements Comparable<ModuleVersion> {

    private static final String NUMBER = "(0|[1-9]\\d{0,17})";
    private static final String IDENT = "[0-9A-Za-z-]+";
    private static final Pattern SEMVER = Pattern.compile("v" + NUMBER + "\\." + NUMBER + "\\." + NUMBER
            + "(?:-(" + IDENT + "(?:\\." + IDENT + ")*))?(?:\\+(" + IDENT + "(?:\\." + IDENT + ")*))?");
    /** The three pseudo-version forms: vX.0.0-T-H, vX.Y.(Z+1)-0.T-H and vX.Y.Z-pre.0.T-H (T a UTC timestamp). */
    private static final Pattern PSEUDO = Pattern.compile(
            "v\\d+\\.(?:0\\.0-|\\d+\\.\\d+-(?:[^+]*\\.)?0\\.)\\d{14}-[A-Za-z0-9]+(?:\\+.*)?");

    public ModuleVersion {
        Objects.requireNonNull(raw, "raw");
        prerelease = List.copyOf(prerelease);
        Objects.requireNonNull(build, "build");
    }

    /**
     * Parses a canonical module version ({@code vMAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]}).
     *
     * @throws IllegalArgumentException if {@code version} is not one (e.g. empty for a local-directory replacement)
     */
    public static ModuleVersion parse(String version) {
        return tryParse(version).orElseThrow(() ->
                new IllegalArgumentException("not a Go module version: \"" + version + "\""));
    }

    /** Like {@link #parse}, empty instead of throwing. */
    public static Optional<ModuleVersion> tryParse(String version) {
        Matcher m = SEMVER.matcher(version == null ? "" : version);
        if (!m.matches()) {
            return Optional.empty();
        }
        List<String> pre = m.group(4) == null ? List.of() : List.of(m.group(4).split("\\."));
        for (String id : pre) {
            if (isNumeric(id) && id.length() > 1 && id.charAt(0) == '0') {
                return Optional.empty(); // semver forbids leading zeros in numeric identifiers
            }
        }
        return Optional.of(new ModuleVersion(version, Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                Long.parseLong(m.group(3)), pre, m.group(5) == null ? "" : m.group(5)));
    }

    /** True for a tagged release: no prerelease part, hence not a pseudo-version either. */
    public boolean isRelease() {
        return prerelease.isEmpty();
    }

    /** True for a pseudo-version (a commit without a tag). */
    public boolean isPseudo() {
        return !prerelease.isEmpty() && PSEUDO.matcher(raw).matches();
    }

    /** {@code "v1.10"}: the minor series this version belongs to. */
    public String minorSeries() {
        return "v" + major + "." + minor;
    }

    @Override
    public int compareTo(ModuleVersion o) {
        int c = Long.compare(major, o.major);
        if (c == 0) {
            c = Long.compare(minor, o.minor);
        }
        if (c == 0) {
            c = Long.compare(patch, o.patch);
        }
        if (c == 0) {
            c = comparePrerelease(prerelease, o.prerelease);
        }
        return c != 0 ? c : raw.compareTo(o.raw);
    }

    private static int comparePrerelease(List<String> a, List<String> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return Boolean.compare(a.isEmpty(), b.isEmpty()); // a release ranks above its prereleases
        }
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = compareIdentifier(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    private static int compareIdentifier(String a, String b) {
        boolean na = isNumeric(a);
        boolean nb = isNumeric(b);
        if (na && nb) {
            // no leading zeros, so the longer number is the larger one; digits of equal length compare as text
            return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
        }
        if (na != nb) {
            return na ? -1 : 1;
        }
        return a.compareTo(b);
    }

    private static boolean isNumeric(String id) {
        return !id.isEmpty() && id.chars().allMatch(ch -> ch >= '0' && ch <= '9');
    }

    @Override
    public String toString() {
        return raw;
    }
}
