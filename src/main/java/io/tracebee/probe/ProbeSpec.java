package io.tracebee.probe;

import java.util.List;

/**
 * A probe declared as data: which BPF object, which functions, which struct offsets it needs.
 *
 * @param library the instrumented library as users know it, e.g. "net/http"
 * @param object the BPF object's resource name under {@code bpf/}, without ".bpf.o"
 * @param module the Go module that must be in the binary's build info, or null for the standard library
 * @param uprobes the functions to probe; a missing function skips the whole probe with a reason
 * @param offsets the struct offsets the program needs, set as {@code const volatile} globals before load
 */
public record ProbeSpec(String library, String object, String module, List<UprobeSpec> uprobes,
        List<OffsetSpec> offsets) {

    /**
     * One probed function.
     *
     * @param symbol the Go symbol, e.g. {@code net/http.serverHandler.ServeHTTP}
     * @param entryProgram program attached at the function's entry, or null
     * @param returnProgram program attached at every RET of the function, or null
     */
    public record UprobeSpec(String symbol, String entryProgram, String returnProgram) {
    }

    /**
     * One struct field offset.
     *
     * @param variable the {@code const volatile __u64} in the BPF program
     * @param struct the Go type as DWARF names it, e.g. {@code net/http.Request}
     * @param member the field name
     * @param presenceFlag a {@code const volatile bool} set to whether the offset is known; null means the
     *        offset is required and the probe is skipped without it. Offsets that serve one feature
     *        together share a flag: it is set only when all of them are known.
     */
    public record OffsetSpec(String variable, String struct, String member, String presenceFlag) {
        public boolean required() {
            return presenceFlag == null;
        }

        public String key() {
            return struct + "." + member;
        }
    }
}
