package io.tracebee.probe;

import io.tracebee.inspect.DwarfStructs;
import io.tracebee.inspect.GoBinary;
import io.tracebee.inspect.GoVersion;
import io.tracebee.probe.ProbeSpec.OffsetSpec;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Regenerates {@code src/main/resources/offsets/go-stdlib.json} from the DWARF of Go binaries, one or more
 * per release (their members are merged: each links different packages):
 * {@code java -cp target/classes:target/test-classes io.tracebee.probe.OffsetTableTool BIN...}
 * (run by {@code src/test/offsets/generate.sh}). Only standard-library members go in; third-party modules'
 * are keyed by module version instead ({@link ModuleOffsetTableTool}).
 */
public final class OffsetTableTool {

    public static void main(String[] args) {
        Map<String, Map<String, Long>> releases = new TreeMap<>(Comparator.comparing(GoVersion::parse));
        for (String arg : args) {
            read(Path.of(arg)).forEach((release, fields) ->
                    releases.computeIfAbsent(release, r -> new TreeMap<>()).putAll(fields));
        }
        StringBuilder sb = new StringBuilder("{\n  \"comment\": \"Struct member offsets by Go release, from DWARF; "
                + "regenerate with io.tracebee.probe.OffsetTableTool\",\n  \"releases\": {\n");
        int r = 0;
        for (Map.Entry<String, Map<String, Long>> release : releases.entrySet()) {
            appendObject(sb, "    ", release.getKey(), release.getValue(), ++r == releases.size());
        }
        sb.append("  }\n}\n");
        System.out.print(sb);
    }

    /** The offsets of every standard-library member the probes need, read from one binary's DWARF, keyed by its release. */
    static Map<String, Map<String, Long>> read(Path binary) {
        GoBinary bin = GoBinary.open(binary);
        DwarfStructs dwarf = bin.dwarf().orElseThrow(() -> new IllegalArgumentException(binary + " has no DWARF"));
        Map<String, Long> fields = new TreeMap<>();
        for (OffsetSpec o : Probes.allOffsets()) {
            if (GoPackage.ofStruct(o.struct()).isStandardLibrary()) {
                dwarf.memberOffset(o.struct(), o.member()).ifPresent(v -> fields.put(o.key(), v));
            }
        }
        return Map.of(bin.goVersion().raw(), fields);
    }

    /** Appends {@code "name": {"key": offset, ...}} one member a line (diff-friendly), {@code {}} when empty. */
    static void appendObject(StringBuilder sb, String indent, String name, Map<String, Long> fields, boolean last) {
        sb.append(indent).append('"').append(name).append("\": {");
        if (!fields.isEmpty()) {
            sb.append('\n');
            int f = 0;
            for (Map.Entry<String, Long> field : fields.entrySet()) {
                sb.append(indent).append("  \"").append(field.getKey()).append("\": ").append(field.getValue())
                        .append(++f < fields.size() ? ",\n" : "\n");
            }
            sb.append(indent);
        }
        sb.append(last ? "}\n" : "},\n");
    }
}
