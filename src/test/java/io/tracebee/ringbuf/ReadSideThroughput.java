package io.tracebee.ringbuf;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.tracebee.correlate.CorrelatedEvent;
import io.tracebee.correlate.Correlator;
import io.tracebee.decode.EventDecoder;
import io.tracebee.decode.TracedEvent;
import io.tracebee.export.OtlpEncoder;
import io.tracebee.span.Attributes;
import io.tracebee.span.Resource;
import io.tracebee.span.Span;
import io.tracebee.span.SpanAssembler;
import io.tracebee.span.WallClock;

/**
 * The agent's read side on real-format events (bench/read-side.sh): src/test/bpf/http_events_bench.bpf.c fills a
 * ring with the records of traced net/http server requests, then this thread alone runs the agent's classes on them
 * as its reader and pipeline threads do — {@link RingBufferReader#drainInto} a pooled {@link EventBatch} of at most
 * 256 KiB, {@link EventDecoder}, {@link Correlator}, {@link SpanAssembler}, and {@link OtlpEncoder} into
 * {@code ExportTraceServiceRequest} bytes per 512 spans (the batch processor's default export batch), no network.
 * The producer runs between timed rounds (its cost is the probes', in the traced process).
 * <pre>
 *   pipeline [seconds=5] [ring_mib=16]    events/s end to end, time and bytes allocated per event by stage
 *   drain    [iterations=21] [ring_mib=16] the read step alone on a full ring: java-count (zero-copy visitor)
 *                                          and java-batch (drainInto, as RingBufferSource), median records/s
 *   source   [seconds=5] [ring_mib=8] [events_per_s=50000]
 *            the agent's RingBufferSource (50 ms poll, probes' 64 KiB wake-up threshold) under a producer paced
 *            every millisecond: batches per second and records per batch it hands the pipeline, reader CPU
 * </pre>
 * Prints "result ..." lines of key=value.
 */
public final class ReadSideThroughput {
    static final int BATCH_BYTES = RingBufferSource.Options.defaults().maxBatchBytes();
    static final int EXPORT_BATCH = 512;
    static final int PID = 4242;
    static final long TARGET = 2;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private ReadSideThroughput() {
    }

    public static void main(String[] args) {
        String mode = args.length > 0 ? args[0] : "pipeline";
        int param = args.length > 1 ? Integer.parseInt(args[1]) : -1;
        int ringBytes = (args.length > 2 ? Integer.parseInt(args[2]) : mode.equals("source") ? 8 : 16) << 20;
        switch (mode) {
            case "pipeline" -> System.out.println(pipeline(ringBytes, (param > 0 ? param : 5) * 1_000_000_000L));
            case "drain" -> {
                int iterations = param > 0 ? param : 21;
                System.out.println(drain("java-count", ringBytes, iterations, 10));
                System.out.println(drain("java-batch", ringBytes, iterations, 10));
            }
            case "source" -> System.out.println(source(ringBytes,
                    (param > 0 ? param : 5) * 1_000_000_000L, args.length > 3 ? Integer.parseInt(args[3]) : 50_000));
            default -> {
                System.err.println("usage: ReadSideThroughput pipeline [seconds] [ring_mib] | drain [iterations] [ring_mib]");
                System.exit(2);
            }
        }
    }

    /** The pieces of the agent's pipeline, as Agent wires them, with one attached process. */
    static final class Pipeline {
        static final Resource RESOURCE = new Resource(Attributes.builder().put("service.name", "bench")
                .put("process.pid", PID).put("telemetry.sdk.name", "tracebee").build());
        final EventDecoder decoder = new EventDecoder();
        final Correlator correlator = new Correlator((target, pid) -> target == TARGET && pid == PID ? RESOURCE : null);
        final SpanAssembler assembler = new SpanAssembler(WallClock.javaClocks(), true);
    }

