package io.tracebee.ringbuf;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/** A bounded pool of {@link EventBatch}es; never blocks: an empty pool allocates, a full one lets the batch go. */
public final class EventBatchPool {
    private final ArrayBlockingQueue<EventBatch> free;
    private final int initialBytes;
    private final int initialRecords;
    private final AtomicLong allocated = new AtomicLong();

    public EventBatchPool(int capacity, int initialBytes, int initialRecords) {
        this.free = new ArrayBlockingQueue<>(Math.max(1, capacity));
        this.initialBytes = initialBytes;
        this.initialRecords = initialRecords;
    }

    public EventBatch acquire() {
        EventBatch b = free.poll();
        if (b == null) {
            allocated.incrementAndGet();
            b = new EventBatch(this, initialBytes, initialRecords);
        }
        b.acquired();
        return b;
    }

    void recycle(EventBatch batch) {
        free.offer(batch);
    }

    /** Batches allocated so far; grows steadily when subscribers do not release their batches. */
    public long allocated() {
        return allocated.get();
    }
}
