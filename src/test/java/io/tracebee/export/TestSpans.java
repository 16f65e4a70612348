package io.tracebee.export;

import io.tracebee.span.Attributes;
import io.tracebee.span.Hex;
import io.tracebee.span.Resource;
import io.tracebee.span.Span;
import io.tracebee.span.SpanKind;
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
