package io.tracebee.span;

import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * Converts the kernel's CLOCK_MONOTONIC timestamps (bpf_ktime_get_ns) to Unix-epoch nanoseconds.
 *
 * <p>The offset realtime - monotonic comes from a sampler and is re-sampled every 10 s because NTP
 * slews the realtime clock. The events' own timestamps say when 10 s have passed: reading the clock for every span
 * cost ~90 ns of the ~1 µs the read side spends per event on this machine (clock_gettime traps to the TSC of a
 * nested VM), so the clock is read only when an event's timestamp is 10 s past the last sample. The agent samples both clocks with clock_gettime through JNI
 * ({@code MonotonicClock}); {@link #javaClocks()} uses {@link System#nanoTime()}, which on Linux
 * reads the same CLOCK_MONOTONIC, for code that runs without the native library.
 */
public final class WallClock {
    private static final long RESAMPLE_NANOS = 10_000_000_000L;

    private final LongSupplier offsetSampler;
    private final long resampleNanos;
    private volatile long offsetNanos;
    private volatile long sampledAtMono;

    public WallClock(LongSupplier offsetSampler) {
        this(offsetSampler, RESAMPLE_NANOS);
    }

    WallClock(LongSupplier offsetSampler, long resampleNanos) {
        this.offsetSampler = offsetSampler;
        this.resampleNanos = resampleNanos;
        resample();
    }

    public static WallClock javaClocks() {
        return new WallClock(WallClock::javaOffset);
    }

    /** Epoch nanoseconds for a CLOCK_MONOTONIC reading. */
    public long toEpochNanos(long monotonicNanos) {
        // a timestamp from the future (a bad record) must not make every call read the clock: checked against it
        if (monotonicNanos - sampledAtMono > resampleNanos && System.nanoTime() - sampledAtMono > resampleNanos) {
            resample();
        }
        return monotonicNanos + offsetNanos;
    }

    private synchronized void resample() {
        offsetNanos = offsetSampler.getAsLong();
        sampledAtMono = System.nanoTime();
    }

    /** realtime - monotonic from the tightest of a few bracketed samples. */
    private static long javaOffset() {
        long bestWidth = Long.MAX_VALUE;
        long bestOffset = 0;
        for (int i = 0; i < 5; i++) {
            long before = System.nanoTime();
            Instant now = Instant.now();
            long width = System.nanoTime() - before;
            if (width < bestWidth) {
                bestWidth = width;
                bestOffset = now.getEpochSecond() * 1_000_000_000L + now.getNano() - (before + width / 2);
            }
        }
        return bestOffset;
    }
}
