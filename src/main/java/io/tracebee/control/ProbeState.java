package io.tracebee.control;

/**
 * What became of one probe on one target.
 *
 * @param library the instrumented library, e.g. "net/http"
 * @param state "attached", "skipped", or "detached" (its target's process exited)
 * @param reason why a probe was skipped or detached; null when attached
 * @param uprobes number of uprobes placed (entry + one per RET)
 * @param offsetSource where struct offsets came from: "dwarf", "table", or null
 */
public record ProbeState(String library, String state, String reason, int uprobes, String offsetSource) {
    public static final String ATTACHED = "attached";
    public static final String SKIPPED = "skipped";
    public static final String DETACHED = "detached";

    public static ProbeState attached(String library, int uprobes, String offsetSource) {
        return new ProbeState(library, ATTACHED, null, uprobes, offsetSource);
    }

    public static ProbeState skipped(String library, String reason) {
        return new ProbeState(library, SKIPPED, reason, 0, null);
    }

    /** This probe, detached because its process exited (a skipped one stays skipped). */
    public ProbeState detached() {
        return state.equals(ATTACHED) ? new ProbeState(library, DETACHED, "the process exited", 0, offsetSource) : this;
    }
}
