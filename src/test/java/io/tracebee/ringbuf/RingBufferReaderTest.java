package io.tracebee.ringbuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The reader on rings built by hand (no kernel). */
class RingBufferReaderTest {
    @Test
    void readsCommittedRecordsInOrderAndPublishesTheConsumerPosition() {
        TestRing ring = new TestRing(4096);
        for (int i = 0; i < 5; i++) {
            assertThat(ring.submit(TestRing.payload(i, 10 + i))).isTrue();
        }
        RingBufferReader reader = new RingBufferReader(ring.memory());
        List<byte[]> seen = collect(reader);
        assertThat(seen).hasSize(5);
        for (int i = 0; i < 5; i++) {
            assertThat(seen.get(i)).isEqualTo(TestRing.payload(i, 10 + i));
        }
        assertThat(ring.consumerPosition()).isEqualTo(ring.producerPosition());
        assertThat(reader.recordsRead()).isEqualTo(5);
        assertThat(reader.pendingBytes()).isZero();
        assertThat(collect(reader)).isEmpty();
    }

    @Test
    void advancesByTheEightByteAlignedSlot() {
        assertThat(RingBufferReader.slot(0)).isEqualTo(8);
        assertThat(RingBufferReader.slot(1)).isEqualTo(16);
        assertThat(RingBufferReader.slot(8)).isEqualTo(16);
        assertThat(RingBufferReader.slot(9)).isEqualTo(24);
        assertThat(RingBufferReader.slot(64)).isEqualTo(72);
    }

    @Test
    void aBusyRecordStopsTheDrainUntilCommitted() {
        TestRing ring = new TestRing(4096);
        ring.submit(TestRing.payload(0, 16));
        long busy = ring.reserve(16);
        ring.write(busy, TestRing.payload(1, 16));
        ring.submit(TestRing.payload(2, 16)); // committed, but behind the busy one

        RingBufferReader reader = new RingBufferReader(ring.memory());
        assertThat(collect(reader)).hasSize(1);
        assertThat(ring.consumerPosition()).isEqualTo(busy);
        assertThat(reader.pendingBytes()).isPositive();

        ring.commit(busy, 16);
        List<byte[]> rest = collect(reader);
        assertThat(rest).hasSize(2);
        assertThat(rest.get(0)).isEqualTo(TestRing.payload(1, 16));
        assertThat(rest.get(1)).isEqualTo(TestRing.payload(2, 16));
    }

    @Test
    void discardedRecordsAreSkippedButTheirSpaceIsFreed() {
        TestRing ring = new TestRing(4096);
        ring.submit(TestRing.payload(0, 24));
        long d = ring.reserve(40);
        ring.discard(d, 40);
        ring.submit(TestRing.payload(2, 24));
        RingBufferReader reader = new RingBufferReader(ring.memory());
        List<byte[]> seen = collect(reader);
        assertThat(seen).containsExactly(TestRing.payload(0, 24), TestRing.payload(2, 24));
        assertThat(reader.recordsDiscarded()).isEqualTo(1);
        assertThat(ring.consumerPosition()).isEqualTo(ring.producerPosition());
    }

