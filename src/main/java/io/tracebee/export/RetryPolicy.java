package io.tracebee.export;

import java.time.Duration;

/**
 * Exponential backoff with jitter for retryable OTLP failures, bounded by attempts and by total time.
 *
 * @param maxAttempts total calls including the first (1 disables retries)
 * @param initialBackoff delay before the first retry, before jitter
 * @param maxBackoff upper bound of one delay
 * @param multiplier growth of the delay per retry
 * @param maxElapsed no retry is scheduled that would start later than this after the first call
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier,
        Duration maxElapsed) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1: " + maxAttempts);
        }
        if (multiplier < 1.0) {
            throw new IllegalArgumentException("multiplier must be >= 1: " + multiplier);
        }
    }

    /** The OpenTelemetry SDK defaults: 5 attempts, 1 s initial, 5 s max, x1.5; at most 30 s in all. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofSeconds(5), 1.5, Duration.ofSeconds(30));
    }

    public static RetryPolicy disabled() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 1.0, Duration.ZERO);
    }

    /** Delay before retry number {@code retry} (1-based), without jitter. */
    Duration backoff(int retry) {
        double nanos = initialBackoff.toNanos() * Math.pow(multiplier, retry - 1);
        return Duration.ofNanos((long) Math.min(nanos, maxBackoff.toNanos()));
    }
}
