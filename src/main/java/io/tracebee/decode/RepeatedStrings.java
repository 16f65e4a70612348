package io.tracebee.decode;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Strings of event fields whose values repeat from event to event (HTTP methods, route patterns, hosts, schemes, gRPC
 * methods and authorities, Redis addresses, Kafka topics and groups): the String decoded for a byte sequence the last
 * time is handed out again instead of a new one (docs/BENCHMARKS.md, read side). A direct-mapped table of 512 slots: a
 * collision just replaces the slot. Only ASCII sequences are kept (UTF-8 and ISO-8859-1 read them alike). Not for
 * fields that differ per event (paths, peer addresses): a miss costs a key copy. One thread: the one reading the
 * events' fields (the agent's pipeline thread, through {@link RecordView}).
 */
final class RepeatedStrings {
    private static final int SLOTS = 512;
    private final byte[][] keys = new byte[SLOTS][];
    private final String[] values = new String[SLOTS];

    /** The string of {@code d[at, at + len)} in charset, reused when the same ASCII bytes were seen last in its slot. */
    String get(byte[] d, int at, int len, Charset charset) {
        if (len == 0) {
            return "";
        }
        int h = len;
        for (int i = at, end = at + len; i < end; i++) {
            byte b = d[i];
            if (b < 0) {
                return new String(d, at, len, charset);
            }
            h = 31 * h + b;
        }
        int slot = (h ^ (h >>> 9)) & (SLOTS - 1);
        byte[] key = keys[slot];
        if (key != null && Arrays.equals(key, 0, key.length, d, at, at + len)) {
            return values[slot];
        }
        String s = new String(d, at, len, StandardCharsets.ISO_8859_1);
        keys[slot] = Arrays.copyOfRange(d, at, at + len);
        values[slot] = s;
        return s;
    }
}
