package io.tracebee.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tracebee.span.Attributes;
import io.tracebee.span.Resource;
import io.tracebee.span.Span;
import io.tracebee.span.SpanKind;
import io.tracebee.span.StatusCode;
import java.util.List;
import org.junit.jupiter.api.Test;

class OtlpJsonEncoderTest {

    /**
     * Produced by the Collector's own marshaler ({@code ptrace.JSONMarshaler}, pdata v1.67.0, the code
     * behind the file exporter) for the same three spans as {@link #goldenSpans()}: flags 769 = sampled
     * plus OTLP's "parent is remote" bits, 256 = "parent is local (or none)".
     */
    static final String PDATA_GOLDEN =
            "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"strin"
            + "gValue\":\"bookshop\"}},{\"key\":\"process.pid\",\"value\":{\"intValue\":\"4242\"}}]},\"scopeSp"
            + "ans\":[{\"scope\":{\"name\":\"net/http\"},\"spans\":[{\"traceId\":\"4bf92f3577b34da6a3ce929d0e0"
            + "e4736\",\"spanId\":\"00f067aa0ba902b7\",\"traceState\":\"vendor=abc,other=x\",\"parentSpanId\":\"53995c3f42cd8ad8\",\"flags\":769,\"nam"
            + "e\":\"GET /books/{id}\",\"kind\":2,\"startTimeUnixNano\":\"1700000000000000000\",\"endTimeUnixN"
            + "ano\":\"1700000000012300000\",\"attributes\":[{\"key\":\"http.request.method\",\"value\":{\"str"
            + "ingValue\":\"GET\"}},{\"key\":\"http.response.status_code\",\"value\":{\"intValue\":\"500\"}},{"
            + "\"key\":\"ratio\",\"value\":{\"doubleValue\":0.5}},{\"key\":\"whole\",\"value\":{\"doubleValue\""
            + ":3}},{\"key\":\"tiny\",\"value\":{\"doubleValue\":1.5e-07}},{\"key\":\"huge\",\"value\":{\"doub"
            + "leValue\":1e+21}},{\"key\":\"big\",\"value\":{\"doubleValue\":100000000000000000000}},{\"key\":"
            + "\"neg\",\"value\":{\"doubleValue\":-123456.789}},{\"key\":\"nan\",\"value\":{\"doubleValue\":\""
            + "NaN\"}},{\"key\":\"retried\",\"value\":{\"boolValue\":true}},{\"key\":\"weird\",\"value\":{\"st"
            + "ringValue\":\"a\\\"b\\\\c\\nd\\te\\u0001f\u007fg/\u00e9\u20ac\ud83d\ude00\u2028\"}}],\"status\""
            + ":{\"message\":\"boom\",\"code\":2}},{\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"spanId\""
            + ":\"53995c3f42cd8ad8\",\"flags\":256,\"name\":\"root\",\"kind\":1,\"startTimeUnixNano\":\"1699999999990000000\""
            + ",\"endTimeUnixNano\":\"1700000000020000000\",\"status\":{}}]}]},{\"resource\":{},\"scopeSpans\""
            + ":[{\"scope\":{},\"spans\":[{\"traceId\":\"01000000000000000000000000000000\",\"spanId\":\"02000"
            + "00000000000\",\"flags\":256,\"startTimeUnixNano\":\"1\",\"endTimeUnixNano\":\"2\",\"status\":{}}]}]}]}";

    static List<Span> goldenSpans() {
        Span server = TestSpans.with(
                TestSpans.span(TestSpans.TRACE_ID, "00f067aa0ba902b7", "53995c3f42cd8ad8", "GET /books/{id}",
                        1700000000000000000L, 1700000000012300000L),
                SpanKind.SERVER,
                Attributes.builder()
                        .put("http.request.method", "GET")
                        .put("http.response.status_code", 500L)
                        .put("ratio", 0.5)
                        .put("whole", 3.0)
                        .put("tiny", 1.5e-7)
                        .put("huge", 1e21)
                        .put("big", 1e20)
                        .put("neg", -123456.789)
                        .put("nan", Double.NaN)
                        .put("retried", true)
                        .put("weird", "a\"b\\c\nd\te\u0001f\u007fg/\u00e9\u20ac\ud83d\ude00\u2028")
                        .build(),
                StatusCode.ERROR, "boom");
        // continued from a caller in another process, with its tracestate
        server = new Span(server.traceId(), server.spanId(), server.parentSpanId(), server.traceFlags(), server.name(),
                server.kind(), server.startEpochNanos(), server.endEpochNanos(), server.attributes(),
                server.statusCode(), server.statusMessage(), server.resource(), server.scope(), "vendor=abc,other=x",
                true);
        Span root = new Span(io.tracebee.span.Hex.decode(TestSpans.TRACE_ID),
                io.tracebee.span.Hex.decode("53995c3f42cd8ad8"), new byte[8], 0, "root", SpanKind.INTERNAL,
                1699999999990000000L, 1700000000020000000L, Attributes.empty(), StatusCode.UNSET, null,
                TestSpans.BOOKSHOP, "net/http");
        byte[] traceId = new byte[16];
        traceId[0] = 1;
        byte[] spanId = new byte[8];
        spanId[0] = 2;
        Span bare = new Span(traceId, spanId, new byte[8], 0, "", SpanKind.UNSPECIFIED, 1, 2, Attributes.empty(),
                StatusCode.UNSET, "", new Resource(Attributes.empty()), null);
        return List.of(server, root, bare);
    }

