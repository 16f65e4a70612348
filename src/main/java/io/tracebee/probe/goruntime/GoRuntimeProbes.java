package io.tracebee.probe.goruntime;

import io.tracebee.probe.ProbeSpec;
import io.tracebee.probe.ProbeSpec.OffsetSpec;
import io.tracebee.probe.ProbeSpec.UprobeSpec;
import java.util.List;

/** Probes on the Go runtime itself (pairs with {@code src/main/bpf/goroutines.bpf.c}). */
public final class GoRuntimeProbes {
    private GoRuntimeProbes() {
    }

    /** runtime.g.goid: every probe object keys the shared current-span map by it. */
    public static final OffsetSpec GOID = new OffsetSpec("off_g_goid", "runtime.g", "goid", null);

    /**
     * runtime.g.parentGoid and .gopc: how a new goroutine finds the go statement that started it
     * (tb_current in tb_common.h). Every probe object gets them; without them goroutines do not inherit spans.
     */
    public static final List<OffsetSpec> ANCESTRY = List.of(
            new OffsetSpec("off_g_parent_goid", "runtime.g", "parentGoid", "has_go_ancestry"),
            new OffsetSpec("off_g_gopc", "runtime.g", "gopc", "has_go_ancestry"));

    /**
     * New goroutines start inside their creator's span: one uprobe on each go statement of the program's own
     * code (a call instruction, which x86 uprobes emulate instead of single-stepping), none on the goroutines the standard library
     * starts for itself.
     */
    public static final ProbeSpec GOROUTINES = new ProbeSpec(
            "goroutine ancestry",
            "goroutines",
            null,
            List.of(UprobeSpec.goStatements("runtime.newproc", "uprobe_go_statement")),
            List.of(GOID));
}
