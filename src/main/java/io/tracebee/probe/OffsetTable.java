package io.tracebee.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tracebee.inspect.GoBuildInfo;
import io.tracebee.inspect.GoBuildInfo.Module;
import io.tracebee.inspect.GoVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Struct field offsets of verified builds, for targets built without DWARF ({@code -ldflags=-w}): the standard
 * library's by Go release ({@value #RESOURCE}), third-party modules' by module version ({@value #MODULES_RESOURCE}).
 *
 * <p>Each entry was read from the DWARF of a binary built with that exact release or module version
 * ({@code src/test/offsets/generate.sh}, {@code generate-modules.sh}). Layouts can change inside a patch series
 * (net/http.response.status moved in go1.26.11), so a version that is not listed is answered only when the nearest
 * listed versions below and above it agree on the field (for Go releases: in the same minor series). A listed
 * version without the field means the field does not exist there. Anything else yields no offset, with the
 * reason, and the probe is skipped rather than fed a guess.
 *
 * <p>Module layouts are keyed by module version alone: building the same module version with go1.23 and go1.26
 * gave identical layouts, and {@code generate-modules.sh} checks that again on every run.
 */
public final class OffsetTable {
    public static final String RESOURCE = "offsets/go-stdlib.json";
    public static final String MODULES_RESOURCE = "offsets/modules.json";

    private final TreeMap<GoVersion, Map<String, Long>> releases;
    private final Map<String, TreeMap<ModuleVersion, Map<String, Long>>> modules;

    OffsetTable(TreeMap<GoVersion, Map<String, Long>> releases,
            Map<String, TreeMap<ModuleVersion, Map<String, Long>>> modules) {
        this.releases = releases;
        this.modules = modules;
    }

    /**
     * The offset of one struct member, or why the table cannot give it.
     *
     * @param unknownReason empty when the offset is known, else e.g. "github.com/lib/pq v1.2.0 not in the offsets table"
     */
    public record Answer(OptionalLong offset, String unknownReason) {
        static Answer of(OptionalLong offset, String reasonIfEmpty) {
            return offset.isPresent() ? new Answer(offset, "") : new Answer(offset, reasonIfEmpty);
        }

        static Answer unknown(String reason) {
            return new Answer(OptionalLong.empty(), reason);
        }
    }

    /** Both shipped tables from the classpath. */
    public static OffsetTable load() {
        ObjectMapper json = new ObjectMapper();
        return parse(read(json, RESOURCE), read(json, MODULES_RESOURCE));
    }

    private static JsonNode read(ObjectMapper json, String resource) {
        try (InputStream in = OffsetTable.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " is missing from the classpath");
            }
            return json.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    /** A table of Go releases only. */
    static OffsetTable parse(JsonNode stdlib) {
        return parse(stdlib, null);
    }

    /**
     * @param stdlib {@code {"releases": {"go1.26.0": {"net/http.Request.Method": 0, ...}, ...}}}
     * @param modules {@code {"modules": {"github.com/lib/pq": {"versions": {"v1.10.9": {"github.com/lib/pq.Error.Message": 32}}}}}},
     *        or null
     */
    static OffsetTable parse(JsonNode stdlib, JsonNode modules) {
        TreeMap<GoVersion, Map<String, Long>> releases = versions(stdlib.path("releases"), GoVersion::parse);
        Map<String, TreeMap<ModuleVersion, Map<String, Long>>> byModule = new HashMap<>();
        if (modules != null) {
            modules.path("modules").fields().forEachRemaining(m ->
                    byModule.put(m.getKey(), versions(m.getValue().path("versions"), ModuleVersion::parse)));
        }
        return new OffsetTable(releases, byModule);
    }

    private static <V extends Comparable<V>> TreeMap<V, Map<String, Long>> versions(JsonNode node,
            Function<String, V> parser) {
        TreeMap<V, Map<String, Long>> out = new TreeMap<>();
        node.fields().forEachRemaining(version -> {
            Map<String, Long> fields = new HashMap<>();
            version.getValue().fields().forEachRemaining(f -> fields.put(f.getKey(), f.getValue().asLong()));
            out.put(parser.apply(version.getKey()), fields);
        });
        return out;
    }

    /**
     * The offset of a member in the binary described by {@code build}: a standard-library struct by its Go release,
     * a third-party struct by the version of the module that provides its package there.
     */
    public Answer lookup(GoBuildInfo build, String struct, String member) {
        String key = struct + "." + member;
        GoPackage pkg = GoPackage.ofStruct(struct);
        if (pkg.isStandardLibrary()) {
            return lookupRelease(build.goVersion(), key);
        }
        Optional<Module> dependency = pkg.owner(build.dependencies());
        if (dependency.isEmpty()) {
            return Answer.unknown("no module in the binary provides " + pkg.path());
        }
        Module declared = dependency.get();
        Module built = declared.effective();
        String name = declared.path().equals(built.path())
                ? built.path() + " " + built.version()
                : declared.path() + " => " + built.path() + " " + built.version();
        if (built.version().isEmpty() || built.version().equals("(devel)")) { // how build info shows a directory
            return Answer.unknown(declared.path() + " is replaced by the directory " + built.path()
                    + ", which has no version to look up");
        }
        Optional<ModuleVersion> version = ModuleVersion.tryParse(built.version());
        if (version.isEmpty()) {
            return Answer.unknown(name + " is not a valid module version");
        }
        TreeMap<ModuleVersion, Map<String, Long>> versions = modules.get(built.path());
        if (versions == null) {
            return Answer.unknown(name + " not in the offsets table (no versions of " + built.path() + " are)");
        }
        return lookup(versions, version.get(), key, name, v -> true);
    }

    /** The standard library's offset for a key in a Go release, or why there is none. */
    public Answer lookupRelease(GoVersion version, String key) {
        return lookup(releases, version, key, version.raw(), listed -> sameMinor(listed, version));
    }

    /**
     * @param version the target's Go release
     * @param key struct and member, e.g. "net/http.Request.Method"
     */
    public OptionalLong offset(GoVersion version, String key) {
        return lookupRelease(version, key).offset();
    }

    /** A module's offset for a key at a module version; empty when the table does not cover it. */
    public OptionalLong moduleOffset(String module, ModuleVersion version, String key) {
        TreeMap<ModuleVersion, Map<String, Long>> versions = modules.get(module);
        return versions == null ? OptionalLong.empty() : lookup(versions, version, key, module, v -> true).offset();
    }

    /**
     * Exact version, else the nearest listed neighbours below and above (both accepted by {@code neighbour})
     * when they agree on the key.
     */
    private static <V extends Comparable<V>> Answer lookup(TreeMap<V, Map<String, Long>> table, V version,
            String key, String name, Predicate<V> neighbour) {
        Map<String, Long> exact = table.get(version);
        if (exact != null) {
            return Answer.of(of(exact.get(key)), "the offsets table says " + name + " has no such member");
        }
        Map.Entry<V, Map<String, Long>> below = table.lowerEntry(version);
        Map.Entry<V, Map<String, Long>> above = table.higherEntry(version);
        if (below == null || above == null || !neighbour.test(below.getKey()) || !neighbour.test(above.getKey())) {
            String range = table.isEmpty() ? ""
                    : ", which lists " + table.firstKey() + " to " + table.lastKey();
            return Answer.unknown(name + " not in the offsets table" + range);
        }
        Long lo = below.getValue().get(key);
        if (lo != null && lo.equals(above.getValue().get(key))) {
            return new Answer(OptionalLong.of(lo), "");
        }
        return Answer.unknown(name + " not in the offsets table, and its neighbours " + below.getKey() + " and "
                + above.getKey() + " do not agree on the member");
    }

    private static boolean sameMinor(GoVersion a, GoVersion b) {
        return a.major() == b.major() && a.minor() == b.minor();
    }

    private static OptionalLong of(Long v) {
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }
}
