package io.tracebee.decode;

import static io.tracebee.decode.EventDecoder.INT;
import static io.tracebee.decode.EventDecoder.LONG;
import static io.tracebee.decode.EventDecoder.SHORT;
import static io.tracebee.decode.EventLayout.H_SC;
import static io.tracebee.decode.EventLayout.MANUAL_CHUNK;
import static io.tracebee.decode.EventLayout.MANUAL_COUNT;
import static io.tracebee.decode.EventLayout.MANUAL_DATA;
import static io.tracebee.decode.EventLayout.MANUAL_FLAGS;
import static io.tracebee.decode.EventLayout.MANUAL_FLAG_NO_START;
import static io.tracebee.decode.EventLayout.MANUAL_INDEX;
import static io.tracebee.decode.EventLayout.MANUAL_LEN;
import static io.tracebee.decode.EventLayout.MANUAL_SOURCE;
import static io.tracebee.decode.EventLayout.MANUAL_TOTAL_LEN;
import static io.tracebee.decode.EventLayout.SC_SPAN_ID;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.atomic.LongAdder;

/**
 * Joins the chunks of manual spans ({@code struct tb_manual_span_event}) into whole {@link ManualSpanEvent}s.
 * One program run sends a span's chunks in order, on one thread, so chunk 0 opens a body and chunk
 * {@code count - 1} closes it; other bodies' chunks may come in between (other CPUs). A record holds only
 * its chunk's {@code len} data bytes (the global-API probe sends no more). A span missing a chunk (the ring was full) is
 * dropped and counted, never delivered with a hole. At most {@link #MAX_OPEN} spans are open at once: the
 * oldest is dropped (counted) to make room. Used by the decoder's single reader thread only.
 */
final class ManualSpanChunks {
    static final int MAX_OPEN = 256;

    private record Key(int pid, int tid, long spanId) {
    }

    private static final class Open {
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        int next;
    }

    private final LongAdder incomplete = new LongAdder();
    private final BoundedMap<Key, Open> open = new BoundedMap<>(MAX_OPEN, incomplete);

    /** The span this chunk completes, or null (a chunk in the middle, or one of a span already dropped). */
    ManualSpanEvent add(byte[] d, int off, int recordLen, EventHeader h) {
        int total = (int) INT.get(d, off + MANUAL_TOTAL_LEN);
        int index = Short.toUnsignedInt((short) SHORT.get(d, off + MANUAL_INDEX));
        int count = Short.toUnsignedInt((short) SHORT.get(d, off + MANUAL_COUNT));
        int len = Math.max(0, Math.min((int) INT.get(d, off + MANUAL_LEN), Math.min(MANUAL_CHUNK, recordLen - MANUAL_DATA)));
        Key key = new Key(h.pid(), h.tid(), (long) LONG.get(d, off + H_SC + SC_SPAN_ID));
        Open span;
        if (index == 0) {
            if (open.remove(key) != null) {
                incomplete.increment();
            }
            span = new Open();
            if (count > 1) {
                    open.put(key, span);
            }
        } else {
            span = open.get(key);
            if (span == null) {
                return null;  // its start was dropped and counted
            }
            if (span.next != index) {
                open.remove(key);
                incomplete.increment();
                return null;
            }
        }
        span.body.write(d, off + MANUAL_DATA, len);
        span.next = index + 1;
        if (index < count - 1) {
            return null;
        }
        open.remove(key);
        byte[] body = span.body.toByteArray();
        return new ManualSpanEvent(h, Byte.toUnsignedInt(d[off + MANUAL_SOURCE]), body,
                Integer.toUnsignedLong(total) > body.length, (d[off + MANUAL_FLAGS] & MANUAL_FLAG_NO_START) != 0);
    }

    /** Drops the partly received spans of process pid, which is gone; returns how many. */
    int forget(int pid) {
        return open.removeKeys(k -> k.pid() == pid);
    }

    /** Partly received spans of process pid. */
    int openOf(int pid) {
        return open.countKeys(k -> k.pid() == pid);
    }

    /** Spans dropped because a chunk never came. */
    long incomplete() {
        return incomplete.sum();
    }

}
