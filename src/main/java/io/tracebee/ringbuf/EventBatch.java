package io.tracebee.ringbuf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The records of one ring-buffer drain, copied out of the ring in a single bulk copy: record i is
 * {@code data()[offset(i) .. offset(i) + length(i))}, little-endian as the kernel wrote it. Bytes between records
 * (ring headers, padding, discarded records) are left in place and never indexed.
 * <p>
 * Ownership: a batch from a {@link RingBufferSource} belongs to the subscriber. Calling {@link #release()} when done
 * lets the reader reuse its arrays; after that the batch must not be touched. Not calling it is safe (the batch is
 * garbage-collected and the pool allocates a new one), just slower.
 */
public final class EventBatch {
    private final EventBatchPool pool;
    private final AtomicBoolean inPool = new AtomicBoolean();
    private byte[] data;
    private int[] offsets;
    private int[] lengths;
    private int count;
    private int bytes;
    private long sequence;
    private ByteBuffer buffer;

    /** A standalone batch; {@link #release()} is a no-op. */
    public EventBatch(int initialBytes, int initialRecords) {
        this(null, initialBytes, initialRecords);
    }

    EventBatch(EventBatchPool pool, int initialBytes, int initialRecords) {
        this.pool = pool;
        this.data = new byte[Math.max(initialBytes, 64)];
        this.offsets = new int[Math.max(initialRecords, 16)];
        this.lengths = new int[offsets.length];
    }

    /** Number of records. */
    public int count() {
        return count;
    }

    /** Backing array; valid bytes are {@code [0, bytes())}. */
    public byte[] data() {
        return data;
    }

    /** Bytes copied from the ring (records plus their headers). */
    public int bytes() {
        return bytes;
    }

    public int offset(int i) {
        return offsets[i];
    }

    public int length(int i) {
        return lengths[i];
    }

    /** Offsets array; entries {@code [0, count())} are valid. */
    public int[] offsets() {
        return offsets;
    }

    /** Lengths array; entries {@code [0, count())} are valid. */
    public int[] lengths() {
        return lengths;
    }

    /** Number of the drain that filled this batch, counting from 1 per reader. */
    public long sequence() {
        return sequence;
    }

    /** A little-endian ByteBuffer over {@link #data()} for absolute reads; do not change its position concurrently. */
    public ByteBuffer buffer() {
        ByteBuffer b = buffer;
        if (b == null || b.array() != data) {
            b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            buffer = b;
        }
        return b;
    }

    /** A copy of record i. */
    public byte[] copyOf(int i) {
        return Arrays.copyOfRange(data, offsets[i], offsets[i] + lengths[i]);
    }

    /** Hands the batch back for reuse; the caller must not use it afterwards. Releasing twice throws. */
    public void release() {
        if (pool == null) {
            return;
        }
        if (!inPool.compareAndSet(false, true)) {
            throw new IllegalStateException("event batch released twice");
        }
        pool.recycle(this);
    }

    void acquired() {
        inPool.set(false);
    }

    void reset(long sequence) {
        this.count = 0;
        this.bytes = 0;
        this.sequence = sequence;
    }

    void add(int offset, int length) {
        if (count == offsets.length) {
            int n = offsets.length * 2;
            offsets = Arrays.copyOf(offsets, n);
            lengths = Arrays.copyOf(lengths, n);
        }
        offsets[count] = offset;
        lengths[count] = length;
        count++;
    }

    /** Makes room for n bytes, discarding the old contents. */
    byte[] dataFor(int n) {
        if (data.length < n) {
            data = new byte[Math.max(n, Math.min(Integer.MAX_VALUE - 8, data.length * 2))];
        }
        bytes = n;
        return data;
    }
}
