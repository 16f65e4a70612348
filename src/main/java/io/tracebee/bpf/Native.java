package io.tracebee.bpf;

import java.nio.ByteBuffer;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

import org.jboss.logging.Logger;

/**
 * The JNI surface over libbpf. Each native returns {@code -errno} on failure; the public wrapper turns that
 * into a {@link BpfException} naming the operation, with whatever libbpf logged meanwhile attached.
 * Handles are native pointers; the typed classes ({@link BpfObject}, {@link BpfProgram}, {@link UprobeLink},
 * {@link BpfMap}) own them and are what the rest of the agent should use.
 */
public final class Native {
    private static final Logger LOG = Logger.getLogger("io.tracebee.bpf.libbpf");

    /** libbpf print levels (enum libbpf_print_level). */
    static final int LIBBPF_WARN = 0;
    static final int LIBBPF_INFO = 1;
    static final int LIBBPF_DEBUG = 2;

    /** Captured log is kept to this many chars, dropping the head: a verifier log's verdict is at its end. */
    private static final int MAX_CAPTURE_CHARS = 1 << 20;

    /** Lines libbpf prints during the current thread's operation; null outside an operation. */
    private static final ThreadLocal<StringBuilder> CAPTURE = new ThreadLocal<>();

    static {
        NativeLibrary.load();
        setLogLevel0(LOG.isTraceEnabled() ? LIBBPF_DEBUG : LIBBPF_INFO);
    }

    private Native() {
    }

    // ---- natives, registered by JNI_OnLoad (src/main/c/onload.c) ----

    private static native void setLogLevel0(int level);
    private static native String strerror0(int err);
    private static native String libbpfVersion0();

    private static native long objectOpen0(String name, byte[] elf);
    private static native int objectRodataSize0(long obj, String var);
    private static native int objectSetRodata0(long obj, String var, byte[] value);
    private static native int objectSetMaxEntries0(long obj, String map, int maxEntries);
    private static native int objectReuseMapFd0(long obj, String map, int fd);
    private static native int objectMapKey0(long obj, String map, String[] names, int[] out);
    private static native int objectLoad0(long obj);
    private static native long objectProgram0(long obj, String name);
    private static native long objectMap0(long obj, String name);
    private static native String[] objectProgramNames0(long obj);
    private static native String[] objectMapNames0(long obj);
    private static native int programFd0(long prog);
    private static native int mapFd0(long map);
    private static native void objectClose0(long obj);

    private static native long attachUprobe0(long prog, String path, long offset, int pid, long cookie, boolean retprobe);
    private static native int attachUprobeMulti0(int progFd, String path, long[] offsets, int pid, long cookie);
    private static native int objectUseUprobeMulti0(long obj);
    private static native int linkFd0(long link);
    private static native int linkDestroy0(long link);
    private static native long attachCgroup0(long prog, String cgroupPath);
    private static native long attach0(long prog);
    private static native int progAttach0(int progFd, int targetFd, int attachType);

    private static native int mapInfo0(int fd, int[] out);
    private static native int mapLookup0(int fd, byte[] key, byte[] value);
    private static native int mapUpdate0(int fd, byte[] key, byte[] value, long flags);
    private static native int mapDelete0(int fd, byte[] key);
    private static native int mapNextKey0(int fd, byte[] key, byte[] next);
    private static native int mapNextKeys0(int fd, int keySize, byte[] key, byte[] out);

    private static native int progTestRun0(int fd, byte[] dataIn, byte[] ctxIn, int repeat, long[] out);
    private static native int progInfo0(int fd, long[] out);
    private static native int enableStats0();

    private static native long ringbufOpen0(int mapFd);
    private static native ByteBuffer ringbufConsumer0(long rb);
    private static native ByteBuffer ringbufProducer0(long rb);
    private static native int ringbufAwait0(long rb, int timeoutMillis);
    private static native int ringbufWake0(long rb);
    private static native void ringbufClose0(long rb);

    private static native int probe0(int what);
    private static native void clocks0(long[] out);
    private static native int possibleCpus0();
    private static native int closeFd0(int fd);
    private static native int pidfdGetFd0(int pid, int fd);
    private static native long socketCookie0(int fd);

