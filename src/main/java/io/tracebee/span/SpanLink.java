package io.tracebee.span;

/**
 * A reference from a span to another span, in the same trace or another one (OTLP {@code Span.Link}).
 *
 * @param traceId 16 bytes
 * @param spanId 8 bytes
 * @param traceState W3C tracestate of the linked span context; "" when none
 * @param droppedAttributes attributes the producer discarded (OTLP's unsigned count)
 * @param flags OTLP link flags as the producer gave them: bits 0-7 the W3C trace flags, bits 8 and 9
 *     whether the linked context is known to be remote and is ({@link Span#FLAG_HAS_IS_REMOTE},
 *     {@link Span#FLAG_IS_REMOTE}); 0 when unknown
 */
public record SpanLink(
        byte[] traceId,
        byte[] spanId,
        String traceState,
        Attributes attributes,
        int droppedAttributes,
        int flags) {

    public SpanLink {
        traceState = traceState == null ? "" : traceState;
        attributes = attributes == null ? Attributes.empty() : attributes;
    }

    public String traceIdHex() {
        return Hex.encode(traceId);
    }

    public String spanIdHex() {
        return Hex.encode(spanId);
    }
}
