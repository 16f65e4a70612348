package io.tracebee.span;

/**
 * A time-stamped annotation inside a span (OTLP {@code Span.Event}), e.g. a recorded exception.
 *
 * @param epochNanos when it happened, nanoseconds since the Unix epoch
 * @param droppedAttributes attributes the producer discarded (OTLP's unsigned count)
 */
public record SpanEvent(String name, long epochNanos, Attributes attributes, int droppedAttributes) {

    public SpanEvent {
        name = name == null ? "" : name;
        attributes = attributes == null ? Attributes.empty() : attributes;
    }

    public SpanEvent(String name, long epochNanos, Attributes attributes) {
        this(name, epochNanos, attributes, 0);
    }
}