    @Test
    void matchesTheCollectorMarshalerByteForByte() {
        assertThat(OtlpJsonEncoder.encode(goldenSpans())).isEqualTo(PDATA_GOLDEN);
    }

    /**
     * The Collector's marshaler (pdata v1.67.0, as above) for {@link TestSpans#manual()}: arrays (an empty
     * one too), bytes as base64, a key-value list, events, links and the dropped counts.
     */
    static final String PDATA_MANUAL_GOLDEN =
            "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValu"
            + "e\":\"bookshop\"}},{\"key\":\"process.pid\",\"value\":{\"intValue\":\"4242\"}}]},\"scopeSpans\":[{\""
            + "scope\":{\"name\":\"net/http\"},\"spans\":[{\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"spanI"
            + "d\":\"00f067aa0ba902b7\",\"parentSpanId\":\"53995c3f42cd8ad8\",\"flags\":257,\"name\":\"manual\",\"k"
            + "ind\":1,\"startTimeUnixNano\":\"1700000000000000000\",\"endTimeUnixNano\":\"1700000000050000000\",\""
            + "attributes\":[{\"key\":\"tags\",\"value\":{\"arrayValue\":{\"values\":[{\"stringValue\":\"a\"},{\"st"
            + "ringValue\":\"b\"}]}}},{\"key\":\"oks\",\"value\":{\"arrayValue\":{\"values\":[{\"boolValue\":true},"
            + "{\"boolValue\":false}]}}},{\"key\":\"ids\",\"value\":{\"arrayValue\":{\"values\":[{\"intValue\":\"1\""
            + "},{\"intValue\":\"-2\"},{\"intValue\":\"9223372036854775807\"}]}}},{\"key\":\"ratios\",\"value\":{\""
            + "arrayValue\":{\"values\":[{\"doubleValue\":0.5},{\"doubleValue\":3},{\"doubleValue\":1.5e-07}]}}},{\""
            + "key\":\"none\",\"value\":{\"arrayValue\":{}}},{\"key\":\"raw\",\"value\":{\"bytesValue\":\"AAEC/v8=\""
            + "}},{\"key\":\"nothing\",\"value\":{\"bytesValue\":\"\"}},{\"key\":\"nested\",\"value\":{\"kvlistValu"
            + "e\":{\"values\":[{\"key\":\"k\",\"value\":{\"stringValue\":\"v\"}},{\"key\":\"n\",\"value\":{\"intVa"
            + "lue\":\"7\"}}]}}}],\"droppedAttributesCount\":3,\"events\":[{\"timeUnixNano\":\"1700000000010000000\""
            + ",\"name\":\"exception\",\"attributes\":[{\"key\":\"exception.type\",\"value\":{\"stringValue\":\"*er"
            + "rors.errorString\"}},{\"key\":\"exception.message\",\"value\":{\"stringValue\":\"boom\"}},{\"key\":\""
            + "retry\",\"value\":{\"intValue\":\"2\"}}],\"droppedAttributesCount\":1},{\"timeUnixNano\":\"170000000"
            + "0020000000\",\"name\":\"bare\"}],\"droppedEventsCount\":4,\"links\":[{\"traceId\":\"0af7651916cd43dd"
            + "8448eb211c80319c\",\"spanId\":\"b7ad6b7169203331\",\"traceState\":\"vendor=abc\",\"attributes\":[{\""
            + "key\":\"link.kind\",\"value\":{\"stringValue\":\"follows\"}},{\"key\":\"weight\",\"value\":{\"double"
            + "Value\":0.25}}],\"droppedAttributesCount\":2,\"flags\":769},{\"traceId\":\"4bf92f3577b34da6a3ce929d0"
            + "e0e4736\",\"spanId\":\"1111111111111111\"}],\"droppedLinksCount\":5,\"status\":{}}]}]}]}";

