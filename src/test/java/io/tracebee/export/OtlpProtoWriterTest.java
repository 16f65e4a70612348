package io.tracebee.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.span.Attributes;
import io.tracebee.span.Span;
import io.tracebee.span.SpanKind;
import io.tracebee.span.StatusCode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The writer's bytes are exactly what protobuf-java's builders make of the same batch. */
class OtlpProtoWriterTest {

    private static void sameAsBuilders(List<Span> spans) {
        assertThat(OtlpEncoder.encodeBytes(spans)).isEqualTo(OtlpBuilderOracle.encode(spans).toByteArray());
    }

    @Test
    void manualSpanWithEveryValueTypeEventsLinksAndDroppedCounts() {
        sameAsBuilders(List.of(TestSpans.manual()));
    }

    @Test
    void severalResourcesScopesKindsAndStatuses() {
        Span server = TestSpans.with(TestSpans.span(TestSpans.TRACE_ID, "00f067aa0ba902b7", "53995c3f42cd8ad8",
                "GET /books/{id}", 1700000000000000000L, 1700000000002000000L), SpanKind.SERVER,
                Attributes.builder().put("http.request.method", "GET").put("http.response.status_code", 500)
                        .put("url.path", "/books/ü").put("ok", false).put("ratio", 0.0).put("zero", 0L).build(),
                StatusCode.ERROR, "");
        Span message = TestSpans.with(TestSpans.span(TestSpans.TRACE_ID, "00f067aa0ba902b8", null, "", 0, 0),
                SpanKind.CLIENT, Attributes.empty(), StatusCode.UNSET, "only a message");
        Span other = TestSpans.withResource(TestSpans.span(TestSpans.TRACE_ID, "00f067aa0ba902b9", null, "db", 5, 6),
                TestSpans.INVENTORY, "database/sql");
        sameAsBuilders(List.of(server, message, other, TestSpans.manual(), server));
    }

    @Test
    void stringsOfEveryWidthAndLengthsOverOneVarintByte() {
        Span span = TestSpans.with(TestSpans.span(TestSpans.TRACE_ID, "00f067aa0ba902b7", null, "名前 🐝", 1, 2),
                SpanKind.INTERNAL, Attributes.builder().put("latin1", "café").put("cjk", "日本語")
                        .put("emoji", "🐝 tracebee").put("unpaired", "a\uD800b").put("long", "x".repeat(300))
                        .put("ключ", "значение").put("", "empty key").put("empty", "").build(),
                StatusCode.ERROR, "ошибка");
        sameAsBuilders(List.of(span));
    }

    @Test
    void oneWriterReusedAcrossBatchesOfDifferentSizes() {
        sameAsBuilders(TestSpans.many(3000));
        sameAsBuilders(List.of(TestSpans.manual()));
        sameAsBuilders(TestSpans.many(10));
    }

    /** Writers whose arrays start at every size up to 200 slots: they grow at every kind of slot and string. */
    @Test
    void lengthArrayGrowsAtAnySlot() {
        List<Span> spans = new ArrayList<>(TestSpans.many(3));
        spans.add(TestSpans.manual());
        for (int n = 1; n <= 200; n++) {
            OtlpProtoWriter fresh = new OtlpProtoWriter(n);
            assertThat(fresh.encode(spans)).isEqualTo(OtlpBuilderOracle.encode(spans).toByteArray());
        }
    }

    /**
     * Whole KeyValues come from the pair cache: the same pair again, a key with another value, a string and a
     * number under one key, negative integers (ten-byte varints), empty keys and values, strings around the
     * longest kept whole, and thousands of pairs met once between repeats, so slots are taken, kept and handed over.
     */
    @Test
    void attributePairsRepeatCollideAndChurn() {
        OtlpProtoWriter writer = new OtlpProtoWriter();
        List<Span> spans = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            Attributes.Builder a = Attributes.builder().put("http.request.method", i % 3 == 0 ? "GET" : "POST")
                    .put("n", 7L).put("neg", -1L - i % 4).put("", "v")
                    .put("empty", "").put("once", "value-" + i).put("port", (long) (40000 + i))
                    .put("small", i % 5).put("mixed", i % 2 == 0 ? "7" : null)
                    .put("edge", "y".repeat(127 + i % 3));  // the longest string kept whole, and longer
            if (i % 2 == 1) {
                a.put("mixed", 7L);
            }
            spans.add(TestSpans.with(TestSpans.span(TestSpans.TRACE_ID, String.format("%016x", i + 1), null, "s", 1, 2),
                    SpanKind.SERVER, a.build(), StatusCode.UNSET, ""));
        }
        for (int from = 0; from < spans.size(); from += 500) {
            List<Span> batch = spans.subList(from, from + 500);
            assertThat(writer.encode(batch)).isEqualTo(OtlpBuilderOracle.encode(batch).toByteArray());
        }
        assertThat(writer.encode(spans)).isEqualTo(OtlpBuilderOracle.encode(spans).toByteArray());
    }

    @Test
    void largeBatchAndEmptyBatch() {
        List<Span> spans = new ArrayList<>(TestSpans.many(2000));
        sameAsBuilders(spans);
        sameAsBuilders(List.of());
    }
}
