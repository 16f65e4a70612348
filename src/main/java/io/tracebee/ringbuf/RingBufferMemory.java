package io.tracebee.ringbuf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The three memory regions of a BPF ring buffer as direct buffers: the consumer page (consumer_pos, written by us),
 * the producer page (producer_pos, written by the kernel) and the data area of {@code 2 * size} bytes, in which the
 * kernel maps the ring twice back to back so a record that wraps around the end is contiguous. Backed by the kernel
 * mapping ({@link RingBufferMapping}) or, in tests, by buffers built by hand that write both copies.
 */
public final class RingBufferMemory {
    static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final ByteBuffer consumerPage;
    private final ByteBuffer producerPage;
    private final ByteBuffer data;
    private final int size;

    private RingBufferMemory(ByteBuffer consumerPage, ByteBuffer producerPage, ByteBuffer data) {
        if (!consumerPage.isDirect() || !producerPage.isDirect() || !data.isDirect()) {
            throw new IllegalArgumentException("ring-buffer regions must be direct buffers (atomic access)");
        }
        if (consumerPage.capacity() < 8 || producerPage.capacity() < 8) {
            throw new IllegalArgumentException("consumer and producer pages must hold a position");
        }
        int twice = data.capacity();
        int size = twice / 2;
        if (size < 8 || Integer.bitCount(size) != 1 || twice != 2 * size) {
            throw new IllegalArgumentException("data area must be twice a power-of-two ring size, got " + twice + " bytes");
        }
        this.consumerPage = consumerPage.duplicate().order(ByteOrder.nativeOrder());
        this.producerPage = producerPage.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
        this.data = data.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
        this.size = size;
    }

    /** Regions given separately: data must be exactly {@code 2 * size} bytes. */
    public static RingBufferMemory of(ByteBuffer consumerPage, ByteBuffer producerPage, ByteBuffer data) {
        return new RingBufferMemory(consumerPage, producerPage, data);
    }

    /** The kernel's layout: producer page followed by the doubled data area, in one mapping. */
    static RingBufferMemory ofKernelMapping(ByteBuffer consumerPage, ByteBuffer producerMapping) {
        int page = consumerPage.capacity();
        ByteBuffer producer = producerMapping.slice(0, page);
        ByteBuffer data = producerMapping.slice(page, producerMapping.capacity() - page);
        return new RingBufferMemory(consumerPage, producer, data);
    }

    /** Ring size in bytes (the map's max_entries). */
    public int size() {
        return size;
    }

    int mask() {
        return size - 1;
    }

    /** The data area ({@code 2 * size} bytes, read-only, native byte order). */
    ByteBuffer data() {
        return data;
    }

    long producerPositionAcquire() {
        return (long) LONGS.getAcquire(producerPage, 0);
    }

    long consumerPosition() {
        return (long) LONGS.getAcquire(consumerPage, 0);
    }

    void consumerPositionRelease(long position) {
        LONGS.setRelease(consumerPage, 0, position);
    }

    /** The u32 length word of the record header at index, read with acquire semantics. */
    int headerAcquire(int index) {
        return (int) INTS.getAcquire(data, index);
    }
}