    private static native String[] layoutKeys0();
    private static native int[] layoutValues0();

    // ---- libbpf log ----

    /** Called from native code (log.c) for every line libbpf prints. */
    static void libbpfLog(int level, String message) {
        StringBuilder capture = CAPTURE.get();
        if (capture != null && level <= LIBBPF_INFO) {
            capture.append(message);
            if (capture.length() > MAX_CAPTURE_CHARS) {
                capture.delete(0, capture.length() - MAX_CAPTURE_CHARS / 2);
            }
            return;
        }
        String line = message.stripTrailing();
        switch (level) {
            case LIBBPF_WARN:
                LOG.warn(line);
                break;
            case LIBBPF_INFO:
                LOG.debug(line);
                break;
            default:
                LOG.trace(line);
        }
    }

    /** Runs op capturing libbpf's output; on failure the output goes into the exception, on success warnings are logged. */
    private static long captured(String operation, LongSupplier op) {
        StringBuilder outer = CAPTURE.get();
        StringBuilder capture = new StringBuilder();
        CAPTURE.set(capture);
        long result;
        try {
            result = op.getAsLong();
        } finally {
            CAPTURE.set(outer);
        }
        if (result < 0) {
            int errno = (int) -result;
            throw new BpfException(operation, errno, strerror(errno), capture.toString());
        }
        if (capture.length() > 0) {
            LOG.warnf("%s: %s", operation, capture.toString().stripTrailing());
        }
        return result;
    }

    private static int capturedInt(String operation, IntSupplier op) {
        return (int) captured(operation, op::getAsInt);
    }

    private static int check(String operation, int result) {
        if (result < 0) {
            throw new BpfException(operation, -result, strerror(-result));
        }
        return result;
    }

    private static long check(String operation, long result) {
        if (result < 0) {
            throw new BpfException(operation, (int) -result, strerror((int) -result));
        }
        return result;
    }

    /** libbpf's description of an errno (covers libbpf's own codes such as LIBBPF_ERRNO__PROG2BIG). */
    public static String strerror(int errno) {
        return strerror0(errno);
    }

    /** The libbpf version linked into the library, e.g. "1.1". */
    public static String libbpfVersion() {
        return libbpfVersion0();
    }

    // ---- objects ----

    public static long objectOpen(String name, byte[] elf) {
        return captured("open bpf object '" + name + "'", () -> objectOpen0(name, elf));
    }

    /** Size in bytes of a {@code const volatile} global of the object's .rodata. */
    public static int objectRodataSize(long obj, String var) {
        return check("find .rodata variable '" + var + "'", objectRodataSize0(obj, var));
    }

    /** Sets a .rodata variable before load; value must have exactly the variable's size. */
    public static void objectSetRodata(long obj, String var, byte[] value) {
        capturedInt("set .rodata variable '" + var + "'", () -> objectSetRodata0(obj, var, value));
    }

    public static void objectSetMaxEntries(long obj, String map, int maxEntries) {
        capturedInt("set max_entries of map '" + map + "'", () -> objectSetMaxEntries0(obj, map, maxEntries));
    }

    /** Makes map use an existing map fd (shared ring buffer, shared counters); before load. */
    public static void objectReuseMapFd(long obj, String map, int fd) {
        capturedInt("reuse fd " + fd + " for map '" + map + "'", () -> objectReuseMapFd0(obj, map, fd));
    }

    public static void objectLoad(long obj, String name) {
        capturedInt("load bpf object '" + name + "'", () -> objectLoad0(obj));
    }

    /**
     * The BTF shape of a map's key: {@code names} gets {key type name, first member name or null}, {@code out}
     * {key kind, first member's kind, its bit offset, its size, its bitfield size}; false when the key
     * has no BTF type (internal maps, ring buffers).
     */
    public static boolean objectMapKey(long obj, String map, String[] names, int[] out) {
        int r = objectMapKey0(obj, map, names, out);
        if (r == -Errno.ENODATA) {
            return false;
        }
        check("BTF key type of map '" + map + "'", r);
        return true;
    }

    /** Program handle, or -1 if the object has no such program. */
    public static long objectProgram(long obj, String name) {
        long h = objectProgram0(obj, name);
        return h < 0 ? -1 : h;
    }

