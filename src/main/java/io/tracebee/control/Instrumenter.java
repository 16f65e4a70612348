package io.tracebee.control;

import java.nio.file.Path;
import java.util.List;

/** Places the probes on one target binary; the control plane's only way into the kernel. */
public interface Instrumenter {
    /**
     * Inspects the binary and attaches every probe whose library it contains.
     *
     * @param binary the file to inspect and attach to (for a pid target, {@code /proc/<pid>/exe})
     * @param pid the only process the uprobes fire for, or -1 for every process running the binary
     * @param targetId stamped into every event these probes emit (the uprobes' BPF cookie)
     * @throws io.tracebee.inspect.TargetInspectionException if the binary cannot be instrumented at all
     */
    Instrumentation instrument(Path binary, int pid, long targetId);

    /** Probes attached to one target; closing detaches them all. */
    interface Instrumentation extends AutoCloseable {
        String goVersion();

        List<ProbeState> probes();

        @Override
        void close();
    }
}
