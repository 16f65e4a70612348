package io.tracebee.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tracebee.inspect.GoVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Struct field offsets of verified Go releases, for targets built without DWARF ({@code -ldflags=-w}).
 *
 * <p>Each entry was read from the DWARF of a binary built with that exact release
 * ({@code src/test/offsets/generate.sh}). Layouts can change inside a patch series
 * (net/http.response.status moved in go1.26.11), so a release that is not listed is answered only
 * when the nearest listed releases below and above it, in the same minor series, agree on the field.
 * Anything else yields no offset and the probe is skipped with a reason rather than fed a guess.
 */
public final class OffsetTable {
    public static final String RESOURCE = "offsets/go-stdlib.json";

    private final TreeMap<GoVersion, Map<String, Long>> releases;

    OffsetTable(TreeMap<GoVersion, Map<String, Long>> releases) {
        this.releases = releases;
    }

    public static OffsetTable load() {
        try (InputStream in = OffsetTable.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " is missing from the classpath");
            }
            return parse(new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    static OffsetTable parse(JsonNode root) {
        TreeMap<GoVersion, Map<String, Long>> out = new TreeMap<>();
        root.path("releases").fields().forEachRemaining(release -> {
            Map<String, Long> fields = new HashMap<>();
            release.getValue().fields().forEachRemaining(f -> fields.put(f.getKey(), f.getValue().asLong()));
            out.put(GoVersion.parse(release.getKey()), fields);
        });
        return new OffsetTable(out);
    }

    /**
     * @param version the target's Go release
     * @param key struct and member, e.g. "net/http.Request.Method"
     */
    public OptionalLong offset(GoVersion version, String key) {
        Map<String, Long> exact = releases.get(version);
        if (exact != null) {
            return of(exact.get(key));
        }
        Map.Entry<GoVersion, Map<String, Long>> below = releases.lowerEntry(version);
        Map.Entry<GoVersion, Map<String, Long>> above = releases.higherEntry(version);
        if (below == null || above == null || !sameMinor(below.getKey(), version) || !sameMinor(above.getKey(), version)) {
            return OptionalLong.empty();
        }
        Long lo = below.getValue().get(key);
        return lo != null && lo.equals(above.getValue().get(key)) ? OptionalLong.of(lo) : OptionalLong.empty();
    }

    private static boolean sameMinor(GoVersion a, GoVersion b) {
        return a.major() == b.major() && a.minor() == b.minor();
    }

    private static OptionalLong of(Long v) {
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }
}
