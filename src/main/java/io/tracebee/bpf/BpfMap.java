package io.tracebee.bpf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ObjIntConsumer;

/**
 * Element access to a map by fd, on raw little-endian bytes. The fd belongs to whoever created the map (usually a
 * {@link BpfObject}); this class never closes it.
 */
public final class BpfMap {
    /** bpf_map_update_elem flags. */
    public static final long ANY = 0;
    public static final long NOEXIST = 1;
    public static final long EXIST = 2;

    /** enum bpf_map_type values this agent cares about. */
    public static final int TYPE_HASH = 1;
    public static final int TYPE_ARRAY = 2;
    public static final int TYPE_PERCPU_HASH = 5;
    public static final int TYPE_PERCPU_ARRAY = 6;
    public static final int TYPE_LRU_HASH = 9;
    public static final int TYPE_LRU_PERCPU_HASH = 10;
    public static final int TYPE_RINGBUF = 27;

    /** Keys fetched per crossing into the kernel when walking a map. */
    private static final int KEY_BATCH = 256;
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final String name;
    private final int fd;
    private final int type;
    private final int keySize;
    private final int valueSize;
    private final int maxEntries;
    private final int id;
    private final KeyShape keyShape;

    private BpfMap(String name, int fd, int[] info, KeyShape keyShape) {
        this.name = name;
        this.fd = fd;
        this.type = info[0];
        this.keySize = info[1];
        this.valueSize = info[2];
        this.maxEntries = info[3];
        this.id = info[5];
        this.keyShape = keyShape;
    }

    /** Describes the map behind fd (type and sizes come from the kernel; the key's shape is unknown). */
    public static BpfMap ofFd(String name, int fd) {
        return new BpfMap(name, fd, Native.mapInfo(fd), KeyShape.NONE);
    }

    /** A map of an object, whose BTF tells the key's shape. */
    static BpfMap ofObject(String name, int fd, KeyShape keyShape) {
        return new BpfMap(name, fd, Native.mapInfo(fd), keyShape);
    }

    public String name() {
        return name;
    }

    public int fd() {
        return fd;
    }

    public int type() {
        return type;
    }

    public int keySize() {
        return keySize;
    }

    /** Size of one value; per CPU for per-CPU maps. */
    public int valueSize() {
        return valueSize;
    }

    public int maxEntries() {
        return maxEntries;
    }

    /** The kernel's map id (stable across processes, shown by bpftool). */
    public int id() {
        return id;
    }

    /** The key's type from the object's BTF; {@link KeyShape#NONE} for a map known only by its fd. */
    public KeyShape keyShape() {
        return keyShape;
    }

    public boolean isPerCpu() {
        return type == TYPE_PERCPU_ARRAY || type == TYPE_PERCPU_HASH || type == TYPE_LRU_PERCPU_HASH;
    }

    /** Bytes a lookup writes: the value size, or for per-CPU maps the value size rounded to 8 times the possible CPUs. */
    public int valueBufferSize() {
        return isPerCpu() ? ((valueSize + 7) & ~7) * Native.possibleCpus() : valueSize;
    }

    /** Copies the value of key into value (of {@link #valueBufferSize()} bytes); false if absent. */
    public boolean lookup(byte[] key, byte[] value) {
        checkKey(key);
        if (value.length != valueBufferSize()) {
            throw new IllegalArgumentException("value buffer of map '" + name + "' must be " + valueBufferSize() + " bytes");
        }
        return Native.mapLookup(fd, key, value);
    }

    /** The value of key, or null if absent. */
    public byte[] lookup(byte[] key) {
        byte[] value = new byte[valueBufferSize()];
        return lookup(key, value) ? value : null;
    }

    public void update(byte[] key, byte[] value) {
        update(key, value, ANY);
    }

    public void update(byte[] key, byte[] value, long flags) {
        checkKey(key);
        if (value.length != valueBufferSize()) {
            throw new IllegalArgumentException("value of map '" + name + "' must be " + valueBufferSize() + " bytes");
        }
        Native.mapUpdate(fd, key, value, flags);
    }

    /** False if the key was absent. */
    public boolean delete(byte[] key) {
        checkKey(key);
        return Native.mapDelete(fd, key);
    }

