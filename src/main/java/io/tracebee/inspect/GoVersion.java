package io.tracebee.inspect;

import java.util.Comparator;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Go toolchain version as the runtime reports it ({@code go1.26.8}, {@code go1.24rc1}, {@code go1.21.0},
 * {@code devel go1.27-abc123 ...}), parsed so that versions compare numerically.
 *
 * <p>{@code prerelease} is {@code "rc1"}, {@code "beta2"} or empty; a prerelease sorts before the release.
 * Development builds ({@code devel}) sort after every release of the same minor version; if their minor
 * version is unknown ({@code major == 0}), they are assumed to be the newest Go.
 */
public record GoVersion(String raw, int major, int minor, int patch, String prerelease, boolean devel)
        implements Comparable<GoVersion> {

    /** The oldest Go release tracebee attaches to. */
    public static final GoVersion MINIMUM_SUPPORTED = new GoVersion("go1.23", 1, 23, 0, "", false);

    private static final Pattern RELEASE = Pattern.compile("go(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?((?:rc|beta|alpha)\\d+)?");
    private static final Pattern DEVEL = Pattern.compile("devel(?: \\+?go(\\d+)\\.(\\d+))?.*");

    private static final Comparator<GoVersion> ORDER = Comparator
            .comparingInt((GoVersion v) -> v.devel && v.major == 0 ? Integer.MAX_VALUE : v.major)
            .thenComparingInt(GoVersion::minor)
            .thenComparingInt(v -> v.devel ? Integer.MAX_VALUE : v.patch)
            .thenComparing(v -> v.prerelease.isEmpty() ? "~" : v.prerelease, GoVersion::comparePrerelease);

    public GoVersion {
        Objects.requireNonNull(raw, "raw");
        Objects.requireNonNull(prerelease, "prerelease");
    }

    /**
     * Parses the version string Go stores in binaries. Anything after the first space of a release
     * (such as {@code " X:nodwarf5"}, the GOEXPERIMENT suffix) is kept in {@link #raw()} but ignored.
     *
     * @throws IllegalArgumentException if the string is not a Go version
     */
    public static GoVersion parse(String version) {
        String v = version.strip();
        if (v.startsWith("devel")) {
            Matcher d = DEVEL.matcher(v);
            if (d.matches() && d.group(1) != null) {
                return new GoVersion(v, Integer.parseInt(d.group(1)), Integer.parseInt(d.group(2)), 0, "", true);
            }
            return new GoVersion(v, 0, 0, 0, "", true);
        }
        int space = v.indexOf(' ');
        String head = space < 0 ? v : v.substring(0, space);
        Matcher m = RELEASE.matcher(head);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a Go version: \"" + version + "\"");
        }
        return new GoVersion(v, Integer.parseInt(m.group(1)),
                m.group(2) == null ? 0 : Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3)),
                m.group(4) == null ? "" : m.group(4), false);
    }

    /** True if this is release {@code major.minor} or any later one (prereleases of it included). */
    public boolean isAtLeast(int major, int minor) {
        if (devel && this.major == 0) {
            return true;
        }
        return this.major != major ? this.major > major : this.minor >= minor;
    }

    /** True if tracebee supports this version ({@link #MINIMUM_SUPPORTED} or newer). */
    public boolean isSupported() {
        return isAtLeast(MINIMUM_SUPPORTED.major, MINIMUM_SUPPORTED.minor);
    }

    /** {@code "1.26"}: the language version that selects struct layouts and probe variants. */
    public String minorVersion() {
        return major + "." + minor;
    }

    @Override
    public int compareTo(GoVersion other) {
        return ORDER.compare(this, other);
    }

    private static int comparePrerelease(String a, String b) {
        // alpha < beta < rc < "~" (release); numbers compared numerically
        int ka = prereleaseKind(a);
        int kb = prereleaseKind(b);
        if (ka != kb) {
            return Integer.compare(ka, kb);
        }
        return Integer.compare(prereleaseNumber(a), prereleaseNumber(b));
    }

    private static int prereleaseKind(String p) {
        if (p.startsWith("alpha")) {
            return 0;
        }
        if (p.startsWith("beta")) {
            return 1;
        }
        if (p.startsWith("rc")) {
            return 2;
        }
        return 3;
    }

    private static int prereleaseNumber(String p) {
        int i = 0;
        while (i < p.length() && !Character.isDigit(p.charAt(i))) {
            i++;
        }
        return i < p.length() ? Integer.parseInt(p.substring(i)) : 0;
    }

    @Override
    public String toString() {
        return raw;
    }
}
