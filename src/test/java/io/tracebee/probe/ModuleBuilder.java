package io.tracebee.probe;

import io.tracebee.inspect.DwarfStructs;
import io.tracebee.inspect.GoBinary;
import io.tracebee.inspect.GoBuildInfo.Module;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds a {@link ModuleTemplate}'s program against one version of its module with one Go toolchain
 * ({@code GOTOOLCHAIN=<toolchain> CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath} in a fresh temporary module)
 * and reads the layout of every struct of that module from the binary's DWARF.
 *
 * <p>Results are cached in {@code <cache>/<escaped module>/<version>@<toolchain>-<hash>.txt}, the hash covering
 * everything that shapes the build, so a rerun only builds versions it has not seen. The binary itself is not
 * kept: the cache holds every struct of the module, so a probe needing another member of an already-built
 * struct needs no rebuild. A failed build is cached too (with its error) unless failures are to be retried.
 */
final class ModuleBuilder {
    /** Bump when the build or the cache format changes. */
    private static final int REVISION = 1;
    private static final String BUILD_FLAGS = "CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath";
    private static final long BUILD_TIMEOUT_MINUTES = 30;

    /**
     * What one build showed.
     *
     * @param goDirective the {@code go} line of the module's own go.mod, e.g. "1.21" (empty if it has none)
     * @param structs every struct of the module in DWARF: name to member offsets
     * @param failure why the build failed; empty on success
     * @param cached whether this came from the cache
     * @param seconds how long the build took (0 when cached)
     */
    record Result(String goDirective, Map<String, Map<String, Long>> structs, String failure, boolean cached,
            double seconds) {
        boolean ok() {
            return failure.isEmpty();
        }
    }

    private final Path cache;
    private final boolean retryFailed;

    ModuleBuilder(Path cache, boolean retryFailed) {
        this.cache = cache;
        this.retryFailed = retryFailed;
    }

    Result build(ModuleTemplate template, ModuleVersion version, String toolchain) throws IOException,
            InterruptedException {
        String goMod = "module tracebee.offsets/" + template.name() + "\n\ngo 1.23\n\nrequire " + template.module()
                + " " + version.raw() + "\n";
        Path entry = cache.resolve(ModuleProxy.escape(template.module())).resolve(version.raw() + "@" + toolchain
                + "-" + hash("rev=" + REVISION, template.module(), version.raw(), toolchain, BUILD_FLAGS, goMod,
                        template.mainGo()) + ".txt");
        if (Files.isRegularFile(entry)) {
            Result r = readEntry(entry);
            if (r.ok() || !retryFailed) {
                return r;
            }
        }
        Files.createDirectories(cache);
        Path work = Files.createTempDirectory(cache, ".build-");
        try {
            long start = System.nanoTime();
            Result r = buildIn(work, template, version, toolchain, goMod);
            r = new Result(r.goDirective(), r.structs(), r.failure(), false, (System.nanoTime() - start) / 1e9);
            writeEntry(entry, r);
            return r;
        } finally {
            deleteTree(work);
        }
    }

    private Result buildIn(Path work, ModuleTemplate template, ModuleVersion version, String toolchain, String goMod)
            throws IOException, InterruptedException {
        Files.writeString(work.resolve("go.mod"), goMod);
        Files.writeString(work.resolve("main.go"), template.mainGo());
        Path binary = work.resolve("probe");
        String out = go(work, toolchain, "build", "-trimpath", "-o", binary.toString(), ".");
        if (out != null) {
            return failed(out);
        }
        GoBinary bin = GoBinary.open(binary);
        Optional<Module> dep = bin.buildInfo().dependency(template.module());
        if (dep.isEmpty() || !dep.get().effective().version().equals(version.raw())) {
            return failed("the build linked " + dep.map(d -> d.effective().version()).orElse("no version")
                    + " of " + template.module() + " instead of " + version);
        }
        DwarfStructs dwarf = bin.dwarf().orElseThrow(() -> new IllegalStateException(binary + " has no DWARF"));
        Map<String, Map<String, Long>> structs = new TreeMap<>();
        for (String name : dwarf.structNames()) {
            if (ownedBy(name, template.module(), bin.buildInfo().dependencies())) {
                dwarf.struct(name).ifPresent(s -> structs.put(name, new TreeMap<>(s.members())));
            }
        }
        // the module's own go line tells which toolchains can build this version at all
        String listFailure = go(work, toolchain, "list", "-m", "-f", "{{.GoVersion}}", template.module());
        if (listFailure != null) {
            return failed("go list -m " + template.module() + ": " + listFailure);
        }
        return new Result(Files.readString(work.resolve("go.log")).strip(), structs, "", false, 0);
    }

