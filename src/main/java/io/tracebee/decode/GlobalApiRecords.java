package io.tracebee.decode;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.atomic.LongAdder;

/**
 * Joins the records of a span made through the OpenTelemetry global API with no SDK ({@code global_api.bpf.c}:
 * one record per call on the span, {@code enum tb_global_item}) into one {@link ManualSpanEvent} whose body is
 * the records in the order the calls were made, from the START record to the END record; its header is the
 * START record's with the END record's end time. Calls on one span are ordered by the application (a span's
 * methods are not called concurrently with its End), and the ring buffer keeps that order across CPUs.
 *
 * <p>A record with no START before it (lost in a full ring, or the span began before the probe was attached) is
 * dropped; a span whose START was seen but which lost a record keeps what arrived. At most {@link #MAX_OPEN}
 * spans are open at once: the oldest is dropped and counted as unended to make room (a span the application
 * never ends would otherwise stay forever), and a span keeps at most {@link #MAX_BODY} bytes of records: calls
 * past that are left out and the span is marked truncated. Used by the decoder's single reader thread only.
 */
final class GlobalApiRecords {
    static final int MAX_OPEN = 16_384;
    /** Record bytes kept for one span; later records (but END) are left out and the span marked truncated. */
    static final int MAX_BODY = 1 << 20;

    private record Key(int pid, long spanId) {
    }

    private static final class Open {
        final EventHeader start;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean truncated;

        Open(EventHeader start) {
            this.start = start;
        }
    }

    private final LongAdder incomplete = new LongAdder();
    private final LongAdder unended = new LongAdder();
    private final BoundedMap<Key, Open> open = new BoundedMap<>(MAX_OPEN, unended);

    /** The span this record ends, or null. */
    ManualSpanEvent add(ManualSpanEvent record) {
        byte[] body = record.body();
        if (body.length == 0) {
            return null;
        }
        EventHeader h = record.header();
        Key key = new Key(h.pid(), spanId(h));
        int first = body[0] & 0xff;
        Open span;
        if (first == EventLayout.GI_START) {
            if (open.remove(key) != null) {
                incomplete.increment();
            }
            span = new Open(h);
            open.put(key, span);
        } else {
            span = open.get(key);
            if (span == null) {
                incomplete.increment();
                return null;
            }
        }
        if (first != EventLayout.GI_END && span.body.size() + body.length > MAX_BODY) {
            span.truncated = true;
        } else {
            span.body.writeBytes(body);
        }
        if (first != EventLayout.GI_END) {
            return null;
        }
        open.remove(key);
        EventHeader s = span.start;
        EventHeader whole = EventHeader.of(s.kind(), s.pid(), s.tid(), s.startNs(), h.endNs(), s.goroutine(),
                s.target(), s.traceId(), s.spanId(), s.traceFlags(), s.parentSpanId(), s.parentOrigin());
        return new ManualSpanEvent(whole, EventLayout.MANUAL_GLOBAL_API, span.body.toByteArray(), span.truncated, false);
    }

    /** Drops the open spans of process pid, which is gone (they will never end); returns how many. */
    int forget(int pid) {
        return open.removeKeys(k -> k.pid() == pid);
    }

    /** Open spans of process pid. */
    int openOf(int pid) {
        return open.countKeys(k -> k.pid() == pid);
    }

    /** Records that arrived without their span's START. */
    long incomplete() {
        return incomplete.sum();
    }

    /** Spans dropped to make room before they ended. */
    long unended() {
        return unended.sum();
    }

    private static long spanId(EventHeader h) {
        long id = 0;
        for (byte b : h.spanId()) {
            id = id << 8 | (b & 0xff);
        }
        return id;
    }

}
