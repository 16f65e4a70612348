package io.tracebee.control;

/**
 * What became of one probe on one target.
 *
 * @param library the instrumented library, e.g. "net/http"
 * @param state "attached" or "skipped"
 * @param reason why a probe was skipped; null when attached
 * @param uprobes number of uprobes placed (entry + one per RET)
 * @param offsetSource where struct offsets came from: "dwarf", "table", or null
 */
public record ProbeState(String library, String state, String reason, int uprobes, String offsetSource) {
    public static final String ATTACHED = "attached";
    public static final String SKIPPED = "skipped";

    public static ProbeState attached(String library, int uprobes, String offsetSource) {
        return new ProbeState(library, ATTACHED, null, uprobes, offsetSource);
    }

    public static ProbeState skipped(String library, String reason) {
        return new ProbeState(library, SKIPPED, reason, 0, null);
    }
}
