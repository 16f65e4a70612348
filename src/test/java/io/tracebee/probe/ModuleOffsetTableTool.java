package io.tracebee.probe;

import io.tracebee.inspect.GoVersion;
import io.tracebee.probe.ProbeSpec.OffsetSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Regenerates {@code src/main/resources/offsets/modules.json}, the struct offsets of third-party modules by module
 * version. For each library declared under {@code src/test/offsets/modules/} ({@link ModuleTemplate}) it lists the
 * module's releases from the Go module proxy, builds the library's tiny program against each of them
 * ({@link ModuleBuilder}, sequentially, cached) and records every {@link Probes#allOffsets()} member of that
 * module that the binary's DWARF shows. A release that fails to build is reported and left out.
 *
 * <p>Layouts are keyed by module version alone. That holds only while they do not depend on the Go release, so
 * every run builds the oldest and newest release in range again with each {@code --cross-check} toolchain that
 * can build them and compares every struct of the module: a difference in a member the probes read stops the run.
 *
 * <p>Run through {@code src/test/offsets/generate-modules.sh}; arguments:
 * {@code --modules DIR --out FILE --cache DIR --toolchain goX.Y.Z [--cross-check goX.Y.Z,...] [--retry-failed]}.
 */
public final class ModuleOffsetTableTool {

    /** One module's table: version to member offsets. */
    private record ModuleTable(String module, TreeMap<ModuleVersion, Map<String, Long>> versions, int failed) {
    }

    private final ModuleProxy proxy;
    private final ModuleBuilder builder;
    private final String toolchain;
    private final List<String> crossCheck;
    private final List<String> problems = new ArrayList<>();

    private ModuleOffsetTableTool(ModuleProxy proxy, ModuleBuilder builder, String toolchain, List<String> crossCheck) {
        this.proxy = proxy;
        this.builder = builder;
        this.toolchain = toolchain;
        this.crossCheck = crossCheck;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new TreeMap<>();
        boolean retryFailed = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--retry-failed")) {
                retryFailed = true;
            } else if (args[i].startsWith("--") && i + 1 < args.length) {
                opts.put(args[i].substring(2), args[++i]);
            } else {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
        }
        Path modules = Path.of(required(opts, "modules"));
        Path out = Path.of(required(opts, "out"));
        Path cache = Path.of(required(opts, "cache"));
        String toolchain = required(opts, "toolchain");
        List<String> cross = opts.containsKey("cross-check")
                ? List.of(opts.get("cross-check").split(",")) : List.of();

        long start = System.nanoTime();
        ModuleOffsetTableTool tool = new ModuleOffsetTableTool(ModuleProxy.fromEnvironment(),
                new ModuleBuilder(cache, retryFailed), toolchain, cross);
        List<ModuleTable> tables = new ArrayList<>();
        List<ModuleTemplate> templates = templates(modules);
        List<String> paths = templates.stream().map(ModuleTemplate::module).toList();
        for (ModuleTemplate t : templates) {
            tables.add(tool.generate(t, paths));
        }
        if (!tool.problems.isEmpty()) {
            tool.problems.forEach(p -> System.err.println("error: " + p));
            System.err.println(out + " not written");
            System.exit(1);
        }
        write(out, tables, toolchain);
        int versions = tables.stream().mapToInt(t -> t.versions().size()).sum();
        System.err.printf("wrote %s: %d modules, %d versions (%d failed to build) in %.0f s%n", out, tables.size(),
                versions, tables.stream().mapToInt(ModuleTable::failed).sum(), (System.nanoTime() - start) / 1e9);
    }

    private static String required(Map<String, String> opts, String name) {
        String v = opts.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    private static List<ModuleTemplate> templates(Path dir) throws IOException {
        List<ModuleTemplate> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path d : s.filter(Files::isDirectory).sorted().toList()) {
                out.add(ModuleTemplate.read(d));
            }
        }
        return out;
    }

    /** The table of one module; a member is the module's whose path is the longest of {@code modules} holding it. */
    private ModuleTable generate(ModuleTemplate t, List<String> modules) throws IOException, InterruptedException {
        List<ModuleVersion> versions = t.explicit().isEmpty() ? t.select(proxy.versions(t.module())) : t.explicit();
        List<OffsetSpec> specs = Probes.allOffsets().stream().filter(o -> inModule(o, t.module())
                && modules.stream().noneMatch(m -> m.length() > t.module().length() && inModule(o, m))).toList();
        System.err.printf("%s: %d releases to build (%s%s), %d members%n", t.module(), versions.size(), t.from(),
                t.through() == null ? " through the newest" : " through " + t.through(), specs.size());
        TreeMap<ModuleVersion, Map<String, Long>> table = new TreeMap<>();
        Map<ModuleVersion, ModuleBuilder.Result> built = new TreeMap<>();
        int failed = 0;
        for (ModuleVersion v : versions) {
            ModuleBuilder.Result r = builder.build(t, v, toolchain);
            if (!r.ok()) {
                failed++;
                System.err.printf("  %-10s failed%s: %s%n", v, r.cached() ? " (cached; --retry-failed retries)" : "",
                        r.failure());
                continue;
            }
            built.put(v, r);
            Map<String, Long> fields = new TreeMap<>();
            Set<String> absentStructs = new LinkedHashSet<>();
            for (OffsetSpec o : specs) {
                Map<String, Long> members = r.structs().get(o.struct());
                if (members == null) {
                    absentStructs.add(o.struct());
                } else if (members.containsKey(o.member())) {
                    fields.put(o.key(), members.get(o.member()));
                }
            }
            table.put(v, fields);
            System.err.printf("  %-10s %s%s%n", v, r.cached() ? "cached" : String.format("built in %.1f s", r.seconds()),
                    absentStructs.isEmpty() ? "" : "; not in DWARF (absent in this release, or main.go does not reach it): "
                            + String.join(", ", absentStructs));
        }
        for (OffsetSpec o : specs) {
            if (!built.isEmpty() && table.values().stream().noneMatch(f -> f.containsKey(o.key()))) {
                problems.add("no build of " + t.module() + " shows " + o.key()
                        + ": make src/test/offsets/modules/" + t.name() + "/main.go reach it");
            }
        }
        if (built.isEmpty()) {
            problems.add("no release of " + t.module() + " in range built");
        }
        for (String other : crossCheck) {
            crossCheck(t, built, specs, other);
        }
        return new ModuleTable(t.module(), table, failed);
    }

    private static boolean inModule(OffsetSpec o, String module) {
        String pkg = GoPackage.ofStruct(o.struct()).path();
        return pkg.equals(module) || pkg.startsWith(module + "/");
    }

    /** Builds the oldest and newest release {@code other} can build and compares every struct of the module. */
    private void crossCheck(ModuleTemplate t, Map<ModuleVersion, ModuleBuilder.Result> built, List<OffsetSpec> specs,
            String other) throws IOException, InterruptedException {
        GoVersion otherGo = GoVersion.parse(other);
        List<ModuleVersion> eligible = built.entrySet().stream()
                .filter(e -> e.getValue().goDirective().isEmpty()
                        || GoVersion.parse("go" + e.getValue().goDirective()).compareTo(otherGo) <= 0)
                .map(Map.Entry::getKey).toList();
        if (eligible.isEmpty()) {
            System.err.printf("  cross-check with %s: no release in range allows it (go.mod asks for newer Go)%n", other);
            return;
        }
        Set<ModuleVersion> picks = new LinkedHashSet<>(List.of(eligible.get(0), eligible.get(eligible.size() - 1)));
        Set<String> needed = new LinkedHashSet<>();
        specs.forEach(o -> needed.add(o.key()));
        for (ModuleVersion v : picks) {
            ModuleBuilder.Result mine = built.get(v);
            ModuleBuilder.Result theirs = builder.build(t, v, other);
            if (!theirs.ok()) {
                System.err.printf("  cross-check %s with %s: build failed: %s%n", v, other, theirs.failure());
                continue;
            }
            int structs = 0;
            int members = 0;
            List<String> differences = new ArrayList<>();
            for (Map.Entry<String, Map<String, Long>> s : mine.structs().entrySet()) {
                Map<String, Long> o = theirs.structs().get(s.getKey());
                if (o == null) {
                    continue; // kept by one linker only: nothing to compare
                }
                structs++;
                Set<String> names = new LinkedHashSet<>(s.getValue().keySet());
                names.addAll(o.keySet());
                for (String m : names) {
                    members++;
                    Long a = s.getValue().get(m);
                    Long b = o.get(m);
                    if (a == null || !a.equals(b)) {
                        String key = s.getKey() + "." + m;
                        differences.add(key + " " + toolchain + "=" + a + " " + other + "=" + b);
                        if (needed.contains(key)) {
                            problems.add(t.module() + " " + v + ": " + key + " is at " + a + " with " + toolchain
                                    + " but " + b + " with " + other + "; key the module table by Go minor as well");
                        }
                    }
                }
            }
            System.err.printf("  cross-check %s with %s: %d structs, %d members compared, %d differ%s%n", v, other,
                    structs, members, differences.size(),
                    differences.isEmpty() ? "" : ": " + String.join("; ", differences.subList(0, Math.min(10,
                            differences.size()))));
        }
    }

    private static void write(Path out, List<ModuleTable> tables, String toolchain) throws IOException {
        StringBuilder sb = new StringBuilder("{\n  \"comment\": \"Struct member offsets of third-party Go modules by "
                + "module version, from DWARF of builds with " + toolchain + "; a listed version without a member "
                + "does not have it. Regenerate with src/test/offsets/generate-modules.sh\",\n  \"modules\": {\n");
        List<ModuleTable> sorted = tables.stream().sorted((a, b) -> a.module().compareTo(b.module())).toList();
        for (int i = 0; i < sorted.size(); i++) {
            ModuleTable t = sorted.get(i);
            sb.append("    \"").append(t.module()).append("\": {\n      \"versions\": {\n");
            int n = 0;
            for (Map.Entry<ModuleVersion, Map<String, Long>> v : t.versions().entrySet()) {
                OffsetTableTool.appendObject(sb, "        ", v.getKey().raw(), v.getValue(),
                        ++n == t.versions().size());
            }
            sb.append("      }\n    }").append(i + 1 < sorted.size() ? ",\n" : "\n");
        }
        sb.append("  }\n}\n");
        Files.writeString(out, sb);
    }
}
