package io.tracebee.span;

import io.tracebee.correlate.CorrelatedEvent;
import io.tracebee.decode.EventHeader;
import io.tracebee.decode.EventLayout;
import io.tracebee.decode.ManualSpanEvent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Spans the application made through the OpenTelemetry global API with no SDK registered, rebuilt from the
 * records of the calls made on them ({@code global_api.bpf.c}, {@code enum tb_global_item} in tracebee.h): the
 * START record's name, kind, attributes, links and start time, then every later call in order, up to End. What
 * the OpenTelemetry Go SDK would have recorded for the same calls is what comes out: a name set later wins, a
 * status of Unset is ignored and an Ok one is final, a description is kept only with Error, RecordError is an
 * {@code exception} event with {@code exception.type} and {@code exception.message}.
 *
 * <p>A cut record (an item that runs past the body) ends the reading there; what came before is kept. A span
 * whose calls outgrew what the decoder keeps carries {@code tracebee.span.truncated=true}.
 */
final class GlobalApiSpans {

    /** attribute.Type */
    static final int BOOL = 1;
    static final int INT64 = 2;
    static final int FLOAT64 = 3;
    static final int STRING = 4;
    static final int BOOLSLICE = 5;
    static final int INT64SLICE = 6;
    static final int FLOAT64SLICE = 7;
    static final int STRINGSLICE = 8;
    static final int BYTESLICE = 9;

    /** go.opentelemetry.io/otel/codes: Unset 0, Error 1, Ok 2. */
    private static final int CODE_ERROR = 1;
    private static final int CODE_OK = 2;

    /** time.Time: seconds from year 1 to the Unix epoch, and to 1885, where a monotonic wall's seconds count from. */
    private static final long UNIX_TO_INTERNAL = 62_135_596_800L;
    private static final long WALL_TO_INTERNAL = 59_453_308_800L;

    private GlobalApiSpans() {
    }

    /** What ATTR and DROPPED items add to: the span, an event or a link. */
    private static class Scope {
        final Attributes.Builder attributes = Attributes.builder();
        int dropped;
    }

    /** What the items say, as they are read. */
    private static final class State {
        final WallClock clock;
        String name = "";
        String scope = "";
        SpanKind kind = SpanKind.INTERNAL;
        long start;
        long end;
        boolean ended;
        final Scope span = new Scope();
        StatusCode status = StatusCode.UNSET;
        String statusMessage = "";
        final List<EventBuilder> events = new ArrayList<>();
        final List<LinkBuilder> links = new ArrayList<>();
        /** Where ATTR, TIME and DROPPED items go: the span, or the last event or link opened. */
        Scope current = span;

        State(WallClock clock) {
            this.clock = clock;
        }
    }

    private static final class EventBuilder extends Scope {
        final String name;
        long epochNanos;

        EventBuilder(String name, long epochNanos) {
            this.name = name;
            this.epochNanos = epochNanos;
        }
    }

    private static final class LinkBuilder extends Scope {
        final byte[] traceId;
        final byte[] spanId;
        final int flags;

        LinkBuilder(byte[] traceId, byte[] spanId, int flags) {
            this.traceId = traceId;
            this.spanId = spanId;
            this.flags = flags;
        }
    }

    static Span fromRecords(CorrelatedEvent ce, ManualSpanEvent e, WallClock clock) {
        EventHeader h = e.header();
        State s = new State(clock);
        ByteBuffer b = ByteBuffer.wrap(e.body()).order(ByteOrder.LITTLE_ENDIAN);
        try {
            while (b.hasRemaining()) {
                item(b, s);
            }
        } catch (RuntimeException cut) {
            // a record cut short: keep what was read
        }
        if (e.truncated()) {
            s.span.attributes.put(ManualSpans.TRUNCATED, true);
        }
        long start = s.start != 0 ? s.start : clock.toEpochNanos(h.startNs());
        long end = s.end != 0 ? s.end : Math.max(start, clock.toEpochNanos(h.endNs()));  // given times stand as given
        List<SpanEvent> events = s.events.stream()
                .map(ev -> new SpanEvent(ev.name, ev.epochNanos, ev.attributes.build(), ev.dropped)).toList();
        List<SpanLink> links = s.links.stream()
                .map(l -> new SpanLink(l.traceId, l.spanId, "", l.attributes.build(), l.dropped, l.flags)).toList();
        return new Span(ce.traceId(), h.spanId(), ce.parentSpanId(), ce.traceFlags(), s.name, s.kind, start,
                end, s.span.attributes.build(), s.status, s.statusMessage, ce.resource(), s.scope, "",
                h.parentRemote(), events, links, s.span.dropped, 0, 0);
    }

