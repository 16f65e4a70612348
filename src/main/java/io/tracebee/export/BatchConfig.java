package io.tracebee.export;

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
 */
public record BatchConfig(int maxQueueSize, int maxExportBatchSize, Duration scheduleDelay, Duration exportTimeout) {
    public static final int DEFAULT_MAX_QUEUE_SIZE = 2048;
    public static final int DEFAULT_MAX_EXPORT_BATCH_SIZE = 512;
    public static final Duration DEFAULT_SCHEDULE_DELAY = Duration.ofSeconds(1);
    public static final Duration DEFAULT_EXPORT_TIMEOUT = Duration.ofSeconds(30);

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
    }

    public static BatchConfig defaults() {
        return new BatchConfig(DEFAULT_MAX_QUEUE_SIZE, DEFAULT_MAX_EXPORT_BATCH_SIZE, DEFAULT_SCHEDULE_DELAY,
                DEFAULT_EXPORT_TIMEOUT);
    }

    /**
     * Reads {@code OTEL_BSP_MAX_QUEUE_SIZE}, {@code OTEL_BSP_MAX_EXPORT_BATCH_SIZE},
     * {@code OTEL_BSP_SCHEDULE_DELAY} and {@code OTEL_BSP_EXPORT_TIMEOUT} (milliseconds) over
     * {@code fallback}.
     */
    public static BatchConfig fromEnv(Map<String, String> env, BatchConfig fallback) {
        return new BatchConfig(
                OtelEnv.positiveInt(env, "OTEL_BSP_MAX_QUEUE_SIZE", fallback.maxQueueSize()),
                OtelEnv.positiveInt(env, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", fallback.maxExportBatchSize()),
                OtelEnv.millis("OTEL_BSP_SCHEDULE_DELAY", OtelEnv.get(env, "OTEL_BSP_SCHEDULE_DELAY"),
                        fallback.scheduleDelay()),
                OtelEnv.timeout("OTEL_BSP_EXPORT_TIMEOUT", OtelEnv.get(env, "OTEL_BSP_EXPORT_TIMEOUT"),
                        fallback.exportTimeout()));
    }

    public static BatchConfig fromEnv(Map<String, String> env) {
        return fromEnv(env, defaults());
    }
}
