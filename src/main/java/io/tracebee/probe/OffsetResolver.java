package io.tracebee.probe;

import io.tracebee.inspect.DwarfStructs;
import io.tracebee.inspect.GoBinary;
import io.tracebee.probe.ProbeSpec.OffsetSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Finds the struct field offsets a probe needs: from the target's own DWARF when it has one (exact for
 * that build), else from the versioned {@link OffsetTable}.
 */
public final class OffsetResolver {
    private final OffsetTable table;

    public OffsetResolver(OffsetTable table) {
        this.table = table;
    }

    /**
     * The offsets found, by variable name, plus the names of required ones that could not be found.
     *
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
        List<String> missing = new java.util.ArrayList<>();
        boolean usedDwarf = false;
        boolean usedTable = false;
        for (OffsetSpec spec : specs) {
            OptionalLong off = dwarf.map(d -> d.memberOffset(spec.struct(), spec.member())).orElse(OptionalLong.empty());
            if (off.isPresent()) {
                usedDwarf = true;
            } else if (dwarf.isEmpty() || dwarf.get().struct(spec.struct()).isEmpty()) {
                // DWARF lacks the whole struct (stripped, or the linker dropped it): ask the table.
                // A struct that is present without the member means this release has no such field.
                off = table.offset(binary.goVersion(), spec.key());
                usedTable |= off.isPresent();
            }
            if (off.isPresent()) {
                found.put(spec.variable(), off.getAsLong());
            } else if (spec.required()) {
                missing.add(spec.key());
            }
        }
        String source = usedDwarf && usedTable ? "dwarf+table" : usedDwarf ? "dwarf" : usedTable ? "table" : null;
        return new Resolution(found, missing, source);
    }
}