    @Test
    void writesEventsLinksAndEveryValueTypeLikeTheCollector() {
        assertThat(OtlpJsonEncoder.encode(List.of(TestSpans.manual()))).isEqualTo(PDATA_MANUAL_GOLDEN);
    }

    @Test
    void eventsAndLinksParseBackWithTheirValues() throws Exception {
        JsonNode span = new ObjectMapper().readTree(OtlpJsonEncoder.encode(List.of(TestSpans.manual())))
                .at("/resourceSpans/0/scopeSpans/0/spans/0");
        assertThat(span.at("/attributes/2/value/arrayValue/values/2/intValue").asText())
                .isEqualTo(Long.toString(Long.MAX_VALUE));
        assertThat(java.util.Base64.getDecoder().decode(span.at("/attributes/5/value/bytesValue").asText()))
                .containsExactly(0, 1, 2, 0xfe, 0xff);
        assertThat(span.at("/attributes/7/value/kvlistValue/values/1/value/intValue").asText()).isEqualTo("7");
        assertThat(span.get("droppedAttributesCount").asInt()).isEqualTo(3);
        assertThat(span.at("/events/0/timeUnixNano").asText()).isEqualTo("1700000000010000000");
        assertThat(span.at("/events/0/attributes/0/value/stringValue").asText()).isEqualTo("*errors.errorString");
        assertThat(span.at("/events/0/droppedAttributesCount").asInt()).isEqualTo(1);
        assertThat(span.get("droppedEventsCount").asInt()).isEqualTo(4);
        assertThat(span.at("/links/0/traceId").asText()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(span.at("/links/0/spanId").asText()).isEqualTo("b7ad6b7169203331");
        assertThat(span.at("/links/0/traceState").asText()).isEqualTo("vendor=abc");
        assertThat(span.at("/links/0/attributes/1/value/doubleValue").asDouble()).isEqualTo(0.25);
        assertThat(span.at("/links/0/flags").asInt()).isEqualTo(0x301);
        assertThat(span.at("/links/1").has("flags")).as("zero values are left out").isFalse();
        assertThat(span.get("droppedLinksCount").asInt()).isEqualTo(5);
    }

    @Test
    void isValidJsonWithHexIdsAndStringIntegers() throws Exception {
        JsonNode root = new ObjectMapper().readTree(OtlpJsonEncoder.encode(goldenSpans()));
        JsonNode span = root.at("/resourceSpans/0/scopeSpans/0/spans/0");
        assertThat(span.get("traceId").asText()).isEqualTo(TestSpans.TRACE_ID);
        assertThat(span.get("startTimeUnixNano").isTextual()).isTrue();
        assertThat(span.at("/attributes/1/value/intValue").isTextual()).isTrue();
        assertThat(span.get("kind").isInt()).isTrue();
        assertThat(span.at("/attributes/10/value/stringValue").asText())
                .isEqualTo("a\"b\\c\nd\te\u0001f\u007fg/\u00e9\u20ac\ud83d\ude00\u2028");
    }

    @Test
    void formatsDoublesLikeGo() {
        assertThat(OtlpJsonEncoder.goFloat(1.0)).isEqualTo("1");
        assertThat(OtlpJsonEncoder.goFloat(0.1)).isEqualTo("0.1");
        assertThat(OtlpJsonEncoder.goFloat(-0.0)).isEqualTo("-0");
        assertThat(OtlpJsonEncoder.goFloat(1e-6)).isEqualTo("0.000001");
        assertThat(OtlpJsonEncoder.goFloat(1e-7)).isEqualTo("1e-07");
        assertThat(OtlpJsonEncoder.goFloat(1.2345e-300)).isEqualTo("1.2345e-300");
        assertThat(OtlpJsonEncoder.goFloat(1e20)).isEqualTo("100000000000000000000");
        assertThat(OtlpJsonEncoder.goFloat(-2.5e22)).isEqualTo("-2.5e+22");
        assertThat(OtlpJsonEncoder.goFloat(Double.MAX_VALUE)).isEqualTo("1.7976931348623157e+308");
        assertThat(OtlpJsonEncoder.goFloat(123456.789)).isEqualTo("123456.789");
        assertThat(OtlpJsonEncoder.goFloat(0.000001234)).isEqualTo("0.000001234");
    }

    @Test
    void emptyBatchIsAnEmptyObject() {
        assertThat(OtlpJsonEncoder.encode(List.of())).isEqualTo("{}");
    }
}
