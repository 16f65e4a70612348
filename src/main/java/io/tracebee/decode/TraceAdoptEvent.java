package io.tracebee.decode;

/**
 * An automatic span that began its trace in this process takes the trace id of a span the application's own
 * OpenTelemetry SDK began a trace with inside it ({@code struct tb_trace_adopt_event}): the header's span
 * context is the automatic span's. Not a span: the correlate stage applies it to the spans of that trace.
 *
 * @param traceId the SDK's trace id, 16 bytes
 */
public record TraceAdoptEvent(EventHeader header, byte[] traceId) implements TracedEvent {
}
