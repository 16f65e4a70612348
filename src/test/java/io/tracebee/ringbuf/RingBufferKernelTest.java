package io.tracebee.ringbuf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.tracebee.bpf.BpfTestSupport;

/** End to end against the kernel: records written by a BPF program, read from the mapped ring. */
class RingBufferKernelTest {
    private static final int RING = 64 * 1024; // holds 910 records of 72 bytes

    @BeforeEach
    void requireBpf() {
        BpfTestSupport.assumeBpf();
    }

    @Test
    void everyRecordArrivesIntactAcrossManyWrapArounds() {
        try (BenchProducer producer = new BenchProducer(RING, 0);
                RingBufferMapping mapping = RingBufferMapping.map(producer.ringFd())) {
            assertThat(mapping.size()).isEqualTo(RING);
            RingBufferReader reader = new RingBufferReader(mapping.memory());
            long[] next = {0};
            int total = 20_000;
            for (int done = 0; done < total; done += 700) {
                producer.produce(Math.min(700, total - done), 1);
                reader.drain((data, offset, length) -> BenchProducer.check(data, offset, length, next[0]++));
            }
            assertThat(next[0]).isEqualTo(total);
            assertThat(reader.recordsRead()).isEqualTo(total);
            long[] state = producer.state();
            assertThat(state[1]).isEqualTo(total);
            assertThat(state[2]).as("kernel-side drops").isZero();
            assertThat(reader.pendingBytes()).isZero();
        }
    }

    @Test
    void batchesHoldTheSameRecords() {
        try (BenchProducer producer = new BenchProducer(RING, 0);
                RingBufferMapping mapping = RingBufferMapping.map(producer.ringFd())) {
            RingBufferReader reader = new RingBufferReader(mapping.memory());
            EventBatch batch = new EventBatch(1024, 16);
            long seq = 0;
            for (int round = 0; round < 30; round++) {
                producer.produce(333, 1);
                while (reader.drainInto(batch, 8192) > 0) {
                    ByteBuffer b = batch.buffer();
                    for (int i = 0; i < batch.count(); i++) {
                        BenchProducer.check(b, batch.offset(i), batch.length(i), seq++);
                    }
                }
            }
            assertThat(seq).isEqualTo(30 * 333);
        }
    }

    @Test
    void discardedRecordsAreSkipped() {
        try (BenchProducer producer = new BenchProducer(RING, 3);
                RingBufferMapping mapping = RingBufferMapping.map(producer.ringFd())) {
            RingBufferReader reader = new RingBufferReader(mapping.memory());
            producer.produce(300, 1);
            long[] expected = {0};
            int n = reader.drain((data, offset, length) -> {
                if (expected[0] % 3 == 2) {
                    expected[0]++;
                }
                BenchProducer.check(data, offset, length, expected[0]++);
            });
            assertThat(n).isEqualTo(200);
            assertThat(reader.recordsDiscarded()).isEqualTo(100);
        }
    }

    @Test
    void aFullRingMakesTheProducerDropNotTheReaderBlock() {
        try (BenchProducer producer = new BenchProducer(RING, 0);
                RingBufferMapping mapping = RingBufferMapping.map(producer.ringFd())) {
            producer.produce(2000, 1);
            long[] state = producer.state();
            assertThat(state[1]).isEqualTo(RING / BenchProducer.SLOT);
            assertThat(state[1] + state[2]).isEqualTo(2000);
            RingBufferReader reader = new RingBufferReader(mapping.memory());
            assertThat(reader.drain((d, o, l) -> { })).isEqualTo((int) state[1]);
        }
    }

    @Test
    void theSourceDeliversEveryRecordThroughMulti() {
        BenchProducer producer = new BenchProducer(RING, 0);
        try (producer; RingBufferSource source = RingBufferSource.open(producer.ringFd(), RingBufferSource.Options.defaults())) {
            long[] next = {0};
            AssertSubscriber<EventBatch> sub = source.batches()
                    .invoke(batch -> {
                        ByteBuffer b = batch.buffer();
                        for (int i = 0; i < batch.count(); i++) {
                            BenchProducer.check(b, batch.offset(i), batch.length(i), next[0]++);
                        }
                        batch.release();
                    })
                    .subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
            source.start();
            int total = 50_000;
            for (int done = 0; done < total; done += 500) {
                producer.produce(500, 1);
                // Let the reader keep up so the kernel never drops: this test is about exact delivery.
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (source.recordsRead() < done + 200 && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (source.recordsRead() < total && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            source.close();
            sub.awaitCompletion(Duration.ofSeconds(10));
            assertThat(producer.state()[2]).as("kernel-side drops").isZero();
            assertThat(next[0]).isEqualTo(total);
            assertThat(source.droppedRecords()).isZero();
        }
    }
}
