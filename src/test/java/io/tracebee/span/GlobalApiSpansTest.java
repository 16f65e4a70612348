package io.tracebee.span;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.correlate.CorrelatedEvent;
import io.tracebee.decode.EventHeader;
import io.tracebee.decode.EventLayout;
import io.tracebee.decode.ManualSpanEvent;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A global-API span is what the OpenTelemetry Go SDK would have recorded for the same calls, read from the
 * kernel's records (enum tb_global_item).
 */
class GlobalApiSpansTest {
    private static final WallClock CLOCK = new WallClock(() -> 1_000_000_000L);  // epoch = monotonic + 1 s
    private static final Resource RESOURCE = new Resource(Attributes.builder().put("service.name", "svc").build());

    @Test
    void everyItemLandsOnTheSpanTheEventOrTheLinkItBelongsTo() {
        Records r = new Records()
                .start("tracer", "draft").kind(3).time(goTimeWithoutMonotonic("2026-11-21T12:00:00.5Z"))
                .attr("s", 4, r2 -> r2.str("v")).attr("i", 2, r2 -> r2.u64(-7)).attr("f", 3, r2 -> r2.u64(Double.doubleToLongBits(0.25)))
                .attr("b", 1, r2 -> r2.u8(1)).attr("bytes", 9, r2 -> r2.str("\u0001\u0002"))
                .attr("ss", 8, r2 -> r2.u16(2).str("x").str("yz")).attr("is", 6, r2 -> r2.u16(1).u64(5))
                .attr("fs", 7, r2 -> r2.u16(1).u64(Double.doubleToLongBits(2.5))).attr("bs", 5, r2 -> r2.u16(2).u8(0).u8(1))
                .link(new byte[] {1}, new byte[] {2}, 1, true).attr("l", 2, r2 -> r2.u64(1)).dropped(3).span()
                .attr("after.link", 1, r2 -> r2.u8(0)).dropped(2)
                .name("renamed")
                .event(5_000, "e").attr("k", 4, r2 -> r2.str("v")).time(goTimeWithoutMonotonic("2026-11-21T12:00:01Z"))
                .error(6_000, "*errors.errorString", "boom").attr("extra", 2, r2 -> r2.u64(1))
                .status(1, "bad").status(0, "ignored")
                .end().time(goTimeWithMonotonic("2026-11-21T12:00:02.25Z"));
        Span s = assemble(r);
        assertThat(s.name()).isEqualTo("renamed");
        assertThat(s.scope()).isEqualTo("tracer");
        assertThat(s.kind()).isEqualTo(SpanKind.CLIENT);
        assertThat(s.startEpochNanos()).isEqualTo(nanos("2026-11-21T12:00:00.5Z"));
        assertThat(s.endEpochNanos()).isEqualTo(nanos("2026-11-21T12:00:02.25Z"));
        assertThat(s.attributes().asMap()).containsEntry("s", "v").containsEntry("i", -7L).containsEntry("f", 0.25)
                .containsEntry("b", true).containsEntry("ss", List.of("x", "yz")).containsEntry("is", List.of(5L))
                .containsEntry("fs", List.of(2.5)).containsEntry("bs", List.of(false, true))
                .containsEntry("after.link", false).hasSize(10);
        assertThat(s.droppedAttributes()).isEqualTo(2);
        assertThat(s.statusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(s.statusMessage()).isEqualTo("bad");
        assertThat(s.events()).hasSize(2);
        assertThat(s.events().get(0).name()).isEqualTo("e");
        assertThat(s.events().get(0).epochNanos()).as("WithTimestamp").isEqualTo(nanos("2026-11-21T12:00:01Z"));
        assertThat(s.events().get(0).attributes().asMap()).containsExactlyEntriesOf(Map.of("k", "v"));
        assertThat(s.events().get(1).name()).isEqualTo("exception");
        assertThat(s.events().get(1).epochNanos()).as("the call's time").isEqualTo(1_000_006_000L);
        assertThat(s.events().get(1).attributes().asMap()).containsEntry("exception.type", "*errors.errorString")
                .containsEntry("exception.message", "boom").containsEntry("extra", 1L);
        assertThat(s.links()).singleElement().satisfies(l -> {
            assertThat(l.flags()).isEqualTo(1 | Span.FLAG_HAS_IS_REMOTE | Span.FLAG_IS_REMOTE);
            assertThat(l.attributes().asMap()).containsExactlyEntriesOf(Map.of("l", 1L));
            assertThat(l.droppedAttributes()).isEqualTo(3);
        });
    }

    @Test
    void anOkStatusIsFinalAndLinksToInvalidContextsAreLeftOut() {
        Span s = assemble(new Records().start("t", "n").status(2, "dropped description").status(1, "too late")
                .link(new byte[0], new byte[0], 0, false).end());
        assertThat(s.statusCode()).isEqualTo(StatusCode.OK);
        assertThat(s.statusMessage()).isEmpty();
        assertThat(s.links()).isEmpty();
        assertThat(s.kind()).as("the SDK's default").isEqualTo(SpanKind.INTERNAL);
        assertThat(s.startEpochNanos()).as("the kernel's times").isEqualTo(1_000_000_100L);
        assertThat(s.endEpochNanos()).isEqualTo(1_000_000_900L);
    }

    @Test
    void aCutRecordKeepsWhatCameBeforeTheCut() {
        byte[] whole = new Records().start("t", "n").attr("kept", 2, r -> r.u64(1)).attr("cut", 4, r -> r.str("long value")).end().bytes();
        Span s = assemble(Arrays.copyOf(whole, whole.length - 8));
        assertThat(s.name()).isEqualTo("n");
        assertThat(s.attributes().asMap()).containsExactlyEntriesOf(Map.of("kept", 1L));
    }

    private static Span assemble(Records r) {
        return assemble(r.bytes());
    }

    private static Span assemble(byte[] body) {
        EventHeader h = EventHeader.of(EventLayout.KIND_MANUAL_SPAN, 1, 1, 100, 900, 0, 1, new byte[16], new byte[] {9, 9, 9, 9, 9, 9, 9, 9},
                1, new byte[8], EventLayout.ORIGIN_LOCAL);
        ManualSpanEvent e = new ManualSpanEvent(h, EventLayout.MANUAL_GLOBAL_API, body, false, false);
        return new SpanAssembler(CLOCK).assemble(new CorrelatedEvent(e, new byte[16], new byte[8], 1, RESOURCE));
    }

    private static long nanos(String instant) {
        Instant i = Instant.parse(instant);
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    /** time.Time as time.Date makes it: ext = seconds since year 1, wall = nanoseconds. */
    private static long[] goTimeWithoutMonotonic(String instant) {
        Instant i = Instant.parse(instant);
        return new long[] {i.getNano(), i.getEpochSecond() + 62_135_596_800L};
    }

    /** time.Time as time.Now makes it: wall = hasMonotonic | seconds since 1885 << 30 | nanoseconds. */
    private static long[] goTimeWithMonotonic(String instant) {
        Instant i = Instant.parse(instant);
        long sec = i.getEpochSecond() + 62_135_596_800L - 59_453_308_800L;
        return new long[] {Long.MIN_VALUE | sec << 30 | i.getNano(), 12345};
    }

    /** Builds record items the way global_api.bpf.c writes them. */
    private static final class Records {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        interface Value {
            void write(Records r);
        }

        Records u8(int v) {
            out.write(v);
            return this;
        }

        Records u16(int v) {
            out.write(v & 0xff);
            out.write(v >>> 8 & 0xff);
            return this;
        }

        Records u32(int v) {
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
            return this;
        }

        Records u64(long v) {
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
            return this;
        }

        Records str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u16(b.length);
            out.writeBytes(b);
            return this;
        }

        Records start(String tracer, String name) {
            return u8(1).str(tracer).str(name);
        }

        Records name(String name) {
            return u8(2).str(name);
        }

        Records kind(int kind) {
            return u8(3).u8(kind);
        }

        Records time(long[] t) {
            return u8(4).u64(t[0]).u64(t[1]);
        }

        Records attr(String key, int type, Value v) {
            u8(5).str(key).u8(type);
            v.write(this);
            return this;
        }

        Records status(int code, String description) {
            return u8(6).u32(code).str(description);
        }

        Records event(long monotonic, String name) {
            return u8(7).u64(monotonic).str(name);
        }

        Records error(long monotonic, String type, String message) {
            return u8(8).u64(monotonic).str(type).str(message);
        }

        Records link(byte[] traceId, byte[] spanId, int flags, boolean remote) {
            u8(9);
            out.writeBytes(Arrays.copyOf(traceId, 16));
            out.writeBytes(Arrays.copyOf(spanId, 8));
            return u8(flags).u8(remote ? 1 : 0);
        }

        Records end() {
            return u8(10);
        }

        Records dropped(int n) {
            return u8(11).u16(n);
        }

        Records span() {
            return u8(12);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