    /** Writes the key following key (the first one when key is null) into next; false when there is none. */
    public boolean nextKey(byte[] key, byte[] next) {
        if (key != null) {
            checkKey(key);
        }
        checkKey(next);
        return Native.mapNextKey(fd, key, next);
    }

    /**
     * The number of keys, by walking them: cheap for maps that hold few entries at a time. A walk that
     * races with deletes may restart at the first key, so it is capped at max_entries.
     */
    public long countKeys() {
        long[] n = {0};
        forEachKey((keys, at) -> n[0]++);
        return n[0];
    }

    /** The distinct values of the first four bytes (little-endian) of the keys: for maps keyed by process, the pids. */
    public Set<Integer> leadingInts() {
        requireLeadingInt();
        Set<Integer> values = new HashSet<>();
        forEachKey((keys, at) -> values.add((int) INT.get(keys, at)));
        return values;
    }

    /** How many keys begin with these four bytes (little-endian). */
    public int countKeysLeadingWith(int value) {
        requireLeadingInt();
        int[] n = {0};
        forEachKey((keys, at) -> n[0] += (int) INT.get(keys, at) == value ? 1 : 0);
        return n[0];
    }

    /**
     * Deletes every key that begins with these four bytes (little-endian): collected in one walk, then deleted, so
     * the deletes cannot make the walk restart. Returns how many were deleted (a key a program removed meanwhile
     * is not counted).
     */
    public int deleteKeysLeadingWith(int value) {
        requireLeadingInt();
        List<byte[]> matching = new ArrayList<>();
        forEachKey((keys, at) -> {
            if ((int) INT.get(keys, at) == value) {
                matching.add(Arrays.copyOfRange(keys, at, at + keySize));
            }
        });
        int deleted = 0;
        for (byte[] key : matching) {
            deleted += Native.mapDelete(fd, key) ? 1 : 0;
        }
        return deleted;
    }

    /**
     * Hands every key to visitor as (batch buffer, offset of the key in it), fetching keys in batches. At most
     * max_entries keys are visited: a walk that races with deletes by programs may restart at the first key, and
     * the bound keeps its work finite (a key may then be seen twice, or missed).
     */
    private void forEachKey(ObjIntConsumer<byte[]> visitor) {
        int batch = Math.max(1, Math.min(maxEntries, KEY_BATCH));
        byte[] keys = new byte[batch * keySize];
        byte[] from = null;
        int visited = 0;
        while (visited < maxEntries) {
            int n = Math.min(Native.mapNextKeys(fd, keySize, from, keys), maxEntries - visited);
            for (int i = 0; i < n; i++) {
                visitor.accept(keys, i * keySize);
            }
            visited += n;
            if (n < batch) {
                return;
            }
            from = Arrays.copyOfRange(keys, (n - 1) * keySize, n * keySize);
        }
    }

    private void requireLeadingInt() {
        if (keySize < 4) {
            throw new IllegalStateException("keys of map '" + name + "' are " + keySize + " bytes: no leading int");
        }
    }

    /** For u32-keyed maps: the value at index, or null. */
    public byte[] lookup(int index) {
        return lookup(u32(index));
    }

    /** For u32-keyed per-CPU maps of u64 counters: the sum over CPUs of the 8 bytes at byteOffset of each CPU's value. */
    public long sumPerCpuLong(int index, int byteOffset) {
        byte[] v = lookup(u32(index));
        if (v == null) {
            return 0;
        }
        ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN);
        int stride = isPerCpu() ? (valueSize + 7) & ~7 : v.length;
        long sum = 0;
        for (int off = 0; off + byteOffset + 8 <= v.length; off += stride) {
            sum += b.getLong(off + byteOffset);
        }
        return sum;
    }

    /** A u32 key (array maps). */
    public static byte[] u32(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
    }

    private void checkKey(byte[] key) {
        if (key.length != keySize) {
            throw new IllegalArgumentException("key of map '" + name + "' must be " + keySize + " bytes, got " + key.length);
        }
    }

    @Override
    public String toString() {
        return "BpfMap[" + name + ", fd " + fd + ", type " + type + ", key " + keySize + ", value " + valueSize
                + ", max " + maxEntries + "]";
    }
}
