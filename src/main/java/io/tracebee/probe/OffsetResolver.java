package io.tracebee.probe;

import io.tracebee.inspect.DwarfStructs;
import io.tracebee.inspect.GoBinary;
import io.tracebee.probe.ProbeSpec.OffsetSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Finds the struct field offsets a probe needs: from the target's own DWARF when it has one (exact for
 * that build), else from the versioned {@link OffsetTable} (standard-library structs by the target's Go
 * release, third-party structs by the version of their module in the target's build info).
 */
public final class OffsetResolver {
    private final OffsetTable table;

    public OffsetResolver(OffsetTable table) {
        this.table = table;
    }

    /**
     * The offsets found, by variable name, plus the required ones that could not be found.
     *
     * @param missingRequired one entry per required offset that is unknown: its key and why, e.g.
     *        {@code github.com/lib/pq.Error.Message (github.com/lib/pq v1.2.0 not in the offsets table)}
     * @param source "dwarf", "table", or "dwarf+table" when both were needed
     */
    public record Resolution(Map<String, Long> offsets, List<String> missingRequired, String source) {
        public boolean complete() {
            return missingRequired.isEmpty();
        }
    }

    public Resolution resolve(GoBinary binary, List<OffsetSpec> specs) {
        Optional<DwarfStructs> dwarf = binary.dwarf();
        Map<String, Long> found = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        boolean usedDwarf = false;
        boolean usedTable = false;
        for (OffsetSpec spec : specs) {
            OptionalLong off = dwarf.map(d -> d.memberOffset(spec.struct(), spec.member())).orElse(OptionalLong.empty());
            String unknownReason;
            if (off.isPresent()) {
                usedDwarf = true;
                unknownReason = "";
            } else if (dwarf.isEmpty() || dwarf.get().struct(spec.struct()).isEmpty()) {
                // DWARF lacks the whole struct (stripped, or the linker dropped it): ask the table.
                OffsetTable.Answer answer = table.lookup(binary.buildInfo(), spec.struct(), spec.member());
                off = answer.offset();
                usedTable |= off.isPresent();
                unknownReason = answer.unknownReason();
            } else {
                // A struct that is present without the member means this build has no such field.
                unknownReason = "the binary's DWARF has " + spec.struct() + " without " + spec.member();
            }
            if (off.isPresent()) {
                found.put(spec.variable(), off.getAsLong());
            } else if (spec.required()) {
                missing.add(spec.key() + " (" + unknownReason + ")");
            }
        }
        String source = usedDwarf && usedTable ? "dwarf+table" : usedDwarf ? "dwarf" : usedTable ? "table" : null;
        return new Resolution(found, missing, source);
    }
}
