package io.tracebee.decode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** An insertion-ordered map that drops its oldest entry, counting it, once it holds more than {@code max}. */
public final class BoundedMap<K, V> extends LinkedHashMap<K, V> {
    private final int max;
    private final LongAdder evicted;

    public BoundedMap(int max, LongAdder evicted) {
        this.max = max;
        this.evicted = evicted;
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
