package io.tracebee.probe;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * One library the module offsets table covers, declared in {@code src/test/offsets/modules/<name>/}:
 * {@code module.properties} (the module path and which of its releases to build) and {@code main.go}, a tiny
 * program that calls into the library far enough that the linker keeps every struct the probes read in DWARF
 * (a type, unexported ones especially, is only kept when code using it is reachable).
 *
 * @param name the directory's name
 * @param module the module path, e.g. {@code github.com/lib/pq}
 * @param from the oldest release to build
 * @param through the newest release to build, or null for the newest the proxy lists
 * @param selection which releases of the range to build
 * @param mainGo the program's source
 * @param explicit the versions to build when the module has no releases for the proxy to list (pseudo-versions
 *        only, e.g. google.golang.org/genproto/googleapis/rpc): {@code versions=} in module.properties; empty
 *        otherwise. {@code from} is then the oldest of them.
 */
record ModuleTemplate(String name, String module, ModuleVersion from, ModuleVersion through, Selection selection,
        String mainGo, List<ModuleVersion> explicit) {

    ModuleTemplate(String name, String module, ModuleVersion from, ModuleVersion through, Selection selection,
            String mainGo) {
        this(name, module, from, through, selection, mainGo, List.of());
    }

    /** Which releases of the range get built. */
    enum Selection {
        /** Every release. */
        ALL,
        /**
         * The first and last patch of each minor series; the table answers the patches between them when both
         * agree, which is right only if a library does not move fields within a minor series.
         */
        MINOR_ENDS
    }

    static ModuleTemplate read(Path dir) throws IOException {
        Path file = dir.resolve("module.properties");
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        String module = require(p, file, "module");
        // program=<dir>: build that template's main.go (modules released together can share one program)
        String mainGo = Files.readString(dir.resolve(p.getProperty("program", ".").strip()).resolve("main.go"));
        String listed = p.getProperty("versions", "").strip();
        if (!listed.isEmpty()) {
            List<ModuleVersion> explicit = Arrays.stream(listed.split("[,\\s]+")).map(v -> version(file, v)).sorted().toList();
            return new ModuleTemplate(dir.getFileName().toString(), module, explicit.get(0),
                    explicit.get(explicit.size() - 1), Selection.ALL, mainGo, explicit);
        }
        String through = p.getProperty("through", "newest").strip();
        String selection = p.getProperty("select", "all").strip();
        Selection sel;
        try {
            sel = Selection.valueOf(selection.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": select=" + selection + " is neither all nor minor-ends", e);
        }
        return new ModuleTemplate(dir.getFileName().toString(), module, version(file, require(p, file, "from")),
                through.equals("newest") ? null : version(file, through), sel, mainGo);
    }

    private static String require(Properties p, Path file, String key) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(file + " has no " + key + "=");
        }
        return v.strip();
    }

    private static ModuleVersion version(Path file, String v) {
        return ModuleVersion.tryParse(v).orElseThrow(() ->
                new IllegalArgumentException(file + ": \"" + v + "\" is not a module version"));
    }

    /**
     * The releases to build out of those the proxy lists (prereleases never), in version order; the explicit
     * versions instead when the template names them.
     */
    List<ModuleVersion> select(List<ModuleVersion> listed) {
        if (!explicit.isEmpty()) {
            return explicit;
        }
        List<ModuleVersion> inRange = listed.stream().filter(ModuleVersion::isRelease)
                .filter(v -> v.compareTo(from) >= 0 && (through == null || v.compareTo(through) <= 0))
                .sorted().distinct().toList();
        if (selection == Selection.ALL) {
            return inRange;
        }
        Map<String, List<ModuleVersion>> bySeries = new LinkedHashMap<>();
        inRange.forEach(v -> bySeries.computeIfAbsent(v.minorSeries(), k -> new ArrayList<>()).add(v));
        List<ModuleVersion> out = new ArrayList<>();
        for (List<ModuleVersion> series : bySeries.values()) {
            out.add(series.get(0));
            if (series.size() > 1) {
                out.add(series.get(series.size() - 1));
            }
        }
        return out;
    }
}
