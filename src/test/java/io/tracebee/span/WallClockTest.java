package io.tracebee.span;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The offset is re-sampled when an event's timestamp (and the clock) say the interval has passed, not per call. */
class WallClockTest {
    private static final long INTERVAL = 200_000_000L;

    @Test
    void resamplesOnlyWhenEventsAndTheClockAreAnIntervalPastTheLastSample() throws InterruptedException {
        AtomicLong samples = new AtomicLong();
        WallClock clock = new WallClock(() -> 1_000L * samples.incrementAndGet(), INTERVAL);
        long now = System.nanoTime();
        // read before asserting: the first assertion loads classes for longer than an interval
        long first = clock.toEpochNanos(now);
        long next = clock.toEpochNanos(now + 1);
        long ahead = clock.toEpochNanos(now + 10 * INTERVAL);  // a bad record's timestamp, the clock has not moved on
        long samplesBefore = samples.get();
        assertThat(first).isEqualTo(now + 1_000);
        assertThat(next).isEqualTo(now + 1 + 1_000);
        assertThat(ahead).isEqualTo(now + 10 * INTERVAL + 1_000);
        assertThat(samplesBefore).isEqualTo(1);

        Thread.sleep(INTERVAL / 1_000_000 + 20);
        assertThat(clock.toEpochNanos(now)).as("a request that began before the interval passed").isEqualTo(now + 1_000);
        assertThat(samples).hasValue(1);
        long later = System.nanoTime();
        assertThat(clock.toEpochNanos(later)).isEqualTo(later + 2_000);
        assertThat(clock.toEpochNanos(later + 5)).isEqualTo(later + 5 + 2_000);
        assertThat(samples).hasValue(2);
    }
}
