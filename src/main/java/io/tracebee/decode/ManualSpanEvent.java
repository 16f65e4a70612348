package io.tracebee.decode;

/**
 * A span the application made by hand, as its SDK serialised it when it ended, reassembled from the kernel's
 * chunks; the header carries the ids tracebee gave it and its parent.
 *
 * @param source {@code EventLayout.MANUAL_*}: which SDK made it (the OpenTelemetry Go Auto SDK: OTLP/JSON)
 * @param body the serialised span; cut short when {@link #truncated()}
 * @param truncated the buffer was longer than the kernel sends ({@code MANUAL_MAX_CHUNKS} chunks)
 * @param startedBeforeAttach the span began before the probe was attached: its ids were made at its end
 */
public record ManualSpanEvent(EventHeader header, int source, byte[] body, boolean truncated,
        boolean startedBeforeAttach) implements TracedEvent {
}
