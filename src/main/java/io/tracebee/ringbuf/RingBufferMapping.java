package io.tracebee.ringbuf;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.tracebee.bpf.Native;

/**
 * A BPF ring-buffer map mapped into this process (once, as libbpf does) plus its epoll waiter. Closing unmaps the
 * memory: only close once no thread reads the {@link #memory()} any more; a thread still in {@link #await} is woken
 * and waited for.
 */
public final class RingBufferMapping implements RingBufferWaiter, AutoCloseable {
    private final long handle;
    private final RingBufferMemory memory;
    private final AtomicInteger waiters = new AtomicInteger();
    private volatile boolean closed;

    private RingBufferMapping(long handle) {
        this.handle = handle;
        this.memory = RingBufferMemory.ofKernelMapping(Native.ringbufConsumer(handle), Native.ringbufProducer(handle));
    }

    /** Maps the ring buffer behind mapFd (a BPF_MAP_TYPE_RINGBUF map; at most 512 MiB). */
    public static RingBufferMapping map(int mapFd) {
        long h = Native.ringbufOpen(mapFd);
        try {
            return new RingBufferMapping(h);
        } catch (RuntimeException | Error e) {
            Native.ringbufClose(h);
            throw e;
        }
    }

    public RingBufferMemory memory() {
        return memory;
    }

    /** Ring size in bytes. */
    public int size() {
        return memory.size();
    }

    @Override
    public void await(int timeoutMillis) {
        waiters.incrementAndGet();
        try {
            if (!closed) {
                Native.ringbufAwait(handle, timeoutMillis);
            }
        } finally {
            waiters.decrementAndGet();
        }
    }

    @Override
    public void wakeup() {
        waiters.incrementAndGet();
        try {
            if (!closed) {
                Native.ringbufWake(handle);
            }
        } finally {
            waiters.decrementAndGet();
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        while (waiters.get() > 0) {
            Native.ringbufWake(handle);
            LockSupport.parkNanos(100_000);
        }
        Native.ringbufClose(handle);
    }
}
