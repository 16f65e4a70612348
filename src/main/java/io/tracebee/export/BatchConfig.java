package io.tracebee.export;

import io.tracebee.config.Knob;
import io.tracebee.config.Settings;
import java.time.Duration;
import java.util.Map;

/**
 * Queueing and batching limits of one {@link BatchSpanProcessor}, named after the OpenTelemetry
 * BatchSpanProcessor settings.
 *
 * @param maxQueueSize spans waiting per exporter; more are dropped ({@code queue_full})
 * @param maxExportBatchSize spans per export call; a full batch is sent without waiting
 * @param scheduleDelay longest wait before a non-full batch is sent
 * @param exportTimeout longest one export call may take, retries included
 * @param retryMaxElapsed how long a batch whose export failed transiently (receiver unreachable) is kept in the
 *        queue and tried again before it is dropped; zero drops it at the first failure
 */
public record BatchConfig(int maxQueueSize, int maxExportBatchSize, Duration scheduleDelay, Duration exportTimeout,
        Duration retryMaxElapsed) {
    private static final Settings DEFAULTS = Settings.of(Map.of());
    public static final Duration DEFAULT_SCHEDULE_DELAY = DEFAULTS.getMillis(Knob.BSP_SCHEDULE_DELAY);
    public static final Duration DEFAULT_EXPORT_TIMEOUT = DEFAULTS.getMillis(Knob.BSP_EXPORT_TIMEOUT);
    /** As the Collector's exporters (retry_on_failure.max_elapsed_time): five minutes. */
    public static final Duration DEFAULT_RETRY_MAX_ELAPSED = DEFAULTS.getMillis(Knob.EXPORT_RETRY_MAX_ELAPSED);
    static final Duration NO_LIMIT = Duration.ofDays(365);

    public BatchConfig {
        if (maxQueueSize <= 0 || maxExportBatchSize <= 0) {
            throw new IllegalArgumentException("queue and batch sizes must be positive");
        }
        // As in the OTel SDK: a batch never exceeds what the queue can hold.
        maxExportBatchSize = Math.min(maxExportBatchSize, maxQueueSize);
        if (scheduleDelay == null || scheduleDelay.isNegative()) {
            scheduleDelay = DEFAULT_SCHEDULE_DELAY;
        }
        if (exportTimeout == null || exportTimeout.isNegative() || exportTimeout.isZero()) {
            exportTimeout = DEFAULT_EXPORT_TIMEOUT;
        }
        if (retryMaxElapsed == null || retryMaxElapsed.isNegative()) {
            retryMaxElapsed = DEFAULT_RETRY_MAX_ELAPSED;
        }
    }

    /** Transient failures retried for {@link #DEFAULT_RETRY_MAX_ELAPSED}. */
    public BatchConfig(int maxQueueSize, int maxExportBatchSize, Duration scheduleDelay, Duration exportTimeout) {
        this(maxQueueSize, maxExportBatchSize, scheduleDelay, exportTimeout, DEFAULT_RETRY_MAX_ELAPSED);
    }

    public static BatchConfig defaults() {
        return fromEnv(Map.of());
    }

    public BatchConfig withRetryMaxElapsed(Duration retryMaxElapsed) {
        return new BatchConfig(maxQueueSize, maxExportBatchSize, scheduleDelay, exportTimeout, retryMaxElapsed);
    }

    /**
     * Reads {@code OTEL_BSP_MAX_QUEUE_SIZE}, {@code OTEL_BSP_MAX_EXPORT_BATCH_SIZE}, {@code OTEL_BSP_SCHEDULE_DELAY},
     * {@code OTEL_BSP_EXPORT_TIMEOUT} (milliseconds; 0: no limit) and {@code TRACEBEE_EXPORT_RETRY_MAX_ELAPSED}
     * as {@link Settings} reads them.
     */
    public static BatchConfig fromEnv(Map<String, String> env) {
        Settings s = Settings.of(env);
        return new BatchConfig(s.getInt(Knob.BSP_MAX_QUEUE_SIZE), s.getInt(Knob.BSP_MAX_EXPORT_BATCH_SIZE),
                s.getMillis(Knob.BSP_SCHEDULE_DELAY), noLimitIfZero(s.getMillis(Knob.BSP_EXPORT_TIMEOUT)),
                s.getMillis(Knob.EXPORT_RETRY_MAX_ELAPSED));
    }

    /** Timeouts where the OpenTelemetry specification reads 0 as "no limit". */
    static Duration noLimitIfZero(Duration timeout) {
        return timeout.isZero() ? NO_LIMIT : timeout;
    }
}
