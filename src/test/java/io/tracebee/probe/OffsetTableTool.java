package io.tracebee.probe;

import io.tracebee.inspect.DwarfStructs;
import io.tracebee.inspect.GoBinary;
import io.tracebee.probe.ProbeSpec.OffsetSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Regenerates {@code src/main/resources/offsets/go-stdlib.json} from the DWARF of Go binaries, one per
 * release: {@code java -cp target/classes:target/test-classes io.tracebee.probe.OffsetTableTool BIN...}.
 */
public final class OffsetTableTool {
    static final List<ProbeSpec> PROBES = Probes.ALL;

    public static void main(String[] args) {
        Map<String, Map<String, Long>> releases = new TreeMap<>(
                java.util.Comparator.comparing(io.tracebee.inspect.GoVersion::parse));
        for (String arg : args) {
            releases.putAll(read(Path.of(arg)));
        }
        StringBuilder sb = new StringBuilder("{\n  \"comment\": \"Struct member offsets by Go release, from DWARF; "
                + "regenerate with io.tracebee.probe.OffsetTableTool\",\n  \"releases\": {\n");
        int r = 0;
        for (Map.Entry<String, Map<String, Long>> release : releases.entrySet()) {
            sb.append("    \"").append(release.getKey()).append("\": {\n");
            int f = 0;
            for (Map.Entry<String, Long> field : release.getValue().entrySet()) {
                sb.append("      \"").append(field.getKey()).append("\": ").append(field.getValue())
                        .append(++f < release.getValue().size() ? ",\n" : "\n");
            }
            sb.append(++r < releases.size() ? "    },\n" : "    }\n");
        }
        sb.append("  }\n}\n");
        System.out.print(sb);
    }

    /** The offsets of every member the probes need, read from one binary's DWARF, keyed by its release. */
    static Map<String, Map<String, Long>> read(Path binary) {
        GoBinary bin = GoBinary.open(binary);
        DwarfStructs dwarf = bin.dwarf().orElseThrow(() -> new IllegalArgumentException(binary + " has no DWARF"));
        Map<String, Long> fields = new TreeMap<>();
        for (ProbeSpec p : PROBES) {
            for (OffsetSpec o : p.offsets()) {
                OptionalLong off = dwarf.memberOffset(o.struct(), o.member());
                off.ifPresent(v -> fields.put(o.key(), v));
            }
        }
        return Map.of(bin.goVersion().raw(), fields);
    }
}