    /** Map handle, or -1 if the object has no such map. */
    public static long objectMap(long obj, String name) {
        long h = objectMap0(obj, name);
        return h < 0 ? -1 : h;
    }

    public static String[] objectProgramNames(long obj) {
        return objectProgramNames0(obj);
    }

    public static String[] objectMapNames(long obj) {
        return objectMapNames0(obj);
    }

    public static int programFd(long prog, String name) {
        return check("fd of program '" + name + "' (not loaded?)", programFd0(prog));
    }

    public static int mapFd(long map, String name) {
        return check("fd of map '" + name + "' (not loaded?)", mapFd0(map));
    }

    public static void objectClose(long obj) {
        objectClose0(obj);
    }

    // ---- links ----

    /** Link handle of a uprobe (or uretprobe) on binary at a file offset; pid -1 = every process. */
    public static long attachUprobe(long prog, String programName, String binary, long offset, int pid, long cookie,
            boolean retprobe) {
        String op = "attach " + (retprobe ? "uretprobe" : "uprobe") + " '" + programName + "' to " + binary
                + "+0x" + Long.toHexString(offset) + (pid < 0 ? "" : " pid " + pid);
        return captured(op, () -> attachUprobe0(prog, binary, offset, pid, cookie, retprobe));
    }

    /** Fd of one uprobe_multi link of a program at every file offset of binary; pid -1 = every process. */
    public static int attachUprobeMulti(int progFd, String programName, String binary, long[] offsets, int pid,
            long cookie) {
        String op = "attach uprobe_multi '" + programName + "' to " + binary + " at " + offsets.length + " offsets"
                + (pid < 0 ? "" : " pid " + pid);
        return capturedInt(op, () -> attachUprobeMulti0(progFd, binary, offsets, pid, cookie));
    }

    /** Loads the object's uprobe programs for uprobe_multi links; returns how many. Before load. */
    public static int objectUseUprobeMulti(long obj) {
        return capturedInt("prepare uprobe programs for uprobe_multi", () -> objectUseUprobeMulti0(obj));
    }

    /** Link handle of a cgroup program (sock_ops, ...) attached to the cgroup-v2 directory at path. */
    public static long attachCgroup(long prog, String programName, String cgroupPath) {
        return captured("attach '" + programName + "' to cgroup " + cgroupPath, () -> attachCgroup0(prog, cgroupPath));
    }

    /** Link handle of a program attached where its section names (a tracepoint, ...). */
    public static long attach(long prog, String programName) {
        return captured("attach '" + programName + "'", () -> attach0(prog));
    }

    /** Attaches a program to a map or other fd target (bpf_prog_attach), e.g. an sk_msg verdict to a sockhash. */
    public static void progAttach(String programName, int progFd, int targetFd, int attachType) {
        capturedInt("attach '" + programName + "' to fd " + targetFd + " (attach type " + attachType + ")",
                () -> progAttach0(progFd, targetFd, attachType));
    }

    public static int linkFd(long link) {
        return check("fd of link", linkFd0(link));
    }

    public static void linkDestroy(long link) {
        capturedInt("detach link", () -> linkDestroy0(link));
    }

    // ---- maps by fd ----

    /** {type, key_size, value_size, max_entries, map_flags, id}. */
    public static int[] mapInfo(int fd) {
        int[] out = new int[6];
        check("map info of fd " + fd, mapInfo0(fd, out));
        return out;
    }

    /** False when the key is absent (ENOENT). */
    public static boolean mapLookup(int fd, byte[] key, byte[] value) {
        int r = mapLookup0(fd, key, value);
        if (r == -Errno.ENOENT) {
            return false;
        }
        check("map lookup on fd " + fd, r);
        return true;
    }

    public static void mapUpdate(int fd, byte[] key, byte[] value, long flags) {
        check("map update on fd " + fd, mapUpdate0(fd, key, value, flags));
    }

    /** False when the key was absent. */
    public static boolean mapDelete(int fd, byte[] key) {
        int r = mapDelete0(fd, key);
        if (r == -Errno.ENOENT) {
            return false;
        }
        check("map delete on fd " + fd, r);
        return true;
    }

