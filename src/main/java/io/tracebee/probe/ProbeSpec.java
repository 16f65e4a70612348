package io.tracebee.probe;

import io.tracebee.bpf.BpfObject;
import io.tracebee.inspect.GoBinary;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A probe declared as data: which BPF object, which functions, which struct offsets it needs.
 *
 * @param library the instrumented library as users know it, e.g. "net/http"
 * @param object the BPF object's resource name under {@code bpf/}, without ".bpf.o"
 * @param module the Go module that must be in the binary's build info, or null for the standard library
 * @param uprobes the functions to probe; a missing required function skips the whole probe with a reason
 * @param offsets the struct offsets the program needs, set as {@code const volatile} globals before load
 * @param setup what else the object needs from the binary, before and after load
 */
public record ProbeSpec(String library, String object, String module, List<UprobeSpec> uprobes,
        List<OffsetSpec> offsets, Setup setup) {

    public ProbeSpec(String library, String object, String module, List<UprobeSpec> uprobes, List<OffsetSpec> offsets) {
        this(library, object, module, uprobes, offsets, Setup.NONE);
    }

    /** Per-target configuration of a probe's object beyond struct offsets. */
    public interface Setup {
        Setup NONE = new Setup() {
        };

        /**
         * Whether the probe is meant for this binary at all, e.g. one of two specs for a library's releases
         * before and after a change: one that is not is left out, as a library the program does not link is.
         */
        default boolean appliesTo(GoBinary binary) {
            return true;
        }

        /**
         * Why this binary cannot get the probe although it has the functions (e.g. a library release older than
         * the oldest the program reads), or empty.
         */
        default Optional<String> skipReason(GoBinary binary) {
            return Optional.empty();
        }

        /** Sets read-only data the verifier should see as constants. */
        default void beforeLoad(GoBinary binary, BpfObject object) {
        }

        /** Fills the loaded object's maps, before any uprobe is attached. */
        default void afterLoad(GoBinary binary, BpfObject object, OffsetResolver offsets) {
        }

        /**
         * Sets each read-only variable to its symbol's address (itabs, globals), for those the binary has; none
         * when its symbol values are not run-time addresses (stripped, or position-independent).
         */
        static void setSymbolAddresses(GoBinary binary, BpfObject object, Map<String, String> variableToSymbol) {
            if (binary.elf().hasRunTimeSymbolAddresses()) {
                variableToSymbol.forEach((variable, symbol) -> binary.elf().symbol(symbol)
                        .ifPresent(s -> object.setRodata(variable, s.value())));
            }
        }
    }

    /**
     * One probed function.
     *
     * @param symbol the Go symbol, e.g. {@code net/http.serverHandler.ServeHTTP}
     * @param entryProgram program attached at the function's entry, or null
     * @param returnProgram program attached at every RET of the function, or null
     * @param optional a function the linker may have left out because the program never calls it: then
     *        only this uprobe is left out
     * @param goStatementProgram program attached at every call of the function from the program's own code
     *        (see {@link #goStatements}), or null
     */
    public record UprobeSpec(String symbol, String entryProgram, String returnProgram, boolean optional,
            String goStatementProgram) {
        public UprobeSpec(String symbol, String entryProgram, String returnProgram, boolean optional) {
            this(symbol, entryProgram, returnProgram, optional, null);
        }

        public UprobeSpec(String symbol, String entryProgram, String returnProgram) {
            this(symbol, entryProgram, returnProgram, false);
        }

        /**
         * A program on every go statement of the program's own code ({@code GoBinary.goStatements}): the call
         * of {@code newproc}, the runtime function a go statement compiles to.
         */
        public static UprobeSpec goStatements(String newproc, String program) {
            return new UprobeSpec(newproc, null, null, false, program);
        }
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
