package io.tracebee.bpf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** A program of a {@link BpfObject}; valid while the object is open. */
public final class BpfProgram {
    private final BpfObject object;
    private final String name;
    private final long handle;

    BpfProgram(BpfObject object, String name, long handle) {
        this.object = object;
        this.name = name;
        this.handle = handle;
    }

    public String name() {
        return name;
    }

    public BpfObject object() {
        return object;
    }

    /** The program fd; after load. */
    public int fd() {
        synchronized (object) {
            object.requireLoaded("fd of program '" + name + "'");
            return Native.programFd(handle, name);
        }
    }

    /** Attaches at a file offset of binary (an ELF file, not a virtual address), in process pid or every process (-1). */
    public UprobeLink attachUprobe(Path binary, long fileOffset, int pid) {
        return attachUprobe(binary, fileOffset, pid, 0L);
    }

    /** As {@link #attachUprobe(Path, long, int)}; cookie is what the program reads with bpf_get_attach_cookie(). */
    public UprobeLink attachUprobe(Path binary, long fileOffset, int pid, long cookie) {
        return attach(binary, fileOffset, pid, cookie, false);
    }

    /**
     * Attaches at every file offset of binary: one uprobe_multi link if the object was loaded for them
     * ({@link BpfObject#useUprobeMulti}), else one link per offset.
     */
    public List<UprobeLink> attachUprobes(Path binary, long[] fileOffsets, int pid, long cookie) {
        if (fileOffsets.length == 0) {
            return List.of();
        }
        synchronized (object) {
            object.requireLoaded("attach program '" + name + "'");
            if (object.usesUprobeMulti()) {
                int fd = Native.attachUprobeMulti(Native.programFd(handle, name), name,
                        binary.toAbsolutePath().toString(), fileOffsets, pid, cookie);
                UprobeLink l = UprobeLink.multi(object, name, fd, binary, fileOffsets, pid, cookie);
                object.track(l);
                return List.of(l);
            }
        }
        List<UprobeLink> out = new ArrayList<>();
        try {
            for (long offset : fileOffsets) {
                out.add(attachUprobe(binary, offset, pid, cookie));
            }
        } catch (RuntimeException e) {
            out.forEach(UprobeLink::close);
            throw e;
        }
        return out;
    }

    /** A uretprobe; never use it on Go functions (the Go runtime moves stacks): probe every RET instead. */
    public UprobeLink attachUretprobe(Path binary, long fileOffset, int pid, long cookie) {
        return attach(binary, fileOffset, pid, cookie, true);
    }

    private UprobeLink attach(Path binary, long fileOffset, int pid, long cookie, boolean retprobe) {
        synchronized (object) {
            object.requireLoaded("attach program '" + name + "'");
            String path = binary.toAbsolutePath().toString();
            long link = Native.attachUprobe(handle, name, path, fileOffset, pid, cookie, retprobe);
            UprobeLink l = new UprobeLink(object, name, link, binary, fileOffset, pid, cookie);
            object.track(l);
            return l;
        }
    }

    /** {@code BPF_CGROUP_SOCK_OPS} and {@code BPF_SK_MSG_VERDICT} of enum bpf_attach_type. */
    public static final int ATTACH_CGROUP_SOCK_OPS = 3;
    public static final int ATTACH_SK_MSG_VERDICT = 7;

    /**
     * Attaches this cgroup program (e.g. sock_ops) to a cgroup-v2 directory as a bpf_link; closing the
     * result detaches it, and so does the agent's death (a legacy attachment would outlive it).
     */
    public AutoCloseable attachCgroup(Path cgroupDir) {
        synchronized (object) {
            object.requireLoaded("attach program '" + name + "'");
            return closing(Native.attachCgroup(handle, name, cgroupDir.toAbsolutePath().toString()));
        }
    }

    /**
     * Attaches this program where its section says (e.g. a BTF tracepoint); closing the result detaches it, and
     * so does the agent's death.
     */
    public AutoCloseable attach() {
        synchronized (object) {
            object.requireLoaded("attach program '" + name + "'");
            return closing(Native.attach(handle, name));
        }
    }

    /** Closing it destroys the link, once. */
    private static AutoCloseable closing(long linkHandle) {
        AtomicLong link = new AtomicLong(linkHandle);
        return () -> {
            long h = link.getAndSet(0);
            if (h != 0) {
                Native.linkDestroy(h);
            }
        };
    }

    /** Attaches this program to a map (e.g. an sk_msg verdict to a sockhash); it stays as long as the map. */
    public void attachToMap(BpfMap map, int attachType) {
        Native.progAttach(name, fd(), map.fd(), attachType);
    }

    /** Runs the program once per repetition without an event (BPF_PROG_TEST_RUN); data is the packet for XDP/tc. */
    public TestRunResult testRun(byte[] data, byte[] context, int repeat) {
        long[] r = Native.progTestRun(fd(), data, context, repeat);
        return new TestRunResult((int) r[0], r[1]);
    }

    /** Cumulative run count and time; both stay 0 unless statistics are on ({@link RunTimeStats}). */
    public ProgramStats stats() {
        long[] r = Native.progInfo(fd());
        return new ProgramStats(r[1], r[0], r[2]);
    }

    @Override
    public String toString() {
        return "BpfProgram[" + object.name() + "/" + name + "]";
    }

    /** Result of {@link #testRun}: the program's return value and the kernel-measured average ns per repetition. */
    public record TestRunResult(int returnValue, long averageNanos) {
    }

    /** bpf_prog_info run statistics. */
    public record ProgramStats(long runCount, long runTimeNanos, long recursionMisses) {
        /** Average ns per run, or 0 before the first counted run. */
        public double averageNanos() {
            return runCount == 0 ? 0 : (double) runTimeNanos / runCount;
        }
    }
}
