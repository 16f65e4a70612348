package io.tracebee.ringbuf;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.MultiEmitter;

/**
 * Turns a ring buffer into a {@code Multi<EventBatch>}: one dedicated reader thread drains the ring into
 * {@link EventBatch}es (one bulk copy per drain, no JNI call per record) and emits each batch if the subscriber has
 * requested one. Otherwise the batch is dropped and its records are counted ({@link #droppedRecords()}): the reader
 * never blocks, so the kernel side never fills up because of a slow pipeline. One subscriber at a time.
 */
public final class RingBufferSource implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RingBufferSource.class);
    private static final int FINAL_DRAINS = 64;
    /**
     * After a drain of less than 1/COALESCE_FRACTION of a batch, the reader waits COALESCE_NANOS before the next one.
     * Draining again at once hands the pipeline a batch per record or two while producers are writing (a wake-up
     * lands mid-burst), and the bounded queue to the pipeline thread counts batches, not records: at 50k events/s
     * those tiny batches filled it within milliseconds of a pipeline-thread stall and the reader dropped
     * (docs/BENCHMARKS.md, agent at rate). 1 ms adds at most that to a span's latency; the 8 MiB ring holds
     * thousands of events per millisecond of waiting.
     */
    private static final int COALESCE_FRACTION = 4;
    private static final long COALESCE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Tuning of the reader. */
    public record Options(int maxBatchBytes, int pollTimeoutMillis, int pooledBatches, String threadName) {
        public static Options defaults() {
            return new Options(256 * 1024, 100, 8, "tracebee-ringbuf-reader");
        }

        public Options withMaxBatchBytes(int bytes) {
            return new Options(bytes, pollTimeoutMillis, pooledBatches, threadName);
        }

        public Options withPollTimeoutMillis(int millis) {
            return new Options(maxBatchBytes, millis, pooledBatches, threadName);
        }

        public Options withPooledBatches(int n) {
            return new Options(maxBatchBytes, pollTimeoutMillis, n, threadName);
        }

        public Options withThreadName(String name) {
            return new Options(maxBatchBytes, pollTimeoutMillis, pooledBatches, name);
        }
    }

    private final RingBufferReader reader;
    private final RingBufferWaiter waiter;
    private final AutoCloseable resource;
    private final Options options;
    private final EventBatchPool pool;
    private final Thread thread;
    private final AtomicReference<MultiEmitter<? super EventBatch>> subscriber = new AtomicReference<>();
    private final Multi<EventBatch> batches;
    private volatile boolean running = true;
    private volatile boolean finished;
    private volatile long droppedRecords;
    private volatile long droppedBatches;
    private volatile long emittedBatches;
    private volatile long recordsRead;
    private volatile long pendingBytes;
    private boolean started;
    private boolean closed;

    /** A source over memory woken by waiter; resource (may be null) is closed after the reader thread ended. */
    public RingBufferSource(RingBufferMemory memory, RingBufferWaiter waiter, Options options, AutoCloseable resource) {
        this.reader = new RingBufferReader(memory);
        this.waiter = waiter;
        this.options = options;
        this.resource = resource;
        int batchBytes = Math.min(options.maxBatchBytes(), memory.size());
        this.pool = new EventBatchPool(options.pooledBatches(), Math.min(batchBytes, 64 * 1024), 256);
        this.thread = new Thread(this::run, options.threadName());
        this.thread.setDaemon(true);
        this.batches = Multi.createFrom().<EventBatch>emitter(this::subscribe, BackPressureStrategy.ERROR);
    }

    /** Maps the ring-buffer map behind mapFd; the source owns the mapping and unmaps it on close. */
    public static RingBufferSource open(int ringbufMapFd, Options options) {
        RingBufferMapping mapping = RingBufferMapping.map(ringbufMapFd);
        return new RingBufferSource(mapping.memory(), mapping, options, mapping);
    }

    /** Starts the reader thread; until a subscriber requests, drained batches count as dropped. */
    public synchronized RingBufferSource start() {
        if (closed) {
            throw new IllegalStateException("ring-buffer source is closed");
        }
        if (!started) {
            started = true;
            thread.start();
        }
        return this;
    }

    /**
     * The batches. Emitted on the reader thread: a subscriber that does real work should hop threads
     * ({@code emitOn}) with a bounded request, so its own backlog stays bounded. While it has requested nothing, the
     * reader leaves records in the ring (which overflows into the kernel's drop count if the stall outlasts it);
     * with no subscriber at all, batches are dropped and counted here.
     */
    public Multi<EventBatch> batches() {
        return batches;
    }

    /** Records drained from the ring (emitted or dropped). */
    public long recordsRead() {
        return recordsRead;
    }

    /** Records in batches dropped because the subscriber had not requested (or there was none). */
    public long droppedRecords() {
        return droppedRecords;
    }

    public long droppedBatches() {
        return droppedBatches;
    }

    public long emittedBatches() {
        return emittedBatches;
    }

    /** For metrics registration. */
    public LongSupplier droppedRecordsCounter() {
        return this::droppedRecords;
    }

    public LongSupplier recordsReadCounter() {
        return this::recordsRead;
    }

    /** Batches the pool had to allocate; steady growth means subscribers do not release batches. */
    public long batchesAllocated() {
        return pool.allocated();
    }

    /**
     * Ring bytes written but not yet consumed after the reader's last drain (how far behind it is). Sampled by the
     * reader thread: other threads never touch the ring memory, which may be unmapped at any time after close.
     */
    public long pendingBytes() {
        return pendingBytes;
    }

    public int ringSize() {
        return reader.memory().size();
    }

    private void subscribe(MultiEmitter<? super EventBatch> emitter) {
        if (finished) {
            emitter.complete();
            return;
        }
        if (!subscriber.compareAndSet(null, emitter)) {
            emitter.fail(new IllegalStateException("a ring-buffer source supports one subscriber at a time"));
            return;
        }
        emitter.onTermination(() -> subscriber.compareAndSet(emitter, null));
        if (finished && subscriber.compareAndSet(emitter, null)) {
            emitter.complete();
        }
    }

    private void run() {
        int idle = 0;
        try {
            while (running) {
                if (awaitingDemand()) {
                    // The subscriber is behind: leave the records in the ring (megabytes, 144 ms at 50k events/s),
                    // which only overflows, counted by the kernel, once the stall outlasts it.
                    LockSupport.parkNanos(COALESCE_NANOS);
                    continue;
                }
                long before = reader.position();
                drainOnce();
                long drained = reader.position() - before;
                if (drained != 0) {
                    idle = 0;
                    if (drained < options.maxBatchBytes() / COALESCE_FRACTION) {
                        // A small batch: let records gather before the next drain, so a steady stream arrives in
                        // batches of ~1 ms rather than of the one or two records committed since the last look.
                        LockSupport.parkNanos(COALESCE_NANOS);
                    }
                    continue;
                }
                if (reader.pendingBytes() > 0) {
                    // The oldest record is still being written (BUSY): its producer is about to commit.
                    idle++;
                    if (idle < 64) {
                        Thread.onSpinWait();
                    } else if (idle < 128) {
                        Thread.yield();
                    } else {
                        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
                    }
                    continue;
                }
                idle = 0;
                waiter.await(options.pollTimeoutMillis());
            }
            // What the kernel wrote before the stop is still delivered (bounded: producers may keep writing).
            for (int i = 0; i < FINAL_DRAINS; i++) {
                long before = reader.position();
                drainOnce();
                if (reader.position() == before) {
                    break;
                }
            }
        } catch (Throwable t) {
            LOG.error("ring-buffer reader stopped", t);
            MultiEmitter<? super EventBatch> em = subscriber.getAndSet(null);
            finished = true;
            if (em != null) {
                em.fail(t);
            }
            return;
        }
        finished = true;
        MultiEmitter<? super EventBatch> em = subscriber.getAndSet(null);
        if (em != null) {
            em.complete();
        }
    }

    private void drainOnce() {
        EventBatch batch = pool.acquire();
        int n = reader.drainInto(batch, options.maxBatchBytes());
        pendingBytes = reader.pendingBytes();
        if (n > 0 && !emit(batch)) {
            droppedRecords += n;
            droppedBatches++;
            batch.release();
        } else if (n == 0) {
            batch.release();
        }
        // Published last: whoever sees a record counted as read also sees whether it was emitted or dropped.
        recordsRead = reader.recordsRead();
    }

    /** A live subscriber that has requested nothing more yet (with none, batches are dropped and counted). */
    private boolean awaitingDemand() {
        MultiEmitter<? super EventBatch> em = subscriber.get();
        return em != null && !em.isCancelled() && em.requested() <= 0;
    }

    private boolean emit(EventBatch batch) {
        MultiEmitter<? super EventBatch> em = subscriber.get();
        if (em == null || em.isCancelled() || em.requested() <= 0) {
            return false;
        }
        try {
            em.emit(batch);
            emittedBatches++;
            return true;
        } catch (RuntimeException e) {
            // A misbehaving subscriber must not kill the reader; the batch is lost.
            LOG.warn("ring-buffer subscriber threw; batch dropped", e);
            return false;
        }
    }

    /** Stops the reader (waking it), waits for it to finish, completes the subscriber, then releases the ring memory. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        running = false;
        waiter.wakeup();
        if (thread.isAlive()) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (thread.isAlive()) {
            // Unmapping under a running reader would crash the JVM: leak the mapping instead.
            LOG.errorf("ring-buffer reader did not stop within 10 s (subscriber blocking in onNext?); ring memory not released");
            return;
        }
        finished = true;
        pendingBytes = 0;
        MultiEmitter<? super EventBatch> em = subscriber.getAndSet(null);
        if (em != null) {
            em.complete();
        }
        if (resource != null) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("closing ring buffer", e);
            }
        }
    }
}
