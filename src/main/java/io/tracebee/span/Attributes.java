package io.tracebee.span;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ordered, immutable span or resource attributes, holding every OTLP {@code AnyValue} type: String,
 * Long, Double, Boolean; an unmodifiable List of one of those four (an array, as the OpenTelemetry APIs
 * make them: all elements of one type); a read-only ByteBuffer (bytes, compared by content; read it
 * through {@code duplicate()}); nested Attributes (a key-value list). The builder accepts nothing else,
 * so exporters never meet a surprise.
 */
public final class Attributes {
    private static final Attributes EMPTY = new Attributes(Map.of());

    private final Map<String, Object> values;

    private Attributes(Map<String, Object> values) {
        this.values = values;
    }

    public static Attributes empty() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Map<String, Object> asMap() {
        return values;
    }

    public Object get(String key) {
        return values.get(key);
    }

    public int size() {
        return values.size();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Attributes a && a.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }

    /**
     * Collects attributes in insertion order; a null value leaves the key out. One use: {@link #build()}
     * hands its map to the attributes instead of copying it (one span, one map).
     */
    public static final class Builder {
        private LinkedHashMap<String, Object> values = new LinkedHashMap<>();

        public Builder put(String key, String value) {
            if (value != null) {
                values.put(key, value);
            }
            return this;
        }

        public Builder put(String key, long value) {
            values.put(key, value);
            return this;
        }

        public Builder put(String key, double value) {
            values.put(key, value);
            return this;
        }

        public Builder put(String key, boolean value) {
            values.put(key, value);
            return this;
        }

        public Builder putStringArray(String key, List<String> value) {
            return putList(key, value);
        }

        public Builder putBooleanArray(String key, List<Boolean> value) {
            return putList(key, value);
        }

        public Builder putLongArray(String key, List<Long> value) {
            return putList(key, value);
        }

        public Builder putDoubleArray(String key, List<Double> value) {
            return putList(key, value);
        }

        private Builder putList(String key, List<?> value) {
            if (value != null) {
                values.put(key, List.copyOf(value));
            }
            return this;
        }

        /** Bytes, copied (OTLP's {@code bytes_value}). */
        public Builder putBytes(String key, byte[] value) {
            if (value != null) {
                values.put(key, ByteBuffer.wrap(value.clone()).asReadOnlyBuffer());
            }
            return this;
        }

        /** A nested key-value list (OTLP's {@code kvlist_value}). */
        public Builder put(String key, Attributes value) {
            if (value != null) {
                values.put(key, value);
            }
            return this;
        }

        public Builder putAll(Attributes other) {
            values.putAll(other.values);
            return this;
        }

        public Attributes build() {
            if (values == null) {
                throw new IllegalStateException("attributes already built");
            }
            Map<String, Object> built = values;
            values = null;
            return built.isEmpty() ? EMPTY : new Attributes(Collections.unmodifiableMap(built));
        }
    }
}
