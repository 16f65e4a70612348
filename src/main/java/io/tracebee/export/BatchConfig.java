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
 * @param retryMaxElapsed how long a batch whose export failed transiently (receiver unreachable) is kept in the
 *        queue and tried again before it is dropped; zero drops it at the first failure
 */
public record BatchConfig(int maxQueueSize, int maxExportBatchSize, Duration scheduleDelay, Duration exportTimeout,
        Duration retryMaxElapsed) {
    public static final int DEFAULT_MAX_QUEUE_SIZE = 2048;
    public static final int DEFAULT_MAX_EXPORT_BATCH_SIZE = 512;
    public static final Duration DEFAULT_SCHEDULE_DELAY = Duration.ofSeconds(1);
    public static final Duration DEFAULT_EXPORT_TIMEOUT = Duration.ofSeconds(30);
    /** As the Collector's exporters (retry_on_failure.max_elapsed_time): five minutes. */
    public static final Duration DEFAULT_RETRY_MAX_ELAPSED = Duration.ofMinutes(5);

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
        return new BatchConfig(DEFAULT_MAX_QUEUE_SIZE, DEFAULT_MAX_EXPORT_BATCH_SIZE, DEFAULT_SCHEDULE_DELAY,
                DEFAULT_EXPORT_TIMEOUT, DEFAULT_RETRY_MAX_ELAPSED);
    }

    public BatchConfig withRetryMaxElapsed(Duration retryMaxElapsed) {
        return new BatchConfig(maxQueueSize, maxExportBatchSize, scheduleDelay, exportTimeout, retryMaxElapsed);
    }

    /**
     * Reads {@code OTEL_BSP_MAX_QUEUE_SIZE}, {@code OTEL_BSP_MAX_EXPORT_BATCH_SIZE},
     * {@code OTEL_BSP_SCHEDULE_DELAY}, {@code OTEL_BSP_EXPORT_TIMEOUT} and
     * {@code TRACEBEE_EXPORT_RETRY_MAX_ELAPSED} (milliseconds) over {@code fallback}.
     */
    public static BatchConfig fromEnv(Map<String, String> env, BatchConfig fallback) {
        return new BatchConfig(
                OtelEnv.positiveInt(env, "OTEL_BSP_MAX_QUEUE_SIZE", fallback.maxQueueSize()),
                OtelEnv.positiveInt(env, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", fallback.maxExportBatchSize()),
                OtelEnv.millis("OTEL_BSP_SCHEDULE_DELAY", OtelEnv.get(env, "OTEL_BSP_SCHEDULE_DELAY"),
                        fallback.scheduleDelay()),
                OtelEnv.timeout("OTEL_BSP_EXPORT_TIMEOUT", OtelEnv.get(env, "OTEL_BSP_EXPORT_TIMEOUT"),
                        fallback.exportTimeout()),
                OtelEnv.millis("TRACEBEE_EXPORT_RETRY_MAX_ELAPSED", OtelEnv.get(env, "TRACEBEE_EXPORT_RETRY_MAX_ELAPSED"),
                        fallback.retryMaxElapsed()));
    }

    public static BatchConfig fromEnv(Map<String, String> env) {
        return fromEnv(env, defaults());
    }
}
