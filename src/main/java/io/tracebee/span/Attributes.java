package io.tracebee.span;

import java.nio.ByteBuffer;
import java.util.Arrays;
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
 *
 * <p>Kept as two parallel arrays, not a map: a span's dozen attributes are built once, on the pipeline
 * thread, and then only walked in order by the exporters ({@link #size()}, {@link #key(int)},
 * {@link #value(int)}); a map's entries, table and iterators cost more to build and to walk than the
 * lookups they would save (docs/BENCHMARKS.md, read side). {@link #asMap()} is a copy, made once, for
 * callers that want one.
 */
public final class Attributes {
    private static final String[] NO_KEYS = {};
    private static final Object[] NO_VALUES = {};
    private static final Attributes EMPTY = new Attributes(NO_KEYS, NO_VALUES, 0);

    /** Boxes of 16-bit values (ports, status codes: in every span), made on first use and shared. */
    private static final Long[] SMALL = new Long[1 << 16];

    private final String[] keys;
    private final Object[] values;
    private final int size;
    private int hash;
    private Map<String, Object> map;

    private Attributes(String[] keys, Object[] values, int size) {
        this.keys = keys;
        this.values = values;
        this.size = size;
    }

    private static Long boxed(long value) {
        if (value < 0 || value >= SMALL.length) {
            return value;
        }
        Long box = SMALL[(int) value];
        if (box == null) {
            box = value;
            SMALL[(int) value] = box;  // a race makes two equal boxes, harmless
        }
        return box;
    }

    public static Attributes empty() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int size() {
        return size;
    }

    /** The key of the i-th attribute, in insertion order. */
    public String key(int i) {
        return keys[checkIndex(i)];
    }

    /** The value of the i-th attribute, in insertion order. */
    public Object value(int i) {
        return values[checkIndex(i)];
    }

    private int checkIndex(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException(i);
        }
        return i;
    }

    /** The attributes as an unmodifiable map in insertion order (made on first call). */
    public Map<String, Object> asMap() {
        Map<String, Object> m = map;
        if (m == null) {
            LinkedHashMap<String, Object> copy = new LinkedHashMap<>(size * 2);
            for (int i = 0; i < size; i++) {
                copy.put(keys[i], values[i]);
            }
            m = size == 0 ? Map.of() : Collections.unmodifiableMap(copy);
            map = m;
        }
        return m;
    }

    public Object get(String key) {
        int i = indexOf(keys, size, key);
        return i < 0 ? null : values[i];
    }

    /** Keys are mostly constants, whose hash codes the strings keep: compare those before the text. */
    private static int indexOf(String[] keys, int size, String key) {
        int h = key.hashCode();
        for (int i = 0; i < size; i++) {
            String k = keys[i];
            if (k == key || (k.hashCode() == h && k.equals(key))) {
                return i;
            }
        }
        return -1;
    }

    /** Equal when they hold the same keys with equal values, in any order (as maps compare). */
    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof Attributes a) || a.size != size || a.hashCode() != hashCode()) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            int j = indexOf(a.keys, a.size, keys[i]);
            if (j < 0 || !values[i].equals(a.values[j])) {
                return false;
            }
        }
        return true;
    }

    /** A map's hash code (the sum over entries of key hash xor value hash), kept once computed. */
    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0 && size > 0) {
            for (int i = 0; i < size; i++) {
                h += keys[i].hashCode() ^ values[i].hashCode();
            }
            hash = h;
        }
        return h;
    }

    @Override
    public String toString() {
        return asMap().toString();
    }

    /**
     * Collects attributes in insertion order; a null value leaves the key out, a key put again keeps its place
     * and takes the new value. One use: {@link #build()} hands its arrays to the attributes instead of copying
     * them.
     */
    public static final class Builder {
        /** An HTTP server span's dozen attributes fit without growing. */
        private String[] keys = new String[12];
        private Object[] values = new Object[12];
        private int size;
        private long seen;

        public Builder put(String key, String value) {
            if (value != null) {
                set(key, value);
            }
            return this;
        }

        public Builder put(String key, long value) {
            return set(key, boxed(value));
        }

        public Builder put(String key, double value) {
            return set(key, value);
        }

        public Builder put(String key, boolean value) {
            return set(key, value);
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
                set(key, List.copyOf(value));
            }
            return this;
        }

        /** Bytes, copied (OTLP's {@code bytes_value}). */
        public Builder putBytes(String key, byte[] value) {
            if (value != null) {
                set(key, ByteBuffer.wrap(value.clone()).asReadOnlyBuffer());
            }
            return this;
        }

        /** A nested key-value list (OTLP's {@code kvlist_value}). */
        public Builder put(String key, Attributes value) {
            if (value != null) {
                set(key, value);
            }
            return this;
        }

        public Builder putAll(Attributes other) {
            for (int i = 0; i < other.size; i++) {
                set(other.keys[i], other.values[i]);
            }
            return this;
        }

        private Builder set(String key, Object value) {
            if (keys == null) {
                throw new IllegalStateException("attributes already built");
            }
            // one bit per key hash seen: a key whose bit is clear is new without a scan (nearly every put)
            long bit = 1L << java.util.Objects.requireNonNull(key, "attribute key").hashCode();
            if ((seen & bit) != 0) {
                int i = indexOf(keys, size, key);
                if (i >= 0) {
                    values[i] = value;
                    return this;
                }
            }
            seen |= bit;
            if (size == keys.length) {
                keys = Arrays.copyOf(keys, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            keys[size] = key;
            values[size++] = value;
            return this;
        }

        public Attributes build() {
            if (keys == null) {
                throw new IllegalStateException("attributes already built");
            }
            Attributes built = size == 0 ? EMPTY : new Attributes(keys, values, size);
            keys = null;
            values = null;
            return built;
        }
    }
}
