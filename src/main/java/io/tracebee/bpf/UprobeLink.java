package io.tracebee.bpf;

import java.nio.file.Path;

/**
 * An attached uprobe link; closing it detaches the probe (idempotent, thread-safe). Either one uprobe (a
 * perf-event link, which libbpf holds) or a uprobe_multi link (Linux 6.6+) at several offsets of one binary, an
 * fd of ours: the kernel removes all of a uprobe_multi link's uprobes after one wait for readers, instead of one
 * wait per uprobe.
 */
public final class UprobeLink implements AutoCloseable {
    private final BpfObject object;
    private final String program;
    private final Path binary;
    private final long[] fileOffsets;
    private final int pid;
    private final long cookie;
    private final boolean multi;
    private long handle;  // libbpf link, or the uprobe_multi link's fd

    UprobeLink(BpfObject object, String program, long handle, Path binary, long fileOffset, int pid, long cookie) {
        this(object, program, handle, false, binary, new long[] {fileOffset}, pid, cookie);
    }

    private UprobeLink(BpfObject object, String program, long handle, boolean multi, Path binary, long[] fileOffsets,
            int pid, long cookie) {
        this.object = object;
        this.program = program;
        this.handle = handle;
        this.multi = multi;
        this.binary = binary;
        this.fileOffsets = fileOffsets;
        this.pid = pid;
        this.cookie = cookie;
    }

    static UprobeLink multi(BpfObject object, String program, int fd, Path binary, long[] fileOffsets, int pid,
            long cookie) {
        return new UprobeLink(object, program, fd, true, binary, fileOffsets.clone(), pid, cookie);
    }

    public String program() {
        return program;
    }

    public Path binary() {
        return binary;
    }

    /** The (first) file offset probed. */
    public long fileOffset() {
        return fileOffsets[0];
    }

    /** Every file offset probed: one, or several for a uprobe_multi link. */
    public long[] fileOffsets() {
        return fileOffsets.clone();
    }

    public boolean isMulti() {
        return multi;
    }

    /** The target process, or -1 for every process running the binary. */
    public int pid() {
        return pid;
    }

    public long cookie() {
        return cookie;
    }

    public synchronized boolean isAttached() {
        return handle != 0;
    }

    /** The bpf_link fd. */
    public synchronized int fd() {
        if (handle == 0) {
            throw new IllegalStateException("link is closed: " + this);
        }
        return multi ? (int) handle : Native.linkFd(handle);
    }

    @Override
    public void close() {
        long h;
        synchronized (this) {
            h = handle;
            handle = 0;
        }
        if (h != 0) {
            object.untrack(this);
            if (multi) {
                Native.closeFd((int) h);
            } else {
                Native.linkDestroy(h);
            }
        }
    }

    @Override
    public String toString() {
        return "UprobeLink[" + program + " @ " + binary + "+0x" + Long.toHexString(fileOffsets[0])
                + (multi ? " and " + (fileOffsets.length - 1) + " more (uprobe_multi)" : "")
                + (pid < 0 ? "" : " pid " + pid) + "]";
    }
}
