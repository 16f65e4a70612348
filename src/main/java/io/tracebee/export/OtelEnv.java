package io.tracebee.export;

import java.time.Duration;
import java.util.Map;
import org.jboss.logging.Logger;

/** Reads OTEL_* settings from an environment map: blank means unset, bad numbers fall back loudly. */
final class OtelEnv {
    private static final Logger LOG = Logger.getLogger(OtelEnv.class);

    private OtelEnv() {
    }

    static String get(Map<String, String> env, String key) {
        String value = env.get(key);
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** {@code OTEL_EXPORTER_OTLP_TRACES_<suffix>}, else {@code OTEL_EXPORTER_OTLP_<suffix>}. */
    static String otlp(Map<String, String> env, String suffix) {
        String specific = get(env, "OTEL_EXPORTER_OTLP_TRACES_" + suffix);
        return specific != null ? specific : get(env, "OTEL_EXPORTER_OTLP_" + suffix);
    }

    static Duration millis(String key, String value, Duration fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            long ms = Long.parseLong(value);
            if (ms < 0) {
                throw new NumberFormatException("negative");
            }
            return Duration.ofMillis(ms);
        } catch (NumberFormatException e) {
            LOG.warnf("Ignoring %s=%s: not a number of milliseconds; using %d ms", key, value, fallback.toMillis());
            return fallback;
        }
    }

    /** Timeouts where the OTel spec reads 0 as "no limit". */
    static Duration timeout(String key, String value, Duration fallback) {
        Duration d = millis(key, value, fallback);
        return d.isZero() ? NO_LIMIT : d;
    }

    static final Duration NO_LIMIT = Duration.ofDays(365);

    static int positiveInt(Map<String, String> env, String key, int fallback) {
        String value = get(env, key);
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value);
            if (n <= 0) {
                throw new NumberFormatException("not positive");
            }
            return n;
        } catch (NumberFormatException e) {
            LOG.warnf("Ignoring %s=%s: not a positive integer; using %d", key, value, fallback);
            return fallback;
        }
    }
}
