package io.tracebee.ringbuf;

import java.nio.ByteBuffer;

/**
 * Reads records of a BPF ring buffer straight from its memory, the way libbpf's ring_buffer__consume does:
 * producer position with acquire, each record header with acquire, stop at a record still being written (BUSY),
 * skip discarded ones, advance by the 8-byte aligned length, and publish the consumer position with release once
 * per drain. Single-threaded: one reader per ring.
 */
public final class RingBufferReader {
    static final int BUSY_BIT = 1 << 31;
    static final int DISCARD_BIT = 1 << 30;
    static final int LENGTH_MASK = ~(BUSY_BIT | DISCARD_BIT);
    static final int HEADER_SIZE = 8;

    private final RingBufferMemory memory;
    private final ByteBuffer data;
    private final int mask;
    private long consumer;
    private long drains;
    private long recordsRead;
    private long recordsDiscarded;

    public RingBufferReader(RingBufferMemory memory) {
        this.memory = memory;
        this.data = memory.data();
        this.mask = memory.mask();
        this.consumer = memory.consumerPosition();
    }

    /** Slot size of a record of length bytes: header plus payload, rounded up to 8. */
    static long slot(int length) {
        return (length + HEADER_SIZE + 7) & ~7L;
    }

    /**
     * Visits every committed record in the ring, zero-copy; returns how many were visited. If the visitor throws,
     * the consumer position is not advanced and the same records are visited again by the next drain.
     */
    public int drain(RecordVisitor visitor) {
        return drain(visitor, Integer.MAX_VALUE);
    }

    /** As {@link #drain(RecordVisitor)}, stopping after maxRecords. */
    public int drain(RecordVisitor visitor, int maxRecords) {
        long pos = consumer;
        long producer = memory.producerPositionAcquire();
        int n = 0;
        while (pos < producer && n < maxRecords) {
            int index = (int) pos & mask;
            int header = memory.headerAcquire(index);
            if ((header & BUSY_BIT) != 0) {
                break;
            }
            int length = header & LENGTH_MASK;
            if ((header & DISCARD_BIT) == 0) {
                visitor.record(data, index + HEADER_SIZE, length);
                n++;
            } else {
                recordsDiscarded++;
            }
            pos += slot(length);
        }
        commit(pos, n);
        return n;
    }

    /**
     * Copies the committed records into batch (reset first) with one bulk copy, taking at most about maxBytes of ring
     * (always at least one record); returns the number of records. The ring space is released before returning.
     */
    public int drainInto(EventBatch batch, int maxBytes) {
        long start = consumer;
        long pos = start;
        long producer = memory.producerPositionAcquire();
        batch.reset(drains + 1);
        while (pos < producer) {
            int index = (int) pos & mask;
            int header = memory.headerAcquire(index);
            if ((header & BUSY_BIT) != 0) {
                break;
            }
            int length = header & LENGTH_MASK;
            long next = pos + slot(length);
            if (next - start > maxBytes && pos != start) {
                break;
            }
            if ((header & DISCARD_BIT) == 0) {
                batch.add((int) (pos - start) + HEADER_SIZE, length);
            } else {
                recordsDiscarded++;
            }
            pos = next;
        }
        if (pos != start) {
            // [start, pos) is contiguous in the doubled data area: it spans at most one ring size.
            int span = (int) (pos - start);
            data.get((int) start & mask, batch.dataFor(span), 0, span);
        }
        commit(pos, batch.count());
        return batch.count();
    }

    private void commit(long pos, int records) {
        if (pos != consumer) {
            consumer = pos;
            memory.consumerPositionRelease(pos);
            drains++;
        }
        recordsRead += records;
    }

    /** Bytes written by the producer (committed or not) that this reader has not consumed. */
    public long pendingBytes() {
        return memory.producerPositionAcquire() - consumer;
    }

    /** The consumer position; it only moves forward. */
    public long position() {
        return consumer;
    }

    public long recordsRead() {
        return recordsRead;
    }

    /** Records the producer reserved and then discarded (bpf_ringbuf_discard). */
    public long recordsDiscarded() {
        return recordsDiscarded;
    }

    public RingBufferMemory memory() {
        return memory;
    }
}