    @Test
    void aRecordWrappingAroundTheEndIsContiguousThanksToTheDoubleMapping() {
        int size = 256;
        TestRing ring = new TestRing(size, (1L << 32) - 64); // positions past 32 bits on the way
        RingBufferReader reader = new RingBufferReader(ring.memory());
        int seq = 0;
        List<byte[]> expected = new ArrayList<>();
        List<byte[]> seen = new ArrayList<>();
        // Odd lengths make every record start at a different place relative to the end.
        for (int round = 0; round < 200; round++) {
            int length = 1 + (round * 37) % 120;
            byte[] p = TestRing.payload(seq++, length);
            while (!ring.submit(p)) {
                seen.addAll(collect(reader));
            }
            expected.add(p);
        }
        seen.addAll(collect(reader));
        assertThat(seen).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(seen.get(i)).as("record %d", i).isEqualTo(expected.get(i));
        }
        assertThat(ring.consumerPosition()).isGreaterThan(1L << 32);
    }

    @Test
    void drainIntoCopiesAllRecordsOfADrainIntoOneBatch() {
        TestRing ring = new TestRing(1024, 960); // the third record wraps
        for (int i = 0; i < 4; i++) {
            ring.submit(TestRing.payload(i, 30));
        }
        long d = ring.reserve(8);
        ring.discard(d, 8);
        ring.submit(TestRing.payload(4, 30));
        RingBufferReader reader = new RingBufferReader(ring.memory());
        EventBatch batch = new EventBatch(16, 2);
        assertThat(reader.drainInto(batch, Integer.MAX_VALUE)).isEqualTo(5);
        assertThat(batch.count()).isEqualTo(5);
        for (int i = 0; i < 5; i++) {
            assertThat(batch.length(i)).isEqualTo(30);
            assertThat(batch.copyOf(i)).isEqualTo(TestRing.payload(i, 30));
        }
        assertThat(batch.bytes()).isEqualTo(5 * 40 + 16);
        assertThat(batch.sequence()).isEqualTo(1);
        assertThat(ring.consumerPosition()).isEqualTo(ring.producerPosition());

        assertThat(reader.drainInto(batch, Integer.MAX_VALUE)).isZero();
        assertThat(batch.count()).isZero();
    }

    @Test
    void drainIntoStopsAtTheByteBudgetButTakesAtLeastOneRecord() {
        TestRing ring = new TestRing(4096);
        for (int i = 0; i < 10; i++) {
            ring.submit(TestRing.payload(i, 56)); // 64-byte slots
        }
        RingBufferReader reader = new RingBufferReader(ring.memory());
        EventBatch batch = new EventBatch(64, 4);
        List<byte[]> seen = new ArrayList<>();
        int drains = 0;
        while (reader.drainInto(batch, 200) > 0) {
            drains++;
            assertThat(batch.count()).isLessThanOrEqualTo(3);
            for (int i = 0; i < batch.count(); i++) {
                seen.add(batch.copyOf(i));
            }
        }
        assertThat(drains).isEqualTo(4);
        assertThat(seen).hasSize(10);
        assertThat(seen.get(9)).isEqualTo(TestRing.payload(9, 56));

        ring.submit(TestRing.payload(10, 500));
        assertThat(reader.drainInto(batch, 200)).isEqualTo(1);
        assertThat(batch.copyOf(0)).isEqualTo(TestRing.payload(10, 500));
    }

    @Test
    void multipleBatchesInterleavedWithProduction() {
        TestRing ring = new TestRing(512);
        RingBufferReader reader = new RingBufferReader(ring.memory());
        EventBatch batch = new EventBatch(64, 4);
        int produced = 0;
        int consumed = 0;
        for (int round = 0; round < 100; round++) {
            for (int k = 0; k < round % 7; k++) {
                if (ring.submit(TestRing.payload(produced, 20 + produced % 50))) {
                    produced++;
                }
            }
            reader.drainInto(batch, 128);
            for (int i = 0; i < batch.count(); i++) {
                assertThat(batch.copyOf(i)).isEqualTo(TestRing.payload(consumed, 20 + consumed % 50));
                consumed++;
            }
        }
        while (reader.drainInto(batch, 128) > 0) {
            for (int i = 0; i < batch.count(); i++) {
                assertThat(batch.copyOf(i)).isEqualTo(TestRing.payload(consumed, 20 + consumed % 50));
                consumed++;
            }
        }
        assertThat(consumed).isEqualTo(produced).isGreaterThan(100);
    }

    @Test
    void drainStopsAfterMaxRecords() {
        TestRing ring = new TestRing(1024);
        for (int i = 0; i < 6; i++) {
            ring.submit(TestRing.payload(i, 8));
        }
        RingBufferReader reader = new RingBufferReader(ring.memory());
        int[] n = new int[1];
        assertThat(reader.drain((d, o, l) -> n[0]++, 4)).isEqualTo(4);
        assertThat(reader.drain((d, o, l) -> n[0]++, 4)).isEqualTo(2);
        assertThat(n[0]).isEqualTo(6);
    }

    @Test
    void memoryMustLookLikeARingBuffer() {
        ByteBuffer page = ByteBuffer.allocateDirect(4096);
        assertThatThrownBy(() -> RingBufferMemory.of(page, page, ByteBuffer.allocateDirect(3000)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RingBufferMemory.of(page, page, ByteBuffer.allocate(8192)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pooledBatchesComeBackAndCannotBeReleasedTwice() {
        EventBatchPool pool = new EventBatchPool(2, 64, 4);
        EventBatch a = pool.acquire();
        a.release();
        assertThat(pool.acquire()).isSameAs(a);
        a.release();
        assertThatThrownBy(a::release).isInstanceOf(IllegalStateException.class);
        assertThat(pool.allocated()).isEqualTo(1);
    }

    private static List<byte[]> collect(RingBufferReader reader) {
        List<byte[]> out = new ArrayList<>();
        reader.drain((data, offset, length) -> {
            byte[] b = new byte[length];
            data.get(offset, b);
            out.add(b);
        });
        return out;
    }
}
