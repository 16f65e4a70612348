package io.tracebee.bpf;

/**
 * Converts {@code bpf_ktime_get_ns()} timestamps (CLOCK_MONOTONIC) into Unix epoch nanoseconds. The offset is
 * measured once; re-calibrate periodically if wall-clock steps (NTP) matter.
 */
public final class MonotonicClock {
    private static final int SAMPLES = 7;

    private final long offsetNanos;
    private final long uncertaintyNanos;

    private MonotonicClock(long offsetNanos, long uncertaintyNanos) {
        this.offsetNanos = offsetNanos;
        this.uncertaintyNanos = uncertaintyNanos;
    }

    /** Measures realtime - monotonic, keeping the sample whose two monotonic reads were closest together. */
    public static MonotonicClock calibrate() {
        long bestWindow = Long.MAX_VALUE;
        long bestOffset = 0;
        for (int i = 0; i < SAMPLES; i++) {
            long[] c = Native.clocks();
            long window = c[2] - c[0];
            if (window < bestWindow) {
                bestWindow = window;
                bestOffset = c[1] - (c[0] + window / 2);
            }
        }
        return new MonotonicClock(bestOffset, bestWindow);
    }

    /** Current CLOCK_MONOTONIC in ns (the clock BPF programs timestamp with). */
    public static long monotonicNanos() {
        return Native.clocks()[0];
    }

    public long toEpochNanos(long monotonicNanos) {
        return monotonicNanos + offsetNanos;
    }

    /** CLOCK_REALTIME - CLOCK_MONOTONIC at calibration. */
    public long offsetNanos() {
        return offsetNanos;
    }

    /** Width of the measurement window; the offset is exact to about half of it. */
    public long uncertaintyNanos() {
        return uncertaintyNanos;
    }
}
