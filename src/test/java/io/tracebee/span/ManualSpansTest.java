package io.tracebee.span;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.correlate.CorrelatedEvent;
import io.tracebee.decode.EventHeader;
import io.tracebee.decode.EventLayout;
import io.tracebee.decode.ManualSpanEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Manual spans from the Auto SDK's OTLP/JSON: whole, and cut short by the kernel's limit. */
class ManualSpansTest {
    private static final String SPAN = """
            {"resourceSpans":[{"resource":{},"scopeSpans":[{"scope":{"name":"app","version":"1"},"spans":[{\
            "traceId":"","spanId":"","name":"work","kind":3,"startTimeUnixNano":1000,"endTimeUnixNano":2000,\
            "attributes":[{"key":"a","value":{"intValue":"7"}},{"key":"b","value":{"bytesValue":"AQI="}},\
            {"key":"m","value":{"kvlistValue":{"values":[{"key":"x","value":{"stringValue":"y"}}]}}},\
            {"key":"mixed","value":{"arrayValue":{"values":[{"stringValue":"s"},{"intValue":"1"}]}}}],\
            "droppedAttributesCount":3,\
            "links":[{"traceId":"nothex","spanId":"b7ad6b7169203331"}],\
            "status":{"code":2,"message":"bad"}}]}]}]}""";

    @Test
    void aWholeSpanKeepsEveryField() {
        Span s = assemble(SPAN, false);
        assertThat(s.name()).isEqualTo("work");
        assertThat(s.kind()).isEqualTo(SpanKind.CLIENT);
        assertThat(s.startEpochNanos()).isEqualTo(1000);
        assertThat(s.endEpochNanos()).isEqualTo(2000);
        assertThat(s.scope()).isEqualTo("app");
        assertThat(s.statusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(s.statusMessage()).isEqualTo("bad");
        assertThat(s.droppedAttributes()).isEqualTo(3);
        assertThat(s.attributes().get("a")).isEqualTo(7L);
        assertThat(s.attributes().get("m")).isEqualTo(Attributes.builder().put("x", "y").build());
        assertThat(s.attributes().get("mixed")).isEqualTo(java.util.List.of("{\"stringValue\":\"s\"}", "{\"intValue\":\"1\"}"));
        assertThat(s.links()).as("a link without valid ids is left out").isEmpty();
        assertThat(s.attributes().asMap()).doesNotContainKey(ManualSpans.TRUNCATED);
    }

    @Test
    void aSpanCutShortKeepsWhatCameBeforeTheCut() {
        String cut = SPAN.substring(0, SPAN.indexOf("{\"key\":\"m\""));
        Span s = assemble(cut, true);
        assertThat(s.name()).isEqualTo("work");
        assertThat(s.kind()).isEqualTo(SpanKind.CLIENT);
        assertThat(s.startEpochNanos()).isEqualTo(1000);
        assertThat(s.attributes().get("a")).isEqualTo(7L);
        assertThat(s.attributes().asMap()).containsEntry(ManualSpans.TRUNCATED, true).doesNotContainKey("m");
        assertThat(s.statusCode()).isEqualTo(StatusCode.UNSET);
    }

    @Test
    void garbageMakesANamelessSpanNotAnError() {
        Span s = assemble("{\"resourceSpans\":[tru", true);
        assertThat(s.name()).isEmpty();
        assertThat(s.kind()).isEqualTo(SpanKind.INTERNAL);
        assertThat(s.startEpochNanos()).isPositive();
    }

    private static Span assemble(String json, boolean truncated) {
        byte[] trace = new byte[16];
        trace[0] = 1;
        byte[] span = {1, 2, 3, 4, 5, 6, 7, 8};
        EventHeader h = EventHeader.of(EventLayout.KIND_MANUAL_SPAN, 42, 42, 1_000_000, 2_000_000, 0, 1, trace, span, 1,
                new byte[8], EventLayout.ORIGIN_LOCAL);
        ManualSpanEvent e = new ManualSpanEvent(h, EventLayout.MANUAL_AUTO_SDK, json.getBytes(StandardCharsets.UTF_8),
                truncated, false);
        Resource r = new Resource(Attributes.empty());
        return new SpanAssembler(WallClock.javaClocks()).assemble(new CorrelatedEvent(e, trace, new byte[8], 1, r));
    }
}
