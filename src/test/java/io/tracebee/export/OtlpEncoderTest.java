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
