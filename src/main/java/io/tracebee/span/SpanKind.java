package io.tracebee.span;

/** OpenTelemetry span kinds, numbered as in the OTLP protocol. */
public enum SpanKind {
    UNSPECIFIED(0), INTERNAL(1), SERVER(2), CLIENT(3), PRODUCER(4), CONSUMER(5);

    private final int otlp;

    SpanKind(int otlp) {
        this.otlp = otlp;
    }

    public int otlpNumber() {
        return otlp;
    }
}
