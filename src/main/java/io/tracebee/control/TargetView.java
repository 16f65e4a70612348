package io.tracebee.control;

import java.time.Instant;
import java.util.List;

/**
 * A target as the REST API shows it.
 *
 * @param pid the process id for a pid target; null for an exe target (which covers every process of the binary)
 * @param exeGlob the pattern of an exe-glob target; null otherwise
 * @param goVersion of the (latest) binary attached; null while a glob has none
 * @param state "attached"; "exited" (a pid target whose process ended: its probes are detached); "watching" (an
 *        exe glob no running binary has matched yet)
 * @param probes what became of each probe on the (latest) binary
 * @param pids the processes of this target seen so far
 * @param binaries the files attached to (one for a pid or exe target; each matching one for a glob)
 * @param refused matching binaries a glob could not attach to, each with why
 */
public record TargetView(
        String id,
        Integer pid,
        String exe,
        String exeGlob,
        String serviceName,
        String goVersion,
        String state,
        Instant attachedAt,
        List<ProbeState> probes,
        List<Integer> pids,
        List<String> binaries,
        List<String> refused) {
}
