package io.tracebee.span;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpanTest {

    @Test
    void theShortConstructorsMeanNoEventsLinksOrDrops() {
        Span s = new Span(new byte[16], new byte[8], new byte[8], 1, "x", SpanKind.INTERNAL, 1, 2,
                Attributes.empty(), StatusCode.UNSET, null, null, "net/http");
        assertThat(s.events()).isEmpty();
        assertThat(s.links()).isEmpty();
        assertThat(s.droppedAttributes() + s.droppedEvents() + s.droppedLinks()).isZero();
    }

    @Test
    void eventListsAreCopied() {
        List<SpanEvent> events = new ArrayList<>(List.of(new SpanEvent("e", 5, null)));
        Span s = new Span(new byte[16], new byte[8], new byte[8], 1, "x", SpanKind.INTERNAL, 1, 2,
                Attributes.empty(), StatusCode.UNSET, null, null, "net/http", "", false, events, null, 0, 0, 0);
        events.clear();
        assertThat(s.events()).containsExactly(new SpanEvent("e", 5, Attributes.empty(), 0));
        assertThat(s.links()).isEmpty();
    }
}
