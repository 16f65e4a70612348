package io.tracebee.ringbuf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A ring buffer built by hand in direct buffers, playing the kernel producer: reserve writes a BUSY header and
 * advances producer_pos, commit/discard clear BUSY (setting DISCARD). The kernel maps the data pages twice back to
 * back; here every byte is written to both copies so a reader sees the same memory it would see in production.
 */
final class TestRing {
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    final int size;
    final ByteBuffer consumerPage = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
    final ByteBuffer producerPage = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
    final ByteBuffer data;
    private final RingBufferMemory memory;
    private long producer;

    /** A ring of size bytes whose positions start at startPosition (8-aligned), as after a long uptime. */
    TestRing(int size, long startPosition) {
        this.size = size;
        this.data = ByteBuffer.allocateDirect(2 * size).order(ByteOrder.nativeOrder());
        this.producer = startPosition;
        LONGS.setRelease(consumerPage, 0, startPosition);
        LONGS.setRelease(producerPage, 0, startPosition);
        this.memory = RingBufferMemory.of(consumerPage, producerPage, data);
    }

    TestRing(int size) {
        this(size, 0);
    }

    RingBufferMemory memory() {
        return memory;
    }

    long consumerPosition() {
        return (long) LONGS.getAcquire(consumerPage, 0);
    }

    long producerPosition() {
        return producer;
    }

    /** Reserves a record of length bytes and returns its position, or -1 when the ring is full (as the kernel would). */
    long reserve(int length) {
        long slot = (length + 8 + 7) & ~7L;
        if (producer + slot - consumerPosition() > size) {
            return -1;
        }
        long pos = producer;
        int index = (int) (pos & (size - 1));
        writeHeader(index, length | RingBufferReader.BUSY_BIT, (int) (pos / 4096));
        producer += slot;
        LONGS.setRelease(producerPage, 0, producer);
        return pos;
    }

    void write(long pos, byte[] payload) {
        for (int i = 0; i < payload.length; i++) {
            int index = (int) ((pos + 8 + i) & (size - 1));
            data.put(index, payload[i]);
            data.put(index + size, payload[i]);
        }
    }

    void commit(long pos, int length) {
        writeHeader((int) (pos & (size - 1)), length, (int) (pos / 4096));
    }

    void discard(long pos, int length) {
        writeHeader((int) (pos & (size - 1)), length | RingBufferReader.DISCARD_BIT, (int) (pos / 4096));
    }

    /** reserve + write + commit; false when full. */
    boolean submit(byte[] payload) {
        long pos = reserve(payload.length);
        if (pos < 0) {
            return false;
        }
        write(pos, payload);
        commit(pos, payload.length);
        return true;
    }

    private void writeHeader(int index, int lengthWord, int pageOffset) {
        data.putInt(index + 4, pageOffset);
        data.putInt(index + 4 + size, pageOffset);
        INTS.setRelease(data, index + size, lengthWord);
        INTS.setRelease(data, index, lengthWord);
    }

    /** A payload of length bytes derived from seq, so any misplaced byte shows. */
    static byte[] payload(int seq, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seq * 31 + i);
        }
        return b;
    }
}
