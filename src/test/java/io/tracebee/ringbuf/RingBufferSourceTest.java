package io.tracebee.ringbuf;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.helpers.test.AssertSubscriber;

/** The reader thread and the Multi contract on a hand-built ring. */
class RingBufferSourceTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Stands in for epoll: the test "producer" wakes it after writing. */
    static final class TestWaiter implements RingBufferWaiter {
        private final Semaphore permits = new Semaphore(0);

        @Override
        public void await(int timeoutMillis) {
            try {
                permits.tryAcquire(timeoutMillis < 0 ? Long.MAX_VALUE : timeoutMillis, TimeUnit.MILLISECONDS);
                permits.drainPermits();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void wakeup() {
            permits.release();
        }
    }

    private static RingBufferSource source(TestRing ring, TestWaiter waiter, AutoCloseable resource) {
        return new RingBufferSource(ring.memory(), waiter,
                RingBufferSource.Options.defaults().withPollTimeoutMillis(1000).withMaxBatchBytes(1024), resource);
    }

    @Test
    void emitsEveryRecordInOrderAndCompletesOnClose() {
        TestRing ring = new TestRing(8192);
        TestWaiter waiter = new TestWaiter();
        AtomicBoolean resourceClosed = new AtomicBoolean();
        RingBufferSource source = source(ring, waiter, () -> resourceClosed.set(true));
        List<byte[]> seen = new ArrayList<>();
        AssertSubscriber<EventBatch> sub = source.batches()
                .invoke(b -> {
                    for (int i = 0; i < b.count(); i++) {
                        seen.add(b.copyOf(i));
                    }
                    b.release();
                })
                .subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        source.start();

        int produced = 0;
        for (int round = 0; round < 20; round++) {
            for (int k = 0; k < 30; k++) {
                byte[] p = TestRing.payload(produced, 64);
                while (!ring.submit(p)) {
                    Thread.onSpinWait();
                }
                produced++;
            }
            waiter.wakeup();
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (source.recordsRead() < produced && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        source.close();
        sub.awaitCompletion(TIMEOUT);

        assertThat(seen).hasSize(produced);
        for (int i = 0; i < produced; i++) {
            assertThat(seen.get(i)).isEqualTo(TestRing.payload(i, 64));
        }
        assertThat(source.droppedRecords()).isZero();
        assertThat(source.emittedBatches()).isEqualTo(sub.getItems().size());
        assertThat(resourceClosed).isTrue();
        assertThat(source.batchesAllocated()).isLessThanOrEqualTo(2);
    }

    @Test
    void withoutDemandRecordsWaitInTheRingUntilRequested() throws InterruptedException {
        TestRing ring = new TestRing(4096);
        TestWaiter waiter = new TestWaiter();
        RingBufferSource source = source(ring, waiter, null);
        AssertSubscriber<EventBatch> sub = source.batches().subscribe().withSubscriber(AssertSubscriber.create(0));
        source.start();

        for (int i = 0; i < 10; i++) {
            ring.submit(TestRing.payload(i, 40));
        }
        waiter.wakeup();
        Thread.sleep(50);
        assertThat(source.recordsRead()).isZero();
        assertThat(source.droppedRecords()).isZero();
        assertThat(ring.consumerPosition()).isLessThan(ring.producerPosition());

        sub.request(1);
        sub.awaitItems(1, TIMEOUT);
        EventBatch batch = sub.getItems().get(0);
        assertThat(batch.count()).isEqualTo(10);
        assertThat(batch.copyOf(0)).isEqualTo(TestRing.payload(0, 40));
        assertThat(batch.copyOf(9)).isEqualTo(TestRing.payload(9, 40));
        assertThat(source.droppedRecords()).isZero();

        source.close();
        sub.awaitCompletion(TIMEOUT);
    }

    @Test
    void runsWithoutSubscriberAndServesOneSubscriberAtATime() {
        TestRing ring = new TestRing(4096);
        TestWaiter waiter = new TestWaiter();
        try (RingBufferSource source = source(ring, waiter, null)) {
            source.start();
            ring.submit(TestRing.payload(0, 8));
            waiter.wakeup();
            awaitRead(source, 1);
            assertThat(source.droppedRecords()).isEqualTo(1);

            AssertSubscriber<EventBatch> first = source.batches().subscribe().withSubscriber(AssertSubscriber.create(1));
            AssertSubscriber<EventBatch> second = source.batches().subscribe().withSubscriber(AssertSubscriber.create(1));
            second.assertFailedWith(IllegalStateException.class, "one subscriber");
            first.cancel();
            AssertSubscriber<EventBatch> third = source.batches().subscribe().withSubscriber(AssertSubscriber.create(1));
            ring.submit(TestRing.payload(1, 8));
            waiter.wakeup();
            third.awaitItems(1, TIMEOUT);
        }
    }

    @Test
    void closingAnUnstartedSourceCompletesAndLaterSubscribersCompleteAtOnce() {
        TestRing ring = new TestRing(4096);
        RingBufferSource source = source(ring, new TestWaiter(), null);
        AssertSubscriber<EventBatch> sub = source.batches().subscribe().withSubscriber(AssertSubscriber.create(1));
        source.close();
        source.close();
        sub.assertCompleted();
        source.batches().subscribe().withSubscriber(AssertSubscriber.create(1)).assertCompleted();
    }

    private static void awaitRead(RingBufferSource source, long records) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (source.recordsRead() < records) {
            assertThat(System.nanoTime()).as("records read in time").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
