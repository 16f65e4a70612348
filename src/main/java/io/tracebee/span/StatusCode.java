package io.tracebee.span;

/** OpenTelemetry span status codes, numbered as in the OTLP protocol. */
public enum StatusCode {
    UNSET(0), OK(1), ERROR(2);

    private final int otlp;

    StatusCode(int otlp) {
        this.otlp = otlp;
    }

    public int otlpNumber() {
        return otlp;
    }
}
