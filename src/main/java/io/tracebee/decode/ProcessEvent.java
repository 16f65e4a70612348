package io.tracebee.decode;

/**
 * A process the control plane waits for ({@code struct tb_process_event}): it exec'd a new program, or it
 * exited. Not a span: the correlate stage hands it to the control plane.
 *
 * @param exec true for an exec ({@code TB_PROCESS_EXEC}), false for an exit
 */
public record ProcessEvent(EventHeader header, boolean exec) implements TracedEvent {
    public int pid() {
        return header.pid();
    }
}
