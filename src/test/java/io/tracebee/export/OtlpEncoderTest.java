package io.tracebee.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.tracebee.span.Attributes;
import io.tracebee.span.Hex;
import io.tracebee.span.Span;
import io.tracebee.span.SpanKind;
import io.tracebee.span.StatusCode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OtlpEncoderTest {

    @Test
    void roundTripsThroughTheWireFormat() throws Exception {
        Span server = TestSpans.with(
                TestSpans.span(TestSpans.TRACE_ID, "00f067aa0ba902b7", "53995c3f42cd8ad8", "GET /books/{id}", 100, 250),
                SpanKind.SERVER,
                Attributes.builder().put("http.request.method", "GET").put("http.response.status_code", 500L)
                        .put("ratio", 0.25).put("retried", true).build(),
                StatusCode.ERROR, "boom");
        Span root = TestSpans.span(TestSpans.TRACE_ID, "53995c3f42cd8ad8", null, "root", 50, 300);
        Span sql = TestSpans.withResource(TestSpans.span(TestSpans.TRACE_ID, "1111111111111111", "00f067aa0ba902b7",
                "SELECT", 120, 130), TestSpans.BOOKSHOP, "database/sql");
        Span other = TestSpans.withResource(TestSpans.span("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
                null, "GET /stock", 10, 20), TestSpans.INVENTORY, "net/http");

        ExportTraceServiceRequest encoded = OtlpEncoder.encode(List.of(server, other, root, sql));
        ExportTraceServiceRequest decoded = ExportTraceServiceRequest.parseFrom(encoded.toByteArray());

        assertThat(decoded.getResourceSpansCount()).isEqualTo(2);
        ResourceSpans bookshop = decoded.getResourceSpans(0);
        assertThat(attributes(bookshop.getResource().getAttributesList()))
                .containsExactly(Map.entry("service.name", "bookshop"), Map.entry("process.pid", 4242L));
        assertThat(bookshop.getScopeSpansList()).extracting(s -> s.getScope().getName())
                .containsExactly("net/http", "database/sql");
        ScopeSpans http = bookshop.getScopeSpans(0);
        assertThat(http.getSpansList()).extracting(io.opentelemetry.proto.trace.v1.Span::getName)
                .containsExactly("GET /books/{id}", "root");

        io.opentelemetry.proto.trace.v1.Span s = http.getSpans(0);
        assertThat(Hex.encode(s.getTraceId().toByteArray())).isEqualTo(TestSpans.TRACE_ID);
        assertThat(Hex.encode(s.getSpanId().toByteArray())).isEqualTo("00f067aa0ba902b7");
        assertThat(Hex.encode(s.getParentSpanId().toByteArray())).isEqualTo("53995c3f42cd8ad8");
        assertThat(s.getFlags()).as("sampled; parent known to be local").isEqualTo(1 | Span.FLAG_HAS_IS_REMOTE);
        assertThat(s.getKind()).isEqualTo(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(s.getStartTimeUnixNano()).isEqualTo(100);
        assertThat(s.getEndTimeUnixNano()).isEqualTo(250);
        assertThat(s.getStatus().getCode()).isEqualTo(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR);
        assertThat(s.getStatus().getMessage()).isEqualTo("boom");
        assertThat(s.getAttributesList()).extracting(kv -> kv.getValue().getValueCase()).containsExactly(
                AnyValue.ValueCase.STRING_VALUE, AnyValue.ValueCase.INT_VALUE, AnyValue.ValueCase.DOUBLE_VALUE,
                AnyValue.ValueCase.BOOL_VALUE);
        assertThat(attributes(s.getAttributesList())).containsExactly(Map.entry("http.request.method", "GET"),
                Map.entry("http.response.status_code", 500L), Map.entry("ratio", 0.25), Map.entry("retried", true));

        io.opentelemetry.proto.trace.v1.Span rootProto = http.getSpans(1);
        assertThat(rootProto.getParentSpanId().isEmpty()).isTrue();
        assertThat(rootProto.hasStatus()).isFalse();
        assertThat(rootProto.getKind()).isEqualTo(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_INTERNAL);

        ResourceSpans inventory = decoded.getResourceSpans(1);
        assertThat(attributes(inventory.getResource().getAttributesList()))
                .containsExactly(Map.entry("service.name", "inventory"));
        assertThat(inventory.getScopeSpans(0).getSpans(0).getName()).isEqualTo("GET /stock");
    }

    @Test
    void encodesEventsLinksArraysBytesAndDroppedCounts() throws Exception {
        ExportTraceServiceRequest encoded = OtlpEncoder.encode(List.of(TestSpans.manual()));
        io.opentelemetry.proto.trace.v1.Span s = ExportTraceServiceRequest.parseFrom(encoded.toByteArray())
                .getResourceSpans(0).getScopeSpans(0).getSpans(0);

        assertThat(s.getAttributesList()).extracting(KeyValue::getKey)
                .containsExactly("tags", "oks", "ids", "ratios", "none", "raw", "nothing", "nested");
        assertThat(s.getAttributes(0).getValue().getArrayValue().getValuesList()).extracting(AnyValue::getStringValue)
                .containsExactly("a", "b");
        assertThat(s.getAttributes(1).getValue().getArrayValue().getValuesList()).extracting(AnyValue::getBoolValue)
                .containsExactly(true, false);
        assertThat(s.getAttributes(2).getValue().getArrayValue().getValuesList()).extracting(AnyValue::getIntValue)
                .containsExactly(1L, -2L, Long.MAX_VALUE);
        assertThat(s.getAttributes(3).getValue().getArrayValue().getValuesList()).extracting(AnyValue::getDoubleValue)
                .containsExactly(0.5, 3.0, 1.5e-7);
        assertThat(s.getAttributes(4).getValue().getValueCase()).as("an empty array is still an array")
                .isEqualTo(AnyValue.ValueCase.ARRAY_VALUE);
        assertThat(s.getAttributes(4).getValue().getArrayValue().getValuesCount()).isZero();
        assertThat(s.getAttributes(5).getValue().getBytesValue().toByteArray()).containsExactly(0, 1, 2, 0xfe, 0xff);
        assertThat(s.getAttributes(6).getValue().getValueCase()).isEqualTo(AnyValue.ValueCase.BYTES_VALUE);
        assertThat(s.getAttributes(6).getValue().getBytesValue().isEmpty()).isTrue();
        assertThat(attributes(s.getAttributes(7).getValue().getKvlistValue().getValuesList()))
                .containsExactly(Map.entry("k", "v"), Map.entry("n", 7L));
        assertThat(s.getDroppedAttributesCount()).isEqualTo(3);

        assertThat(s.getEventsList()).extracting(io.opentelemetry.proto.trace.v1.Span.Event::getName)
                .containsExactly("exception", "bare");
        io.opentelemetry.proto.trace.v1.Span.Event exception = s.getEvents(0);
        assertThat(exception.getTimeUnixNano()).isEqualTo(1700000000010000000L);
        assertThat(attributes(exception.getAttributesList())).containsExactly(
                Map.entry("exception.type", "*errors.errorString"), Map.entry("exception.message", "boom"),
                Map.entry("retry", 2L));
        assertThat(exception.getDroppedAttributesCount()).isEqualTo(1);
        assertThat(s.getEvents(1).getTimeUnixNano()).isEqualTo(1700000000020000000L);
        assertThat(s.getEvents(1).getAttributesCount()).isZero();
        assertThat(s.getDroppedEventsCount()).isEqualTo(4);

        assertThat(s.getLinksCount()).isEqualTo(2);
        io.opentelemetry.proto.trace.v1.Span.Link link = s.getLinks(0);
        assertThat(Hex.encode(link.getTraceId().toByteArray())).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(Hex.encode(link.getSpanId().toByteArray())).isEqualTo("b7ad6b7169203331");
        assertThat(link.getTraceState()).isEqualTo("vendor=abc");
        assertThat(attributes(link.getAttributesList()))
                .containsExactly(Map.entry("link.kind", "follows"), Map.entry("weight", 0.25));
        assertThat(link.getDroppedAttributesCount()).isEqualTo(2);
        assertThat(link.getFlags()).isEqualTo(1 | Span.FLAG_HAS_IS_REMOTE | Span.FLAG_IS_REMOTE);
        io.opentelemetry.proto.trace.v1.Span.Link bare = s.getLinks(1);
        assertThat(Hex.encode(bare.getSpanId().toByteArray())).isEqualTo("1111111111111111");
        assertThat(bare.getTraceState()).isEmpty();
        assertThat(bare.getFlags()).isZero();
        assertThat(s.getDroppedLinksCount()).isEqualTo(5);
    }

    @Test
    void spansWithoutEventsOrLinksEncodeNone() {
        io.opentelemetry.proto.trace.v1.Span s = OtlpEncoder.encodeSpan(
                TestSpans.span(TestSpans.TRACE_ID, "0000000000000001", null, "a", 1, 2));
        assertThat(s.getEventsCount()).isZero();
        assertThat(s.getLinksCount()).isZero();
        assertThat(s.getDroppedAttributesCount() + s.getDroppedEventsCount() + s.getDroppedLinksCount()).isZero();
    }

    @Test
    void groupsEqualResourcesThatAreDistinctInstances() {
        Span a = TestSpans.span(TestSpans.TRACE_ID, "0000000000000001", null, "a", 1, 2);
        Span b = TestSpans.withResource(TestSpans.span(TestSpans.TRACE_ID, "0000000000000002", null, "b", 1, 2),
                new io.tracebee.span.Resource(TestSpans.BOOKSHOP.attributes()), "net/http");
        ExportTraceServiceRequest request = OtlpEncoder.encode(List.of(a, b));
        assertThat(request.getResourceSpansCount()).isEqualTo(1);
        assertThat(request.getResourceSpans(0).getScopeSpans(0).getSpansCount()).isEqualTo(2);
    }

    @Test
    void emptyBatchIsAnEmptyRequest() {
        assertThat(OtlpEncoder.encode(List.of()).getResourceSpansCount()).isZero();
    }

    private static Map<String, Object> attributes(List<KeyValue> kvs) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (KeyValue kv : kvs) {
            AnyValue v = kv.getValue();
            out.put(kv.getKey(), switch (v.getValueCase()) {
                case STRING_VALUE -> v.getStringValue();
                case INT_VALUE -> v.getIntValue();
                case DOUBLE_VALUE -> v.getDoubleValue();
                case BOOL_VALUE -> v.getBoolValue();
                default -> v.toString();
            });
        }
        return out;
    }
}
