package io.tracebee.decode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/** An insertion-ordered map that drops its oldest entry, counting it, once it holds more than {@code max}. */
public final class BoundedMap<K, V> extends LinkedHashMap<K, V> {
    private final int max;
    private final LongAdder evicted;

    public BoundedMap(int max, LongAdder evicted) {
        this.max = max;
        this.evicted = evicted;
    }

    /** Removes the entries whose key matches (not counted as evicted); returns how many. */
    public int removeKeys(Predicate<? super K> match) {
        int before = size();
        keySet().removeIf(match);
        return before - size();
    }

    /** How many keys match. */
    public int countKeys(Predicate<? super K> match) {
        return (int) keySet().stream().filter(match).count();
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        if (size() <= max) {
            return false;
        }
        evicted.increment();
        return true;
    }
}
