package io.tracebee.bpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Whether this process can do what the agent needs (load programs, ring buffers, BTF, uprobes) and, if not, why. */
public final class BpfSupport {
    static final Path VMLINUX_BTF = Path.of("/sys/kernel/btf/vmlinux");
    static final Path UPROBE_PMU = Path.of("/sys/bus/event_source/devices/uprobe/type");
    static final Path LOCKDOWN = Path.of("/sys/kernel/security/lockdown");

    private static volatile Status cached;
    private static volatile Boolean uprobeMulti;

    private BpfSupport() {
    }

    /** Outcome of {@link #check()}: available, or the list of what is missing. */
    public record Status(boolean available, List<String> problems) {
        /** One line naming every problem, or "BPF available". */
        public String reason() {
            return available ? "BPF available" : String.join("; ", problems);
        }
    }

    /**
     * Whether the kernel makes uprobe_multi links (Linux 6.6+, or a backport): asked once, by creating one on a
     * function of the agent's own library. Without them every uprobe is its own link (slower to detach).
     */
    public static boolean uprobeMulti() {
        Boolean m = uprobeMulti;
        if (m == null) {
            NativeLibrary.load();
            m = Native.probeUprobeMulti() == 0;
            uprobeMulti = m;
        }
        return m;
    }

    /** Checks once per process; cheap afterwards. */
    public static Status check() {
        Status s = cached;
        if (s == null) {
            s = probe();
            cached = s;
        }
        return s;
    }

    private static Status probe() {
        List<String> problems = new ArrayList<>();
        try {
            NativeLibrary.load();
        } catch (Throwable t) {
            problems.add("JNI library " + NativeLibrary.libraryName() + " cannot be loaded: " + t);
            return new Status(false, List.copyOf(problems));
        }
        int prog = Native.probeProgramLoad();
        if (prog == -Errno.EPERM || prog == -Errno.EACCES) {
            problems.add("not permitted to load BPF programs (uid " + uid().orElse("?")
                    + "): run as root or grant CAP_BPF, CAP_PERFMON and CAP_SYS_RESOURCE");
        } else if (prog < 0) {
            problems.add("kernel refuses a trivial BPF program: " + Native.strerror(-prog));
        }
        if (prog == 0) {
            int rb = Native.probeRingBuffer();
            if (rb < 0) {
                problems.add("cannot create a BPF ring buffer (Linux 5.8+ needed): " + Native.strerror(-rb));
            }
        }
        if (!Files.isReadable(VMLINUX_BTF)) {
            problems.add("kernel BTF missing (" + VMLINUX_BTF + "; CONFIG_DEBUG_INFO_BTF)");
        }
        if (!Files.exists(UPROBE_PMU)) {
            problems.add("no uprobe perf PMU (" + UPROBE_PMU + "; CONFIG_UPROBE_EVENTS)");
        }
        return new Status(problems.isEmpty(), List.copyOf(problems));
    }

    /**
     * The active kernel lockdown mode ("none", "integrity", "confidentiality"), empty when securityfs does not show
     * it. Under integrity or confidentiality, programs using bpf_probe_write_user are rejected.
     */
    public static Optional<String> lockdown() {
        try {
            Matcher m = Pattern.compile("\\[(\\w+)]").matcher(Files.readString(LOCKDOWN));
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> uid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Optional.of(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // diagnostic only
        }
        return Optional.empty();
    }
}
