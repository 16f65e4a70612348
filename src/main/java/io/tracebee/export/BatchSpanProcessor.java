package io.tracebee.export;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.tracebee.span.Span;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * Bounded queue plus one worker thread in front of one {@link SpanExporter}, like OpenTelemetry's
 * BatchSpanProcessor: spans are sent in batches of up to {@code maxExportBatchSize}, at least every
 * {@code scheduleDelay}, with one export in flight at a time. {@link #offer} never blocks: what does
 * not fit is dropped and counted.
 *
 * <p>Unlike the SDK's, a batch whose export failed transiently (the receiver is down) is not dropped: it stays at
 * the head of the queue and is sent again with backoff for up to {@link BatchConfig#retryMaxElapsed}, as the
 * Collector's exporters do. The queue cap bounds memory during an outage: new spans fill what is left of it and
 * the rest are dropped as {@code queue_full}; after recovery the queue drains in order.
 */
public final class BatchSpanProcessor implements SpanProcessor {
    private static final Logger LOG = Logger.getLogger(BatchSpanProcessor.class);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    public static final String REASON_QUEUE_FULL = "queue_full";
    public static final String REASON_EXPORT_FAILED = "export_failed";
    public static final String REASON_REJECTED = "rejected";
    public static final String REASON_SHUTDOWN = "shutdown";

    private record Flush(long target, CompletableFuture<Void> done) {
    }

    private final SpanExporter exporter;
    private final BatchConfig config;
    private final MeterRegistry registry;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Condition finished = lock.newCondition();
    // Ring buffer, guarded by lock.
    private final Span[] ring;
    private int head;
    private int count;
    private long accepted;
    private long handled;
    private final List<Flush> flushes = new ArrayList<>();
    private boolean accepting = true;
    private boolean stopped;
    private boolean workerDone;

    private final Thread worker;

    private final Counter exported;
    private final Counter failures;
    private final Counter retries;
    private final Counter droppedQueueFull;
    private final Counter droppedExportFailed;
    private final Counter droppedRejected;
    private final Counter droppedShutdown;
    private final Timer duration;
    private final Gauge queueSizeGauge;
    private final Gauge capacityGauge;

    private final AtomicLong unloggedDrops = new AtomicLong();
    private final AtomicLong lastDropLog = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
    private final AtomicLong lastFailureLog = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
    private volatile int queued;
    // Spans of the batch being exported (guarded by lock): still in the ring, not abandoned by shutdown.
    private int exporting;

    /** Starts the worker thread. */
    public BatchSpanProcessor(SpanExporter exporter, BatchConfig config, MeterRegistry registry) {
        this.exporter = exporter;
        this.config = config;
        this.registry = registry;
        this.ring = new Span[config.maxQueueSize()];
        String name = exporter.name();
        exported = Counter.builder("tracebee.spans.exported").description("Spans delivered by an exporter")
                .tag("exporter", name).register(registry);
        failures = Counter.builder("tracebee.export.failures").description("Export calls that failed")
                .tag("exporter", name).register(registry);
        retries = Counter.builder("tracebee.export.retries")
                .description("Batches kept in the queue after a transient export failure, to be sent again")
                .tag("exporter", name).register(registry);
        droppedQueueFull = dropped(name, REASON_QUEUE_FULL);
        droppedExportFailed = dropped(name, REASON_EXPORT_FAILED);
        droppedRejected = dropped(name, REASON_REJECTED);
        droppedShutdown = dropped(name, REASON_SHUTDOWN);
        duration = Timer.builder("tracebee.export.duration").description("Time of one export call, retries included")
                .tag("exporter", name).register(registry);
        queueSizeGauge = Gauge.builder("tracebee.export.queue.size", this, p -> p.queued)
                .description("Spans waiting for export").tag("exporter", name).strongReference(true).register(registry);
        capacityGauge = Gauge.builder("tracebee.export.queue.capacity", ring, r -> r.length)
                .description("Capacity of the export queue").tag("exporter", name).strongReference(true)
                .register(registry);
        worker = new Thread(this::run, "tracebee-export-" + name);
        worker.setDaemon(true);
        worker.start();
    }

    private Counter dropped(String exporterName, String reason) {
        return Counter.builder("tracebee.spans.dropped").description("Spans lost before reaching an exporter's receiver")
                .tag("exporter", exporterName).tag("reason", reason).register(registry);
    }

    public SpanExporter exporter() {
        return exporter;
    }

    public int queueSize() {
        return queued;
    }

    public int capacity() {
        return ring.length;
    }

    @Override
    public void offer(List<Span> spans) {
        int size = spans.size();
        if (size == 0) {
            return;
        }
        int taken;
        boolean open;
        lock.lock();
        try {
            open = accepting;
            taken = open ? Math.min(size, ring.length - count) : 0;
            for (int i = 0; i < taken; i++) {
                ring[(head + count) % ring.length] = spans.get(i);
                count++;
            }
            accepted += taken;
            queued = count;
            if (count >= config.maxExportBatchSize() && taken > 0) {
                wake.signal();
            }
        } finally {
            lock.unlock();
        }
        int dropped = size - taken;
        if (dropped > 0) {
            (open ? droppedQueueFull : droppedShutdown).increment(dropped);
            if (open) {
                logDrops(dropped);
            }
        }
    }

    private void logDrops(int dropped) {
        long pending = unloggedDrops.addAndGet(dropped);
        long now = System.nanoTime();
        long last = lastDropLog.get();
        if (now - last >= LOG_INTERVAL_NANOS && lastDropLog.compareAndSet(last, now)) {
            unloggedDrops.addAndGet(-pending);
            LOG.warnf("Export queue of %s is full (%d spans): dropped %d span(s) since the last report",
                    exporter.name(), ring.length, pending);
        }
    }

    @Override
    public Uni<Void> forceFlush() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        lock.lock();
        try {
            if (stopped || workerDone || accepted == handled) {
                done.complete(null);
            } else {
                flushes.add(new Flush(accepted, done));
                wake.signal();
            }
        } finally {
            lock.unlock();
        }
        return Uni.createFrom().completionStage(done);
    }

    @Override
    public boolean shutdown(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        beginShutdown();
        return awaitShutdown(deadline);
    }

    /** Stops accepting spans and lets the worker drain the queue. */
    void beginShutdown() {
        lock.lock();
        try {
            accepting = false;
            wake.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the drain until {@code deadline} (System.nanoTime), then stops the worker and the exporter. */
    boolean awaitShutdown(long deadline) {
        boolean drained;
        int abandoned = 0;
        lock.lock();
        try {
            while (!workerDone) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    finished.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            drained = workerDone;
            if (!drained) {
                stopped = true;
                // the batch being exported is counted by the worker once its export returns
                abandoned = count - exporting;
                handled += count;
                count = 0;
                queued = 0;
                completeFlushes(true);
                wake.signal();
            }
        } finally {
            lock.unlock();
        }
        if (!drained) {
            // Cancels an export stuck past the deadline.
            worker.interrupt();
            droppedShutdown.increment(abandoned);
            LOG.warnf("Exporter %s did not finish within the shutdown timeout; %d queued span(s) dropped",
                    exporter.name(), abandoned);
        }
        try {
            long left = Math.max(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(100));
            exporter.shutdown().await().atMost(Duration.ofNanos(left));
        } catch (RuntimeException e) {
            LOG.debugf("Exporter %s shutdown: %s", exporter.name(), e);
        }
        registry.remove(queueSizeGauge);
        registry.remove(capacityGauge);
        return drained;
    }

    private void run() {
        long delay = config.scheduleDelay().toNanos();
        long nextExport = System.nanoTime() + delay;
        Retry retry = new Retry();
        while (true) {
            List<Span> batch;
            lock.lock();
            try {
                while (true) {
                    if (stopped) {
                        return;
                    }
                    if (retry.held()) {
                        long wait = retry.at - System.nanoTime();
                        if (wait <= 0) {
                            break;
                        }
                        wake.awaitNanos(wait);
                        continue;
                    }
                    boolean flushPending = !flushes.isEmpty();
                    if (count >= config.maxExportBatchSize() || (count > 0 && (flushPending || !accepting))) {
                        break;
                    }
                    if (count == 0) {
                        completeFlushes(false);
                        if (!accepting) {
                            workerDone = true;
                            finished.signalAll();
                            return;
                        }
                    }
                    long wait = nextExport - System.nanoTime();
                    if (wait <= 0) {
                        if (count > 0) {
                            break;
                        }
                        nextExport = System.nanoTime() + delay;
                        continue;
                    }
                    wake.awaitNanos(wait);
                }
                // The batch stays in the ring, and counts against its capacity, until it is delivered or dropped:
                // while the receiver is down, memory is bounded by the queue cap and nothing more.
                int n = Math.min(count, config.maxExportBatchSize());
                batch = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    batch.add(ring[(head + i) % ring.length]);
                }
                exporting = n;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            ExportResult result = exportBatch(batch);
            lock.lock();
            try {
                exporting = 0;
                if (stopped) {
                    // shutdown gave up waiting; this batch was not counted with the abandoned ones
                    account(batch.size(), result, true);
                    return;
                }
                if (!result.success() && result.retryable() && retry.keep(result)) {
                    continue;
                }
                retry.settled(result.success());
                account(batch.size(), result, false);
                for (int i = 0; i < batch.size(); i++) {
                    ring[head] = null;
                    head = (head + 1) % ring.length;
                }
                count -= batch.size();
                queued = count;
                handled += batch.size();
                completeFlushes(false);
            } finally {
                lock.unlock();
            }
            nextExport = System.nanoTime() + delay;
        }
    }

    /**
     * A batch held after a transient failure, like the Collector's retry_on_failure: tried again after 1, 2, 4 then
     * every 5 s until {@link BatchConfig#retryMaxElapsed} has passed since its first failure. Worker thread only.
     */
    private final class Retry {
        long at;
        long firstFailure;
        int attempts;

        boolean held() {
            return at != 0;
        }

        boolean keep(ExportResult result) {
            long now = System.nanoTime();
            if (attempts == 0) {
                firstFailure = now;
            }
            long backoff = TimeUnit.SECONDS.toNanos(Math.min(5, 1L << Math.min(attempts, 3)));
            if (now + backoff - firstFailure > config.retryMaxElapsed().toNanos()) {
                return false;
            }
            if (attempts == 0) {
                LOG.warnf("Exporter %s cannot deliver (%s); keeping %d queued span(s) and retrying for up to %d s",
                        exporter.name(), result.message(), count, config.retryMaxElapsed().toSeconds());
            }
            attempts++;
            retries.increment();
            at = now + backoff;
            return true;
        }

        void settled(boolean delivered) {
            if (attempts > 0 && delivered) {
                LOG.infof("Exporter %s delivers again after %d s of failures", exporter.name(),
                        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - firstFailure));
            }
            at = 0;
            attempts = 0;
        }
    }

    /** Completes flush requests whose spans have all been handled (or all of them, when stopping). */
    private void completeFlushes(boolean all) {
        for (Iterator<Flush> it = flushes.iterator(); it.hasNext();) {
            Flush flush = it.next();
            if (all || flush.target() <= handled) {
                flush.done().complete(null);
                it.remove();
            }
        }
    }

    /** Runs one export and times it. */
    private ExportResult exportBatch(List<Span> batch) {
        long start = System.nanoTime();
        ExportResult result = await(batch);
        duration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        if (!result.success()) {
            failures.increment();
        }
        return result;
    }

    /** Counts a batch's final outcome: delivered (less what the receiver rejected) or dropped. */
    private void account(int spans, ExportResult result, boolean shuttingDown) {
        if (result.success()) {
            long rejected = Math.min(Math.max(result.rejectedSpans(), 0), spans);
            exported.increment(spans - rejected);
            if (rejected > 0) {
                droppedRejected.increment(rejected);
            }
            return;
        }
        (shuttingDown ? droppedShutdown : droppedExportFailed).increment(spans);
        long now = System.nanoTime();
        long last = lastFailureLog.get();
        if (now - last >= LOG_INTERVAL_NANOS && lastFailureLog.compareAndSet(last, now)) {
            LOG.warnf("Exporter %s failed; %d span(s) dropped: %s", exporter.name(), spans, result.message());
        } else {
            LOG.debugf("Exporter %s failed; %d span(s) dropped: %s", exporter.name(), spans, result.message());
        }
    }

    /** Runs one export, bounded by exportTimeout; nothing thrown by the exporter escapes. */
    private ExportResult await(List<Span> batch) {
        Cancellable subscription = null;
        try {
            CompletableFuture<ExportResult> done = new CompletableFuture<>();
            subscription = exporter.export(batch).subscribe().with(done::complete, done::completeExceptionally);
            ExportResult result = done.get(config.exportTimeout().toNanos(), TimeUnit.NANOSECONDS);
            return result == null ? ExportResult.failure("exporter returned no result") : result;
        } catch (TimeoutException e) {
            cancel(subscription);
            return ExportResult.retryableFailure("export timed out after " + config.exportTimeout().toMillis() + " ms");
        } catch (InterruptedException e) {
            cancel(subscription);
            Thread.currentThread().interrupt();
            return ExportResult.failure("export interrupted by shutdown");
        } catch (ExecutionException e) {
            return ExportResult.failure(e.getCause());
        } catch (Throwable e) {
            cancel(subscription);
            return ExportResult.failure(e);
        }
    }

    private static void cancel(Cancellable subscription) {
        if (subscription != null) {
            subscription.cancel();
        }
    }
}
