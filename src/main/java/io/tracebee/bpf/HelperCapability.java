package io.tracebee.bpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether the kernel offers a helper that kernel lockdown may withdraw, found by loading a tiny program
 * that calls it rather than by reading lockdown state, which securityfs may not show.
 */
public final class HelperCapability {
    private static final int CAP_SYS_ADMIN = 21;

    /**
     * May tracebee write target memory ({@code bpf_probe_write_user}, {@code src/main/bpf/probe_write.bpf.c})?
     * Lockdown integrity and above refuse it.
     */
    public static final HelperCapability WRITE_USER = new HelperCapability("bpf/probe_write.bpf.o",
            "bpf_probe_write_user", "writing process memory", true);

    /**
     * May tracebee read kernel memory ({@code bpf_probe_read_kernel}, {@code src/main/bpf/probe_read_kernel.bpf.c})?
     * Probes read a connection's socket with it; lockdown confidentiality refuses it.
     */
    public static final HelperCapability READ_KERNEL = new HelperCapability("bpf/probe_read_kernel.bpf.o",
            "bpf_probe_read_kernel", "reading kernel memory", false);

    private final String object;
    private final String helper;
    private final String what;
    private final boolean needsSysAdmin;
    private volatile Result cached;

    HelperCapability(String object, String helper, String what, boolean needsSysAdmin) {
        this.object = object;
        this.helper = helper;
        this.what = what;
        this.needsSysAdmin = needsSysAdmin;
    }

    /**
     * Outcome of {@link #detect()}.
     *
     * @param allowed  the kernel accepted a program calling the helper
     * @param reason   one line saying why, with the kernel's own verdict when it refused
     * @param lockdown the lockdown mode from securityfs when it is readable
     */
    public record Result(boolean allowed, String reason, Optional<String> lockdown) {
    }

    /** Loads the probe program once per process (then answers from the cache); never throws. */
    public Result detect() {
        Result r = cached;
        if (r == null) {
            synchronized (this) {
                r = cached;
                if (r == null) {
                    r = probe();
                    cached = r;
                }
            }
        }
        return r;
    }

    private Result probe() {
        Optional<String> lockdown = BpfSupport.lockdown();
        try {
            BpfSupport.Status bpf = BpfSupport.check();
            if (!bpf.available()) {
                return new Result(false, "BPF unusable: " + bpf.reason(), lockdown);
            }
            // On kernels that allow writes, loading logs "... is installing a program with bpf_probe_write_user";
            // once per process thanks to the cache.
            try (BpfObject obj = BpfObject.openResource(object)) {
                obj.load();
            }
            return new Result(true, helper + " accepted by the kernel" + lockdownSuffix(lockdown), lockdown);
        } catch (BpfException e) {
            return classify(e, lockdown, hasCapability(CAP_SYS_ADMIN));
        } catch (RuntimeException | LinkageError e) {
            return new Result(false, "BPF unusable: cannot run the " + helper + " probe: " + e, lockdown);
        }
    }

    /** Turns a failed load of the probe program into a result; separate so the wording is testable without a kernel. */
    Result classify(BpfException e, Optional<String> lockdown, boolean capSysAdmin) {
        String errno = errnoName(e.errno());
        Optional<String> verdict = helperVerdict(e.log());
        if (verdict.isPresent()) {
            // The verifier is not offered the helper: kernel/trace/bpf_trace.c returns no prototype when
            // security_locked_down(LOCKDOWN_BPF_WRITE_USER / _READ_KERNEL) fails, or (writes) the loader
            // lacks CAP_SYS_ADMIN.
            String lockdownLevels = needsSysAdmin ? "integrity or confidentiality" : "confidentiality";
            String why = capSysAdmin || !needsSysAdmin
                    ? "kernel lockdown (" + lockdownLevels + ") or Secure Boot forbids " + what
                    : "the process lacks CAP_SYS_ADMIN, or kernel lockdown forbids " + what;
            return new Result(false, helper + " refused by the kernel (" + errno + ", verifier: \"" + verdict.get()
                    + "\"): " + why + lockdownSuffix(lockdown), lockdown);
        }
        if (e.errno() == Errno.EPERM || e.errno() == Errno.EACCES) {
            return new Result(false, helper + " refused by the kernel (" + errno + "): not permitted to load the probe"
                    + " program (needs CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN)" + lockdownSuffix(lockdown), lockdown);
        }
        return new Result(false, "BPF unusable: " + firstLine(e.getMessage()) + lastVerifierLine(e.log())
                .map(l -> " (verifier: \"" + l + "\")").orElse(""), lockdown);
    }

    /** The verifier's line about the helper itself, e.g. "program of this type cannot use helper bpf_probe_write_user#36". */
    private Optional<String> helperVerdict(String log) {
        return log.lines()
                .map(String::strip)
                .filter(l -> l.contains(helper))
                .filter(l -> !l.startsWith(";") && !l.matches("^\\d+: .*")) // source and instruction dump lines
                .findFirst();
    }

    private static Optional<String> lastVerifierLine(String log) {
        String last = null;
        for (String line : log.lines().map(String::strip).toList()) {
            if (line.startsWith("processed ") || line.startsWith("-- END PROG LOAD LOG")) {
                break;
            }
            if (!line.isEmpty() && !line.startsWith("libbpf:") && !line.startsWith(";")) {
                last = line;
            }
        }
        return Optional.ofNullable(last);
    }

    private static String lockdownSuffix(Optional<String> lockdown) {
        return lockdown.map(l -> "; kernel lockdown is '" + l + "'").orElse("");
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static String errnoName(int errno) {
        return switch (errno) {
            case Errno.EPERM -> "EPERM";
            case Errno.EACCES -> "EACCES";
            case Errno.EINVAL -> "EINVAL";
            case Errno.ENOTSUPP -> "ENOTSUPP";
            case Errno.EOPNOTSUPP -> "EOPNOTSUPP";
            default -> "errno " + errno;
        };
    }

    /** Whether the effective capability set holds {@code cap}; true when it cannot be read (the check is advisory). */
    private static boolean hasCapability(int cap) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << cap)) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return true;
    }
}
