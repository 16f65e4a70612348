package io.tracebee.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tracebee.export.TestSpans;
import jakarta.ws.rs.NotFoundException;
import org.junit.jupiter.api.Test;

/** The resource without the Quarkus runtime: delegation, limits and the JSON shape the page reads. */
class TraceResourceTest {

    @Test
    void listsAndShowsTraces() throws Exception {
        TraceStore store = new TraceStore(10, 100);
        store.add(TestSpans.many(3));
        store.add(java.util.List.of(TestSpans.span(TestSpans.TRACE_ID, "0000000000000001", null, "GET /books", 5_000_000,
                17_300_000)));
        TraceResource resource = new TraceResource(store);

        assertThat(resource.list(2, null)).hasSize(2);
        assertThat(resource.list(0, null)).hasSize(1);
        assertThat(resource.list(50, "nobody")).isEmpty();

        ObjectMapper json = new ObjectMapper();
        JsonNode summary = json.valueToTree(resource.list(50, "bookshop").get(0));
        assertThat(summary.get("traceId").asText()).isEqualTo(TestSpans.TRACE_ID);
        assertThat(summary.get("rootName").asText()).isEqualTo("GET /books");
        assertThat(summary.get("durationMs").asDouble()).isEqualTo(12.3);
        assertThat(summary.get("spanCount").asInt()).isEqualTo(1);
        assertThat(summary.get("error").asBoolean()).isFalse();
        assertThat(summary.has("startEpochMillis")).isTrue();

        JsonNode detail = json.valueToTree(resource.get(TestSpans.TRACE_ID));
        JsonNode span = detail.at("/spans/0");
        assertThat(span.get("spanId").asText()).isEqualTo("0000000000000001");
        assertThat(span.get("parentSpanId").asText()).isEmpty();
        assertThat(span.get("startTimeUnixNano").isTextual()).isTrue();
        assertThat(span.get("kind").asText()).isEqualTo("INTERNAL");
        assertThat(span.get("statusCode").asText()).isEqualTo("UNSET");
        assertThat(span.at("/resource/service.name").asText()).isEqualTo("bookshop");
        assertThat(span.at("/resource/process.pid").asLong()).isEqualTo(4242);

        assertThatThrownBy(() -> resource.get("ffffffffffffffffffffffffffffffff"))
                .isInstanceOf(NotFoundException.class);
    }
}
