package io.tracebee.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One BPF ELF object: opened from bytes, configured ({@code const volatile} globals, map sizes, maps shared with
 * other objects), loaded, then asked for its programs and maps. Closing it detaches every link made through its
 * programs and frees the kernel objects that nothing else holds.
 */
public final class BpfObject implements AutoCloseable {
    private final String name;
    private final Map<String, BpfProgram> programs = new HashMap<>();
    private final Map<String, BpfMap> maps = new HashMap<>();
    private final List<UprobeLink> links = new ArrayList<>();
    private long handle;
    private boolean loaded;
    private boolean uprobeMulti;

    private BpfObject(String name, long handle) {
        this.name = name;
        this.handle = handle;
    }

    /** Opens an object from ELF bytes; name is used in libbpf's messages and as prefix of internal map names. */
    public static BpfObject open(String name, byte[] elf) {
        return new BpfObject(name, Native.objectOpen(name, elf));
    }

    /** Opens {@code path} (e.g. {@code bpf/http.bpf.o}) from the classpath; the name is the file name without {@code .bpf.o}. */
    public static BpfObject openResource(String path) {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        if (cl == null) {
            cl = BpfObject.class.getClassLoader();
        }
        try (InputStream in = cl.getResourceAsStream(path)) {
            if (in == null) {
                throw new BpfException("open bpf object resource '" + path + "'", Errno.ENOENT, "not on the classpath");
            }
            return open(objectName(path), in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("read " + path, e);
        }
    }

    public static BpfObject openFile(Path file) {
        try {
            return open(objectName(file.getFileName().toString()), Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("read " + file, e);
        }
    }

    private static String objectName(String path) {
        String file = path.substring(path.lastIndexOf('/') + 1);
        if (file.endsWith(".bpf.o")) {
            return file.substring(0, file.length() - ".bpf.o".length());
        }
        return file.endsWith(".o") ? file.substring(0, file.length() - 2) : file;
    }

    public String name() {
        return name;
    }

    public synchronized boolean isLoaded() {
        return loaded;
    }

    /** Size in bytes of a {@code const volatile} global; throws if there is none of that name. */
    public synchronized int rodataSize(String var) {
        return Native.objectRodataSize(open(), var);
    }

    /** Whether the object has a {@code const volatile} global of that name. */
    public synchronized boolean hasRodata(String var) {
        try {
            rodataSize(var);
            return true;
        } catch (BpfException e) {
            if (e.errno() == Errno.ENOENT) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Sets an integer {@code const volatile} global of 1, 2, 4 or 8 bytes before load; the value must fit the
     * variable (signed or unsigned).
     */
    public synchronized BpfObject setRodata(String var, long value) {
        requireNotLoaded("set rodata '" + var + "'");
        int size = rodataSize(var);
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new IllegalArgumentException("rodata '" + var + "' is " + size + " bytes, not an integer");
        }
        if (size < 8) {
            long min = -(1L << (size * 8 - 1));
            long max = (1L << (size * 8)) - 1;
            if (value < min || value > max) {
                throw new IllegalArgumentException("value " + value + " does not fit the " + size + "-byte rodata '" + var + "'");
            }
        }
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (value >>> (8 * i)); // BPF targets here are little-endian
        }
        Native.objectSetRodata(open(), var, bytes);
        return this;
    }

    public synchronized BpfObject setRodata(String var, boolean value) {
        return setRodata(var, value ? 1 : 0);
    }

    /** Sets a {@code const volatile} global (struct, array) to raw bytes of exactly its size. */
    public synchronized BpfObject setRodata(String var, byte[] value) {
        requireNotLoaded("set rodata '" + var + "'");
        Native.objectSetRodata(open(), var, value);
        return this;
    }

    /** Resizes a map before load (e.g. the event ring buffer: a power of two multiple of the page size). */
    public synchronized BpfObject setMapMaxEntries(String map, int maxEntries) {
        requireNotLoaded("resize map '" + map + "'");
        Native.objectSetMaxEntries(open(), map, maxEntries);
        return this;
    }

    /** Makes this object use an existing map instead of creating its own, so several objects share one ring buffer. */
    public synchronized BpfObject reuseMap(String map, int fd) {
        requireNotLoaded("reuse map '" + map + "'");
        Native.objectReuseMapFd(open(), map, fd);
        return this;
    }

    /** Loads programs and maps into the kernel; a verifier rejection throws with the verifier log in the message. */
    public synchronized BpfObject load() {
        requireNotLoaded("load");
        Native.objectLoad(open(), name);
        loaded = true;
        return this;
    }

    /** A program by its C function name. */
    public synchronized BpfProgram program(String programName) {
        BpfProgram p = programs.get(programName);
        if (p == null) {
            long h = Native.objectProgram(open(), programName);
            if (h < 0) {
                throw new BpfException("find program '" + programName + "' in '" + name + "'", Errno.ENOENT,
                        "no such program; the object has " + Arrays.toString(Native.objectProgramNames(handle)));
            }
            p = new BpfProgram(this, programName, h);
            programs.put(programName, p);
        }
        return p;
    }

    /** A map by name; after load. */
    public synchronized BpfMap map(String mapName) {
        BpfMap m = maps.get(mapName);
        if (m == null) {
            m = BpfMap.ofObject(mapName, mapFd(mapName), keyShape(mapName));
            maps.put(mapName, m);
        }
        return m;
    }

    /** The shape of a map's key, from the object's BTF; before or after load. */
    public synchronized KeyShape keyShape(String mapName) {
        String[] names = new String[2];
        int[] out = new int[5];
        if (!Native.objectMapKey(open(), mapName, names, out)) {
            return KeyShape.NONE;
        }
        return new KeyShape(out[0], names[0], names[1], out[1], out[2], out[3], out[4]);
    }

    /**
     * The maps holding state of individual processes — those whose key leads with a process id
     * ({@link KeyShape#leadsWithPid()}) — decided from the BTF, so a map added to a probe is covered without a
     * list to update; after load.
     */
    public synchronized List<BpfMap> perProcessMaps() {
        requireLoaded("list per-process maps");
        List<BpfMap> out = new ArrayList<>();
        for (String m : mapNames()) {
            if (keyShape(m).leadsWithPid()) {
                out.add(map(m));
            }
        }
        return out;
    }

    /** The fd of a map after load; it stays owned by this object. */
    public synchronized int mapFd(String mapName) {
        long h = Native.objectMap(open(), mapName);
        if (h < 0) {
            throw new BpfException("find map '" + mapName + "' in '" + name + "'", Errno.ENOENT,
                    "no such map; the object has " + Arrays.toString(Native.objectMapNames(handle)));
        }
        return Native.mapFd(h, mapName);
    }

    public synchronized List<String> programNames() {
        return List.of(Native.objectProgramNames(open()));
    }

    public synchronized List<String> mapNames() {
        return List.of(Native.objectMapNames(open()));
    }

    /** Detaches remaining links and frees the object; idempotent. */
    @Override
    public void close() {
        List<UprobeLink> toClose;
        synchronized (this) {
            if (handle == 0) {
                return;
            }
            toClose = new ArrayList<>(links);
            links.clear();
        }
        RuntimeException failure = null;
        for (UprobeLink link : toClose) {
            try {
                link.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        synchronized (this) {
            if (handle != 0) {
                Native.objectClose(handle);
                handle = 0;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    synchronized long open() {
        if (handle == 0) {
            throw new IllegalStateException("bpf object '" + name + "' is closed");
        }
        return handle;
    }

    /**
     * Loads the uprobe programs so that {@link BpfProgram#attachUprobes} makes one uprobe_multi link per program
     * (see {@link UprobeLink}); their single-uprobe attach is then refused by the kernel. Only where
     * {@link BpfSupport#uprobeMulti()} says the kernel has them. Before load.
     */
    public synchronized void useUprobeMulti() {
        requireNotLoaded("use uprobe_multi links");
        Native.objectUseUprobeMulti(handle);
        uprobeMulti = true;
    }

    synchronized boolean usesUprobeMulti() {
        return uprobeMulti;
    }

    synchronized void requireLoaded(String what) {
        open();
        if (!loaded) {
            throw new IllegalStateException(what + ": bpf object '" + name + "' is not loaded");
        }
    }

    private void requireNotLoaded(String what) {
        open();
        if (loaded) {
            throw new IllegalStateException(what + ": bpf object '" + name + "' is already loaded");
        }
    }

    synchronized void track(UprobeLink link) {
        links.add(link);
    }

    synchronized void untrack(UprobeLink link) {
        links.remove(link);
    }

    @Override
    public String toString() {
        return "BpfObject[" + name + (loaded ? ", loaded" : "") + (handle == 0 ? ", closed" : "") + "]";
    }
}