    private static long allocated() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    static String pipeline(int ringBytes, long nanos) {
        Pipeline p = new Pipeline();
        // stage times and allocations: read, decode, correlate, assemble, encode
        long[] ns = new long[5];
        long[] bytes = new long[5];
        long events = 0;
        long spans = 0;
        long encoded = 0;
        long requests = 0;
        long kernelDropped;
        try (HttpEventsProducer producer = new HttpEventsProducer(ringBytes, 0, PID, TARGET);
                RingBufferMapping mapping = RingBufferMapping.map(producer.ringFd())) {
            RingBufferReader reader = new RingBufferReader(mapping.memory());
            EventBatchPool pool = new EventBatchPool(2, BATCH_BYTES, 256);
            int fill = HttpEventsProducer.fill(ringBytes);
            List<Span> pending = new ArrayList<>(EXPORT_BATCH * 2);
            long warmupEnd = System.nanoTime() + Math.min(nanos / 2, 3_000_000_000L);
            boolean measuring = false;
            long[] before = producer.state();
            long total = 0;
            while (!measuring || total < nanos) {
                if (!measuring && System.nanoTime() > warmupEnd) {
                    measuring = true;
                    Arrays.fill(ns, 0);
                    Arrays.fill(bytes, 0);
                    events = spans = encoded = requests = total = 0;
                    before = producer.state();
                }
                producer.produce(fill);
                for (;;) {
                    long a0 = allocated();
                    long t0 = System.nanoTime();
                    EventBatch batch = pool.acquire();
                    int n = reader.drainInto(batch, BATCH_BYTES);
                    long t1 = System.nanoTime();
                    long a1 = allocated();
                    if (n == 0) {
                        batch.release();
                        break;
                    }
                    List<TracedEvent> decoded = p.decoder.decode(batch.data(), batch.offsets(), batch.lengths(), n);
                    long t2 = System.nanoTime();
                    long a2 = allocated();
                    List<CorrelatedEvent> correlated = p.correlator.correlate(decoded);
                    long t3 = System.nanoTime();
                    long a3 = allocated();
                    List<Span> assembled = p.assembler.assemble(correlated);
                    batch.release();
                    long t4 = System.nanoTime();
                    long a4 = allocated();
                    pending.addAll(assembled);
                    while (pending.size() >= EXPORT_BATCH) {
                        List<Span> export = pending.subList(0, EXPORT_BATCH);
                        encoded += OtlpEncoder.encodeBytes(export).length;
                        requests++;
                        export.clear();
                    }
                    long t5 = System.nanoTime();
                    long a5 = allocated();
                    ns[0] += t1 - t0;
                    ns[1] += t2 - t1;
                    ns[2] += t3 - t2;
                    ns[3] += t4 - t3;
                    ns[4] += t5 - t4;
                    bytes[0] += a1 - a0;
                    bytes[1] += a2 - a1;
                    bytes[2] += a3 - a2;
                    bytes[3] += a4 - a3;
                    bytes[4] += a5 - a4;
                    total += t5 - t0;
                    events += n;
                    spans += assembled.size();
                }
            }
            long[] after = producer.state();
            kernelDropped = after[2] - before[2];
            if (events != after[1] - before[1] || spans != events) {
                throw new AssertionError("read " + events + " events, " + spans + " spans, of " + (after[1] - before[1]));
            }
        }
        double perSecond = events * 1e9 / Arrays.stream(ns).sum();
        String[] stage = {"read", "decode", "correlate", "assemble", "encode"};
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "result impl=java mode=pipeline events=%d spans=%d events_per_s=%.0f spans_per_s=%.0f otlp_requests=%d"
                        + " otlp_bytes_per_span=%.1f kernel_dropped=%d",
                events, spans, perSecond, spans * 1e9 / Arrays.stream(ns).sum(), requests, (double) encoded / spans,
                kernelDropped));
        for (int i = 0; i < stage.length; i++) {
            out.append(String.format(Locale.ROOT, " ns_per_event_%s=%.1f", stage[i], (double) ns[i] / events));
        }
        for (int i = 0; i < stage.length; i++) {
            out.append(String.format(Locale.ROOT, " bytes_per_event_%s=%.1f", stage[i], (double) bytes[i] / events));
        }
        return out.toString();
    }

    /** The reader thread as the agent runs it, fed at a steady rate: how it batches. */
    static String source(int ringBytes, long nanos, int rate) {
        try (HttpEventsProducer producer = new HttpEventsProducer(ringBytes, 64 * 1024, PID, TARGET);
                RingBufferSource source = RingBufferSource.open(producer.ringFd(),
                        RingBufferSource.Options.defaults().withPollTimeoutMillis(50).withThreadName("bench-ringbuf"))) {
            long[] records = new long[1];
            source.batches().subscribe().with(b -> {
                records[0] += b.count();
                b.release();
            });
            source.start();
            long[] before = producer.state();
            long cpu0 = readerCpu();
            long t0 = System.nanoTime();
            long sent = 0;
            long now;
            while ((now = System.nanoTime()) - t0 < nanos) {
                long due = (now - t0) * rate / 1_000_000_000L;
                while (sent < due) {
                    int n = (int) Math.min(4096, due - sent);
                    producer.produce(n);
                    sent += n;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            long produced = producer.state()[1] - before[1];
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (source.recordsRead() < produced && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long cpu = readerCpu() - cpu0;
            long batches = source.emittedBatches() + source.droppedBatches();
            return String.format(Locale.ROOT, "result impl=java mode=source rate=%d seconds=%.2f produced=%d read=%d"
                            + " kernel_dropped=%d batches_per_s=%.0f records_per_batch=%.1f reader_cpu_ms_per_s=%.1f",
                    rate, seconds, produced, source.recordsRead(), producer.state()[2] - before[2], batches / seconds,
                    (double) source.recordsRead() / Math.max(1, batches), cpu / 1e6 / seconds);
        }
    }

    /** CPU time of the source's reader thread, ns. */
    private static long readerCpu() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("bench-ringbuf")) {
                return THREADS.getThreadCpuTime(t.getId());
            }
        }
        return 0;
    }

    /** Fills the ring, times draining it (the read step alone); median records/s over iterations after warmup. */
    static String drain(String impl, int ringBytes, int iterations, int warmup) {
        try (HttpEventsProducer producer = new HttpEventsProducer(ringBytes, 0, PID, TARGET);
                RingBufferMapping mapping = RingBufferMapping.map(producer.ringFd())) {
            RingBufferReader reader = new RingBufferReader(mapping.memory());
            EventBatchPool pool = new EventBatchPool(2, BATCH_BYTES, 256);
            int fill = HttpEventsProducer.fill(ringBytes);
            double[] rates = new double[iterations];
            long[] count = new long[1];
            RecordVisitor counter = (data, offset, length) -> count[0]++;
            for (int i = -warmup; i < iterations; i++) {
                long[] before = producer.state();
                producer.produce(fill);
                long produced = producer.state()[1] - before[1];
                count[0] = 0;
                long t0 = System.nanoTime();
                if (impl.equals("java-count")) {
                    reader.drain(counter);
                } else {
                    count[0] += RingBufferThroughput.drainPooled(reader, pool, BATCH_BYTES);
                }
                long t1 = System.nanoTime();
                if (count[0] != produced) {
                    throw new AssertionError(impl + ": consumed " + count[0] + " of " + produced);
                }
                if (i >= 0) {
                    rates[i] = count[0] * 1e9 / (t1 - t0);
                }
            }
            Arrays.sort(rates);
            return String.format(Locale.ROOT, "result impl=%s mode=drain record_slot=%d records_per_drain=%d"
                            + " median_records_per_s=%.0f min=%.0f max=%.0f",
                    impl, HttpEventsProducer.SLOT, fill, rates[iterations / 2], rates[0], rates[iterations - 1]);
        }
    }
}
