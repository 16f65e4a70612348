package io.tracebee.ringbuf;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Ring-buffer read throughput, the Java counterpart of src/test/c/ringbuf_consumer.c (docs/BENCHMARKS.md).
 * <pre>
 *   drain  [ring_mib=16] [iterations=21]  fill the ring in the kernel, then time one drain of it:
 *          java-count (zero-copy visitor that counts), java-batch (drainInto a pooled EventBatch of at most
 *          256 KiB, as RingBufferSource does; -DbatchBytes=N to vary), java-batch-new (a new batch per drain)
 *   stream [ring_mib=16] [seconds=5] [wakeup_threshold=0]
 *          a producer thread runs BPF_PROG_TEST_RUN back to back while java-count (reader + epoll) or
 *          java-source (RingBufferSource -> Multi subscriber) counts; wakeup_threshold > 0 makes the producer
 *          wake the reader only when that many bytes are pending
 * </pre>
 * Run: {@code java -cp target/classes:target/test-classes:<deps> io.tracebee.ringbuf.RingBufferThroughput drain}
 */
public final class RingBufferThroughput {
    static final int BATCH_BYTES = Integer.getInteger("batchBytes", RingBufferSource.Options.defaults().maxBatchBytes());
    private static final int WARMUP = 10;

    /** A measurement; consumed and produced are totals over all iterations. */
    record Result(String impl, String mode, double recordsPerSecond, double min, double max, long consumed,
            long produced, long kernelDropped, long readerDropped) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT,
                    "result impl=%s mode=%s records_per_s=%.0f min=%.0f max=%.0f consumed=%d produced=%d kernel_dropped=%d reader_dropped=%d",
                    impl, mode, recordsPerSecond, min, max, consumed, produced, kernelDropped, readerDropped);
        }
    }

    private RingBufferThroughput() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "drain";
        int ringMib = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int param = args.length > 2 ? Integer.parseInt(args[2]) : -1;
        if (mode.equals("drain")) {
            int iterations = param > 0 ? param : 21;
            for (String impl : new String[] {"java-count", "java-batch", "java-batch-new"}) {
                System.out.println(drain(impl, ringMib << 20, iterations, WARMUP));
            }
        } else if (mode.equals("stream")) {
            int seconds = param > 0 ? param : 5;
            long threshold = args.length > 3 ? Long.parseLong(args[3]) : 0;
            System.out.println(stream("java-count", ringMib << 20, seconds * 1000L, threshold));
            System.out.println(stream("java-source", ringMib << 20, seconds * 1000L, threshold));
        } else {
            System.err.println("usage: RingBufferThroughput drain|stream [ring_mib] [iterations|seconds]");
            System.exit(2);
        }
    }

    /** Drains the ring into pooled batches of at most maxBytes, as RingBufferSource does, until empty; returns records. */
    static long drainPooled(RingBufferReader reader, EventBatchPool pool, int maxBytes) {
        long total = 0;
        for (;;) {
            EventBatch b = pool.acquire();
            int n = reader.drainInto(b, maxBytes);
            b.release();
            if (n == 0) {
                return total;
            }
            total += n;
        }
    }

    /** Fills the ring, times draining it; median records/s over iterations after warmup rounds. */
    static Result drain(String impl, int ringBytes, int iterations, int warmup) {
        try (BenchProducer producer = new BenchProducer(ringBytes, 0);
                RingBufferMapping mapping = RingBufferMapping.map(producer.ringFd())) {
            RingBufferReader reader = new RingBufferReader(mapping.memory());
            EventBatchPool pool = new EventBatchPool(2, BATCH_BYTES, 16 * 1024);
            int fill = ringBytes / BenchProducer.SLOT - 1;
            double[] rates = new double[iterations];
            long consumedTotal = 0;
            long producedTotal = 0;
            long[] count = new long[1];
            RecordVisitor counter = (data, offset, length) -> count[0]++;
            for (int i = -warmup; i < iterations; i++) {
                long[] before = producer.state();
                producer.produce(fill, 1);
                long[] after = producer.state();
                long produced = after[1] - before[1];
                count[0] = 0;
                long t0 = System.nanoTime();
                switch (impl) {
                    case "java-count":
                        reader.drain(counter);
                        break;
                    case "java-batch":
                        count[0] += drainPooled(reader, pool, BATCH_BYTES);
                        break;
                    case "java-batch-new":
                        for (;;) {
                            EventBatch b = new EventBatch(0, 0); // sized by the drain itself
                            int n = reader.drainInto(b, BATCH_BYTES);
                            count[0] += n;
                            if (n == 0) {
                                break;
                            }
                        }
                        break;
                    default:
                        throw new IllegalArgumentException(impl);
                }
                long t1 = System.nanoTime();
                if (count[0] != produced || after[2] != before[2]) {
                    throw new AssertionError(impl + ": consumed " + count[0] + " of " + produced + ", kernel dropped "
                            + (after[2] - before[2]));
                }
                if (i >= 0) {
                    rates[i] = count[0] * 1e9 / (t1 - t0);
                    consumedTotal += count[0];
                    producedTotal += produced;
                }
            }
            double[] sorted = rates.clone();
            Arrays.sort(sorted);
            return new Result(impl, "drain", sorted[iterations / 2], sorted[0], sorted[iterations - 1], consumedTotal,
                    producedTotal, 0, 0);
        }
    }

    /** A producer thread runs test_run back to back for millis while the consumer counts. */
    static Result stream(String impl, int ringBytes, long millis, long wakeupThreshold) throws InterruptedException {
        try (BenchProducer producer = new BenchProducer(ringBytes, 0, wakeupThreshold)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> producerFailure = new AtomicReference<>();
            long[] before = producer.state();
            Thread producerThread = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        producer.produce(4096, 1);
                    }
                } catch (Throwable t) {
                    producerFailure.set(t);
                }
            }, "bench-producer");
            long consumed;
            long readerDropped = 0;
            long t0;
            long t1;
            if (impl.equals("java-count")) {
                try (RingBufferMapping mapping = RingBufferMapping.map(producer.ringFd())) {
                    RingBufferReader reader = new RingBufferReader(mapping.memory());
                    long[] count = new long[1];
                    RecordVisitor counter = (data, offset, length) -> count[0]++;
                    t0 = System.nanoTime();
                    producerThread.start();
                    long end = t0 + millis * 1_000_000L;
                    while (System.nanoTime() < end) {
                        if (reader.drain(counter) == 0) {
                            mapping.await(100);
                        }
                    }
                    stop.set(true);
                    producerThread.join();
                    while (reader.drain(counter) > 0) {
                        // the rest
                    }
                    t1 = System.nanoTime();
                    consumed = count[0];
                }
            } else if (impl.equals("java-source")) {
                try (RingBufferSource source = RingBufferSource.open(producer.ringFd(), RingBufferSource.Options.defaults())) {
                    long[] count = new long[1];
                    CountDownLatch completed = new CountDownLatch(1);
                    AtomicReference<Throwable> failure = new AtomicReference<>();
                    // A plain subscriber: AssertSubscriber keeps every item and would skew the measurement.
                    source.batches().subscribe().with(b -> {
                        count[0] += b.count();
                        b.release();
                    }, t -> {
                        failure.set(t);
                        completed.countDown();
                    }, completed::countDown);
                    source.start();
                    t0 = System.nanoTime();
                    producerThread.start();
                    Thread.sleep(millis);
                    stop.set(true);
                    producerThread.join();
                    long[] st = producer.state();
                    long expected = st[1] - before[1];
                    long deadline = System.nanoTime() + 30_000_000_000L;
                    while (source.recordsRead() < expected) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("source read " + source.recordsRead() + " of " + expected);
                        }
                        Thread.onSpinWait();
                    }
                    t1 = System.nanoTime();
                    source.close();
                    completed.await();
                    if (failure.get() != null) {
                        throw new IllegalStateException("subscriber failed", failure.get());
                    }
                    consumed = count[0];
                    readerDropped = source.droppedRecords();
                }
            } else {
                throw new IllegalArgumentException(impl);
            }
            if (producerFailure.get() != null) {
                throw new IllegalStateException("producer failed", producerFailure.get());
            }
            long[] after = producer.state();
            double rate = consumed * 1e9 / (t1 - t0);
            return new Result(impl, "stream(wakeup_threshold=" + wakeupThreshold + ")", rate, rate, rate, consumed, after[1] - before[1], after[2] - before[2],
                    readerDropped);
        }
    }
}
