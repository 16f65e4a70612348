package io.tracebee.control;

import java.time.Instant;
import java.util.List;

/**
 * A target as the REST API shows it.
 *
 * @param pid the process id for a pid target; null for an exe target (which covers every process of the binary)
 * @param pids the processes of this target seen so far
 * @param state "attached" or "detached"
 */
public record TargetView(
        String id,
        Integer pid,
        String exe,
        String serviceName,
        String goVersion,
        String state,
        Instant attachedAt,
        List<ProbeState> probes,
        List<Integer> pids) {
}
