package io.tracebee.export;

import io.tracebee.span.Attributes;
import io.tracebee.span.Hex;
import io.tracebee.span.Resource;
import io.tracebee.span.Span;
import io.tracebee.span.SpanEvent;
import io.tracebee.span.SpanKind;
import io.tracebee.span.SpanLink;
import io.tracebee.span.StatusCode;
import java.util.ArrayList;
import java.util.List;

/** Hand-built spans for exporter and trace-view tests. */
public final class TestSpans {
    public static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    public static final Resource BOOKSHOP = new Resource(Attributes.builder()
            .put("service.name", "bookshop").put("process.pid", 4242L).build());
    public static final Resource INVENTORY = new Resource(Attributes.builder()
            .put("service.name", "inventory").build());
    private static final byte[] NO_PARENT = new byte[8];

    private TestSpans() {
    }

    public static Span span(String traceId, String spanId, String parentId, String name, long startNanos,
            long endNanos) {
        return new Span(Hex.decode(traceId), Hex.decode(spanId), parentId == null ? NO_PARENT : Hex.decode(parentId),
                1, name, SpanKind.INTERNAL, startNanos, endNanos, Attributes.empty(), StatusCode.UNSET, null,
                BOOKSHOP, "net/http");
    }

    public static Span withResource(Span s, Resource resource, String scope) {
        return new Span(s.traceId(), s.spanId(), s.parentSpanId(), s.traceFlags(), s.name(), s.kind(),
                s.startEpochNanos(), s.endEpochNanos(), s.attributes(), s.statusCode(), s.statusMessage(), resource,
                scope);
    }

    public static Span with(Span s, SpanKind kind, Attributes attributes, StatusCode code, String message) {
        return new Span(s.traceId(), s.spanId(), s.parentSpanId(), s.traceFlags(), s.name(), kind,
                s.startEpochNanos(), s.endEpochNanos(), attributes, code, message, s.resource(), s.scope());
    }

    /**
     * A span as a manual-span producer makes it: array, bytes and nested attributes, two events, two
     * links (one with trace state, attributes and remote flags), and every dropped count set.
     */
    public static Span manual() {
        Span s = span(TRACE_ID, "00f067aa0ba902b7", "53995c3f42cd8ad8", "manual", 1700000000000000000L,
                1700000000050000000L);
        Attributes attributes = Attributes.builder()
                .putStringArray("tags", List.of("a", "b"))
                .putBooleanArray("oks", List.of(true, false))
                .putLongArray("ids", List.of(1L, -2L, Long.MAX_VALUE))
                .putDoubleArray("ratios", List.of(0.5, 3.0, 1.5e-7))
                .putStringArray("none", List.of())
                .putBytes("raw", new byte[] {0, 1, 2, (byte) 0xfe, (byte) 0xff})
                .putBytes("nothing", new byte[0])
                .put("nested", Attributes.builder().put("k", "v").put("n", 7L).build())
                .build();
        List<SpanEvent> events = List.of(
                new SpanEvent("exception", 1700000000010000000L, Attributes.builder()
                        .put("exception.type", "*errors.errorString")
                        .put("exception.message", "boom")
                        .put("retry", 2L)
                        .build(), 1),
                new SpanEvent("bare", 1700000000020000000L, Attributes.empty()));
        List<SpanLink> links = List.of(
                new SpanLink(Hex.decode("0af7651916cd43dd8448eb211c80319c"), Hex.decode("b7ad6b7169203331"),
                        "vendor=abc", Attributes.builder().put("link.kind", "follows").put("weight", 0.25).build(),
                        2, 0x301),
                new SpanLink(Hex.decode(TRACE_ID), Hex.decode("1111111111111111"), "", Attributes.empty(), 0, 0));
        return new Span(s.traceId(), s.spanId(), s.parentSpanId(), s.traceFlags(), s.name(), s.kind(),
                s.startEpochNanos(), s.endEpochNanos(), attributes, s.statusCode(), s.statusMessage(), s.resource(),
                s.scope(), "", false, events, links, 3, 4, 5);
    }

    /** {@code n} root spans of {@code n} distinct traces. */
    public static List<Span> many(int n) {
        List<Span> spans = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            spans.add(span(String.format("%032x", i + 1), String.format("%016x", i + 1), null, "op" + i,
                    1_000_000L * i, 1_000_000L * i + 500_000));
        }
        return spans;
    }
}
