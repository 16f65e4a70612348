package io.tracebee.ringbuf;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.tracebee.correlate.CorrelatedEvent;
import io.tracebee.decode.TracedEvent;
import io.tracebee.export.OtlpBuilderOracle;
import io.tracebee.export.OtlpEncoder;
import io.tracebee.span.Span;

/**
 * The read side's hot paths, one operation = one event or span, on records of src/test/bpf/http_events_bench.bpf.c
 * (bench/read-side.sh runs them with {@code -prof gc}: gc.alloc.rate.norm is bytes allocated per event or span).
 * <ul>
 * <li>{@code drain}: {@link RingBufferReader#drainInto} pooled batches of 256 KiB until a full 16 MiB ring is empty
 * (refilled by the kernel producer before each invocation, untimed)</li>
 * <li>{@code decode}: {@code EventDecoder.decode} of one drained batch (224 records)</li>
 * <li>{@code correlateAssemble}: {@code Correlator.correlate} + {@code SpanAssembler.assemble} of that batch</li>
 * <li>{@code encode}: {@code OtlpEncoder.encodeBytes(512 spans)}, what the OTLP exporter sends</li>
 * <li>{@code encodeWithBuilders}: the same request through protobuf-java's generated builders and
 * {@code toByteArray()}, as the encoder did before it wrote the bytes itself (the before of that change)</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseG1GC"})
public class ReadSideBenchmarks {
    static final int RING_BYTES = 16 << 20;
    static final int FILL = RING_BYTES / HttpEventsProducer.SLOT - 1;
    /** Records in one 256 KiB drain (RingBufferSource's default batch): 262144 / 1168-byte slots; checked at setup. */
    static final int BATCH = 224;
    static final int EXPORT = ReadSideThroughput.EXPORT_BATCH;

    @State(Scope.Thread)
    public static class Ring {
        HttpEventsProducer producer;
        RingBufferMapping mapping;
        RingBufferReader reader;
        EventBatchPool pool;

        @Setup(Level.Trial)
        public void open() {
            producer = new HttpEventsProducer(RING_BYTES, 0, ReadSideThroughput.PID, ReadSideThroughput.TARGET);
            mapping = RingBufferMapping.map(producer.ringFd());
            reader = new RingBufferReader(mapping.memory());
            pool = new EventBatchPool(2, ReadSideThroughput.BATCH_BYTES, 256);
        }

        @Setup(Level.Invocation)
        public void fill() {
            producer.produce(FILL);
        }

        @TearDown(Level.Trial)
        public void close() {
            mapping.close();
            producer.close();
        }
    }

    /** One drained batch, its events decoded and correlated, and 512 spans, made once per trial. */
    @State(Scope.Thread)
    public static class Batch {
        final ReadSideThroughput.Pipeline pipeline = new ReadSideThroughput.Pipeline();
        EventBatch batch;
        List<TracedEvent> decoded;
        List<CorrelatedEvent> correlated;
        List<Span> spans;

        @Setup(Level.Trial)
        public void make() {
            try (HttpEventsProducer producer = new HttpEventsProducer(RING_BYTES, 0, ReadSideThroughput.PID,
                    ReadSideThroughput.TARGET);
                    RingBufferMapping mapping = RingBufferMapping.map(producer.ringFd())) {
                producer.produce(FILL);
                RingBufferReader reader = new RingBufferReader(mapping.memory());
                batch = new EventBatch(ReadSideThroughput.BATCH_BYTES, 256);
                if (reader.drainInto(batch, ReadSideThroughput.BATCH_BYTES) != BATCH) {
                    throw new IllegalStateException("batch of " + batch.count() + " records, expected " + BATCH);
                }
                decoded = pipeline.decoder.decode(batch.data(), batch.offsets(), batch.lengths(), BATCH);
                correlated = pipeline.correlator.correlate(decoded);
                spans = new ArrayList<>();
                while (spans.size() < EXPORT) {
                    spans.addAll(pipeline.assembler.assemble(correlated));
                }
                spans = new ArrayList<>(spans.subList(0, EXPORT));
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(FILL)
    public long drain(Ring ring) {
        return RingBufferThroughput.drainPooled(ring.reader, ring.pool, ReadSideThroughput.BATCH_BYTES);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public List<TracedEvent> decode(Batch b) {
        return b.pipeline.decoder.decode(b.batch.data(), b.batch.offsets(), b.batch.lengths(), BATCH);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public List<Span> correlateAssemble(Batch b) {
        return b.pipeline.assembler.assemble(b.pipeline.correlator.correlate(b.decoded));
    }

    @Benchmark
    @OperationsPerInvocation(EXPORT)
    public byte[] encode(Batch b) {
        return OtlpEncoder.encodeBytes(b.spans);
    }

    @Benchmark
    @OperationsPerInvocation(EXPORT)
    public byte[] encodeWithBuilders(Batch b) {
        return OtlpBuilderOracle.encode(b.spans).toByteArray();
    }
}
