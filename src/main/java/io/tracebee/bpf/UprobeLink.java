package io.tracebee.bpf;

import java.nio.file.Path;

/** An attached uprobe; closing it detaches the probe (idempotent, thread-safe). */
public final class UprobeLink implements AutoCloseable {
    private final BpfObject object;
    private final String program;
    private final Path binary;
    private final long fileOffset;
    private final int pid;
    private final long cookie;
    private long handle;

    UprobeLink(BpfObject object, String program, long handle, Path binary, long fileOffset, int pid, long cookie) {
        this.object = object;
        this.program = program;
        this.handle = handle;
        this.binary = binary;
        this.fileOffset = fileOffset;
        this.pid = pid;
        this.cookie = cookie;
    }

    public String program() {
        return program;
    }

    public Path binary() {
        return binary;
    }

    public long fileOffset() {
        return fileOffset;
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
        return Native.linkFd(handle);
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
            Native.linkDestroy(h);
        }
    }

    @Override
    public String toString() {
        return "UprobeLink[" + program + " @ " + binary + "+0x" + Long.toHexString(fileOffset)
                + (pid < 0 ? "" : " pid " + pid) + "]";
    }
}