    /** Writes the key after key (the first key when key is null) into next; false at the end. */
    public static boolean mapNextKey(int fd, byte[] key, byte[] next) {
        int r = mapNextKey0(fd, key, next);
        if (r == -Errno.ENOENT) {
            return false;
        }
        check("map get_next_key on fd " + fd, r);
        return true;
    }

    /** The keys after key (from the first when key is null) written back to back into out, as many as fit; 0 at the end. */
    public static int mapNextKeys(int fd, int keySize, byte[] key, byte[] out) {
        return check("map get_next_key on fd " + fd, mapNextKeys0(fd, keySize, key, out));
    }

    // ---- programs by fd ----

    /** BPF_PROG_TEST_RUN; returns {retval, average duration ns}. */
    public static long[] progTestRun(int fd, byte[] dataIn, byte[] ctxIn, int repeat) {
        long[] out = new long[2];
        check("test run of program fd " + fd, progTestRun0(fd, dataIn, ctxIn, repeat, out));
        return out;
    }

    /** {run_time_ns, run_cnt, recursion_misses, id}. */
    public static long[] progInfo(int fd) {
        long[] out = new long[4];
        check("program info of fd " + fd, progInfo0(fd, out));
        return out;
    }

    /** bpf_enable_stats(BPF_STATS_RUN_TIME): run-time statistics are collected while the returned fd is open. */
    public static int enableStats() {
        return check("enable BPF run-time statistics", enableStats0());
    }

    /** A duplicate in this process of another process's file descriptor (pidfd_getfd). */
    public static int pidfdGetFd(int pid, int fd) {
        return check("duplicate fd " + fd + " of pid " + pid, pidfdGetFd0(pid, fd));
    }

    /** The socket's kernel cookie (SO_COOKIE). */
    public static long socketCookie(int fd) {
        long r = socketCookie0(fd);
        if (r < 0) {
            check("SO_COOKIE of fd " + fd, (int) r);
        }
        return r;
    }

    public static void closeFd(int fd) {
        check("close fd " + fd, closeFd0(fd));
    }

    // ---- ring buffer ----

    /** Maps a BPF_MAP_TYPE_RINGBUF map and prepares its waiter; see src/main/c/ringbuf.c. */
    public static long ringbufOpen(int mapFd) {
        return check("mmap ring buffer map fd " + mapFd, ringbufOpen0(mapFd));
    }

    /** The consumer page (read-write, consumer_pos at offset 0). */
    public static ByteBuffer ringbufConsumer(long rb) {
        return ringbufConsumer0(rb);
    }

    /** The producer page followed by the data area mapped twice (read-only memory: never write to it). */
    public static ByteBuffer ringbufProducer(long rb) {
        return ringbufProducer0(rb);
    }

    /** Waits for data or a wake-up; returns bit 1 for data, bit 2 for wake-up, 0 on timeout. */
    public static int ringbufAwait(long rb, int timeoutMillis) {
        return check("wait on ring buffer", ringbufAwait0(rb, timeoutMillis));
    }

    public static void ringbufWake(long rb) {
        check("wake ring buffer waiter", ringbufWake0(rb));
    }

    /** Unmaps the buffers and closes the waiter's fds; no thread may use them afterwards. */
    public static void ringbufClose(long rb) {
        ringbufClose0(rb);
    }

    // ---- system ----

    /** 0 when the kernel loads a trivial program for us, else -errno. */
    static int probeProgramLoad() {
        return probe0(0);
    }

    /** 0 when the kernel creates a ring-buffer map for us, else -errno. */
    static int probeRingBuffer() {
        return probe0(1);
    }

    /** 0 when the kernel creates a uprobe_multi link (Linux 6.6+) for us, else -errno. */
    static int probeUprobeMulti() {
        return probe0(2);
    }

    /** {CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_MONOTONIC} read back to back. */
    public static long[] clocks() {
        long[] out = new long[3];
        clocks0(out);
        return out;
    }

    /** Possible CPUs, the stride of per-CPU map values. */
    public static int possibleCpus() {
        return check("number of possible CPUs", possibleCpus0());
    }

    static String[] layoutKeys() {
        return layoutKeys0();
    }

    static int[] layoutValues() {
        return layoutValues0();
    }
}
