package io.tracebee.span;

import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * What the assembler derives from text and bytes that recur from span to span (a request's host, a connection's
 * address, a span name made of method and route): kept for the last inputs met, in a small direct-mapped table, so
 * that the same input gives the same value without parsing or allocating again. A newcomer takes its slot. One
 * thread only, like the assembler.
 */
final class Recent<K, V> {
    private final Object[] keys;
    private final Object[] values;
    private final ToIntFunction<K> hash;
    private final BiPredicate<K, K> same;
    private final Function<K, V> make;

    /** @param slots a power of two */
    Recent(int slots, ToIntFunction<K> hash, BiPredicate<K, K> same, Function<K, V> make) {
        if (Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two: " + slots);
        }
        this.keys = new Object[slots];
        this.values = new Object[slots];
        this.hash = hash;
        this.same = same;
        this.make = make;
    }

    /** Values of text: by hash, then equality (which tries identity first). */
    static <V> Recent<String, V> ofText(int slots, Function<String, V> make) {
        return new Recent<>(slots, String::hashCode, String::equals, make);
    }

    @SuppressWarnings("unchecked")
    V get(K key) {
        int h = hash.applyAsInt(key);
        int i = (h ^ (h >>> 16)) & (keys.length - 1);
        Object k = keys[i];
        if (k != null && same.test((K) k, key)) {
            return (V) values[i];
        }
        V v = make.apply(key);
        keys[i] = key;
        values[i] = v;
        return v;
    }
}
