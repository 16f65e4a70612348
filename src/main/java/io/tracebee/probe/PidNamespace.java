package io.tracebee.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * The pid namespace the agent runs in, as {@code bpf_get_ns_current_pid_tgid} names one: the device and inode of
 * {@code /proc/self/ns/pid}. When it is not the initial namespace — a sidecar container sharing its service's pid
 * namespace ({@code pid: service:app}, {@code shareProcessNamespace: true}) — probes report and key by the ids that
 * namespace sees ({@code tb_pid_tgid} in tb_common.h), which are the ones the agent's {@code /proc}, its targets'
 * pids and its map purges use. In the initial namespace the kernel's ids already are those and probes use them
 * as they are, at no cost.
 */
public record PidNamespace(long dev, long ino) {
    /** The inode number of the initial pid namespace (the kernel's PROC_PID_INIT_INO). */
    public static final long INITIAL_INO = 0xEFFFFFFCL;
    /** The initial namespace, or where the agent could not tell (probes then use the kernel's ids). */
    public static final PidNamespace INITIAL = new PidNamespace(0, INITIAL_INO);

    private static final Logger LOG = Logger.getLogger(PidNamespace.class);
    private static final Path SELF = Path.of("/proc/self/ns/pid");

    /** Whether this is the host's own pid namespace. */
    public boolean initial() {
        return ino == INITIAL_INO;
    }

    /** The agent's namespace, read once per call (it never changes for a running process). */
    public static PidNamespace ofAgent() {
        return of(SELF);
    }

    /** The namespace a {@code ns/pid} link names; {@link #INITIAL} when it cannot be read, logged. */
    static PidNamespace of(Path nsLink) {
        try {
            long dev = ((Number) Files.getAttribute(nsLink, "unix:dev")).longValue();
            long ino = ((Number) Files.getAttribute(nsLink, "unix:ino")).longValue();
            return new PidNamespace(dev, ino);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("cannot read the agent's pid namespace (%s: %s); probes report the kernel's process ids, "
                    + "which match /proc only outside a container", nsLink, e);
            return INITIAL;
        }
    }
}