    private static void item(ByteBuffer b, State s) {
        int tag = b.get() & 0xff;
        switch (tag) {
            case EventLayout.GI_START -> {
                s.scope = string(b);
                s.name = string(b);
                s.current = s.span;
            }
            case EventLayout.GI_NAME -> s.name = string(b);
            case EventLayout.GI_KIND -> s.kind = ManualSpans.kind(b.get() & 0xff);
            case EventLayout.GI_TIME -> time(s, goTime(b.getLong(), b.getLong()));
            case EventLayout.GI_ATTR -> attribute(b, s.current.attributes);
            case EventLayout.GI_STATUS -> status(s, b.getInt(), string(b));
            case EventLayout.GI_EVENT -> {
                long at = s.clock.toEpochNanos(b.getLong());
                EventBuilder ev = new EventBuilder(string(b), at);
                s.events.add(ev);
                s.current = ev;
            }
            case EventLayout.GI_ERROR -> {
                long at = s.clock.toEpochNanos(b.getLong());
                String type = string(b);
                String message = string(b);
                EventBuilder ev = new EventBuilder("exception", at);
                if (!type.isEmpty()) {
                    ev.attributes.put("exception.type", type);
                }
                if (!message.isEmpty()) {
                    ev.attributes.put("exception.message", message);
                }
                s.events.add(ev);
                s.current = ev;
            }
            case EventLayout.GI_LINK -> {
                byte[] traceId = new byte[16];
                byte[] spanId = new byte[8];
                b.get(traceId).get(spanId);
                int flags = b.get() & 0xff;
                boolean remote = b.get() != 0;
                LinkBuilder l = new LinkBuilder(traceId, spanId,
                        flags | Span.FLAG_HAS_IS_REMOTE | (remote ? Span.FLAG_IS_REMOTE : 0));
                s.current = l;
                if (isValid(traceId) && isValid(spanId)) {  // the SDK ignores links to invalid span contexts
                    s.links.add(l);
                }
            }
            case EventLayout.GI_END -> {
                s.ended = true;
                s.current = s.span;
            }
            case EventLayout.GI_DROPPED -> s.current.dropped += b.getShort() & 0xffff;
            case EventLayout.GI_SPAN -> s.current = s.span;
            case EventLayout.GI_NEW_ROOT -> {
                // the ids already say so (the kernel made the span a root)
            }
            default -> throw new IllegalArgumentException("unknown item " + tag);
        }
    }

    private static void time(State s, long epochNanos) {
        if (s.current instanceof EventBuilder ev) {
            ev.epochNanos = epochNanos;
        } else if (s.current == s.span) {
            if (s.ended) {
                s.end = epochNanos;
            } else {
                s.start = epochNanos;
            }
        }
    }

    private static void status(State s, int code, String description) {
        if (s.status == StatusCode.OK || code == 0) {
            return;
        }
        if (code == CODE_OK) {
            s.status = StatusCode.OK;
            s.statusMessage = "";
        } else if (code == CODE_ERROR) {
            s.status = StatusCode.ERROR;
            s.statusMessage = description;
        }
    }

    private static void attribute(ByteBuffer b, Attributes.Builder a) {
        String key = string(b);
        int type = b.get() & 0xff;
        Attributes.Builder into = key.isEmpty() ? Attributes.builder() : a;  // read, then dropped as the SDK does
        switch (type) {
            case BOOL -> into.put(key, b.get() != 0);
            case INT64 -> into.put(key, b.getLong());
            case FLOAT64 -> into.put(key, Double.longBitsToDouble(b.getLong()));
            case STRING -> into.put(key, string(b));
            case BYTESLICE -> into.putBytes(key, bytes(b));
            case BOOLSLICE -> into.putBooleanArray(key, list(b, () -> b.get() != 0));
            case INT64SLICE -> into.putLongArray(key, list(b, b::getLong));
            case FLOAT64SLICE -> into.putDoubleArray(key, list(b, () -> Double.longBitsToDouble(b.getLong())));
            case STRINGSLICE -> into.putStringArray(key, list(b, () -> string(b)));
            default -> {
                // EMPTY: a key with no value, which the model cannot hold
            }
        }
    }

    /** A u16 count, then that many elements. */
    private static <T> List<T> list(ByteBuffer b, Supplier<T> element) {
        int n = b.getShort() & 0xffff;
        List<T> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(element.get());
        }
        return out;
    }

    private static String string(ByteBuffer b) {
        return new String(bytes(b), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer b) {
        int n = b.getShort() & 0xffff;
        byte[] v = new byte[n];
        b.get(v);
        return v;
    }

    private static boolean isValid(byte[] id) {
        for (byte x : id) {
            if (x != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * A Go time.Time's instant in nanoseconds since the Unix epoch: with a monotonic reading, wall holds 33 bits
     * of seconds since 1885 above 30 bits of nanoseconds; without one, ext holds seconds since year 1.
     */
    static long goTime(long wall, long ext) {
        long nsec = wall & ((1L << 30) - 1);
        long sec = wall < 0 ? WALL_TO_INTERNAL + ((wall << 1) >>> 31) : ext;
        return (sec - UNIX_TO_INTERNAL) * 1_000_000_000L + nsec;
    }
}
