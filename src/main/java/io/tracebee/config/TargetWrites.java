package io.tracebee.config;

import java.util.Locale;

/**
 * {@code TRACEBEE_TARGET_WRITES}: whether tracebee may change what a traced process does.
 *
 * <ul>
 *   <li>{@code auto} (default): a feature writes only where it needs to and the kernel allows it. Today no probe
 *       writes process memory ({@code bpf_probe_write_user}, refused under kernel lockdown anyway); the one change
 *       made to a target's traffic is the {@code traceparent} header added to outgoing HTTP requests, in the
 *       socket layer (sk_msg), which {@code TRACEBEE_HTTP_INJECT=off} also turns off.</li>
 *   <li>{@code off}: observe only. Nothing is written into a process and nothing is added to what it sends;
 *       same-host links between traced processes still work (they are read from sockets), links to processes on
 *       other hosts need the application's own propagation.</li>
 * </ul>
 */
public enum TargetWrites {
    AUTO,
    OFF;

    /** Parses the setting; null or blank is {@link #AUTO}. */
    public static TargetWrites parse(String value) {
        if (value == null || value.isBlank()) {
            return AUTO;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "off" -> OFF;
            default -> throw new IllegalArgumentException(Knob.TARGET_WRITES.env() + " must be auto or off, got \""
                    + value.trim() + "\"");
        };
    }

    public boolean allowed() {
        return this == AUTO;
    }
}