    private static boolean ownedBy(String struct, String module, List<Module> dependencies) {
        try {
            return GoPackage.ofStruct(struct).owner(dependencies).filter(m -> m.path().equals(module)).isPresent();
        } catch (IllegalArgumentException e) {
            return false; // a DWARF name without a package part: not the module's
        }
    }

    /** Runs go in {@code dir}; null when it succeeded (output in go.log), else the tail of its output. */
    private static String go(Path dir, String toolchain, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("go"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("go.log").toFile());
        Map<String, String> env = pb.environment();
        Stream.of("GOOS", "GOARCH", "GOAMD64", "GOEXPERIMENT", "GOFLAGS").forEach(env::remove);
        env.put("GOTOOLCHAIN", toolchain);
        env.put("CGO_ENABLED", "0");
        env.put("GOFLAGS", "-mod=mod");
        env.put("GOWORK", "off");
        Process p = pb.start();
        if (!p.waitFor(BUILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            p.destroyForcibly().waitFor();
            return "go " + String.join(" ", args) + " did not finish within " + BUILD_TIMEOUT_MINUTES + " minutes";
        }
        if (p.exitValue() == 0) {
            return null;
        }
        List<String> lines = Files.readAllLines(dir.resolve("go.log")).stream()
                .filter(l -> !l.startsWith("go: downloading")).toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 6), lines.size())).strip();
    }

    private static Result failed(String why) {
        return new Result("", Map.of(), why.isEmpty() ? "failed without output" : why, false, 0);
    }

    // ---- cache entries: tab-separated lines, so that a changed table can be traced to a build

    private static void writeEntry(Path entry, Result r) throws IOException {
        StringBuilder sb = new StringBuilder("tracebee-module-build\t" + REVISION + "\n");
        if (!r.ok()) {
            sb.append("failed\t").append(r.failure().replace('\n', ' ').replace('\t', ' ')).append('\n');
        } else {
            sb.append("go\t").append(r.goDirective()).append('\n');
            r.structs().forEach((struct, members) -> members.forEach((member, offset) ->
                    sb.append("member\t").append(struct).append('\t').append(member).append('\t').append(offset)
                            .append('\n')));
        }
        Files.createDirectories(entry.getParent());
        Path tmp = Files.createTempFile(entry.getParent(), ".entry-", ".tmp");
        Files.writeString(tmp, sb);
        Files.move(tmp, entry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static Result readEntry(Path entry) throws IOException {
        String go = "";
        String failure = "";
        Map<String, Map<String, Long>> structs = new TreeMap<>();
        for (String line : Files.readAllLines(entry, StandardCharsets.UTF_8)) {
            String[] f = line.split("\t", -1);
            switch (f[0]) {
                case "go" -> go = f[1];
                case "failed" -> failure = f[1];
                case "member" -> structs.computeIfAbsent(f[1], k -> new TreeMap<>()).put(f[2], Long.parseLong(f[3]));
                default -> {
                    // header
                }
            }
        }
        return new Result(go, structs, failure, true, 0);
    }

    private static String hash(String... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String p : parts) {
                sha.update(p.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("warning: could not remove " + dir + ": " + e.getMessage());
        }
    }
}
