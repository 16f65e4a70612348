package io.tracebee.bpf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sizes, field offsets and constants of the structs in {@code src/main/bpf/include/tracebee.h} as the C compiler
 * laid them out (exported by src/main/c/layout.c), so tests can check the Java decoder's constants against them.
 */
public final class EventLayoutNative {
    private static volatile Map<String, Integer> values;

    private EventLayoutNative() {
    }

    /** Keys: {@code "tb_event_header"} (sizeof), {@code "tb_event_header.start_ns"} (offsetof), {@code "TB_SPAN_ID_SIZE"}. */
    public static Map<String, Integer> all() {
        Map<String, Integer> v = values;
        if (v == null) {
            String[] keys = Native.layoutKeys();
            int[] vals = Native.layoutValues();
            Map<String, Integer> m = new LinkedHashMap<>();
            for (int i = 0; i < keys.length; i++) {
                m.put(keys[i], vals[i]);
            }
            v = Collections.unmodifiableMap(m);
            values = v;
        }
        return v;
    }

    public static int sizeOf(String struct) {
        return get(struct);
    }

    public static int offsetOf(String struct, String field) {
        return get(struct + "." + field);
    }

    public static int constant(String name) {
        return get(name);
    }

    private static int get(String key) {
        Integer v = all().get(key);
        if (v == null) {
            throw new IllegalArgumentException("layout.c exports no '" + key + "'; add it next to the header change");
        }
        return v;
    }
}
