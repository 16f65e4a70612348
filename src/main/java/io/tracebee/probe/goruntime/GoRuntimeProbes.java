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

    /** New goroutines start inside their creator's span: one uprobe on the RET of runtime.newproc1. */
    public static final ProbeSpec GOROUTINES = new ProbeSpec(
            "goroutine ancestry",
            "goroutines",
            null,
            List.of(new UprobeSpec("runtime.newproc1", null, "uprobe_newproc1_return")),
            List.of(GOID, new OffsetSpec("off_g_parent_goid", "runtime.g", "parentGoid", null)));
}
