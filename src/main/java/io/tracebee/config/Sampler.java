package io.tracebee.config;

import java.util.Locale;

/**
 * The trace sampler, from {@code OTEL_TRACES_SAMPLER} and {@code OTEL_TRACES_SAMPLER_ARG} as the OpenTelemetry
 * specification names them: {@code always_on}, {@code always_off}, {@code traceidratio},
 * {@code parentbased_always_on} (the default), {@code parentbased_always_off}, {@code parentbased_traceidratio}.
 * The kernel applies it where a trace enters a traced process (see tb_common.h): a new root is sampled by the
 * root sampler; a span continuing a parent in another process follows the parent's sampled flag under the
 * parent-based samplers, else the root sampler; spans inside a process follow their parent, so a trace is
 * sampled consistently. The ratio sampler decides on the trace id as the Go SDK's {@code TraceIDRatioBased}
 * does, so a Go SDK with the same ratio agrees on every trace.
 *
 * @param root what decides a trace with no parent: 0 always on, 1 always off, 2 by ratio (tb_common.h)
 * @param parentBased whether a remote parent's sampled flag is followed
 * @param ratio the probability of the ratio sampler, in [0, 1]
 */
public record Sampler(int root, boolean parentBased, double ratio) {
    public static final int ALWAYS_ON = 0;
    public static final int ALWAYS_OFF = 1;
    public static final int RATIO = 2;
    public static final Sampler DEFAULT = new Sampler(ALWAYS_ON, true, 1.0);

    /** The sampler the variables name; a name or argument that is not one fails with a message saying so. */
    public static Sampler parse(String name, String arg) {
        if (name == null || name.isBlank()) {
            return DEFAULT;
        }
        String n = name.trim().toLowerCase(Locale.ROOT);
        boolean parentBased = n.startsWith("parentbased_");
        String root = parentBased ? n.substring("parentbased_".length()) : n;
        return switch (root) {
            case "always_on" -> new Sampler(ALWAYS_ON, parentBased, 1.0);
            case "always_off" -> new Sampler(ALWAYS_OFF, parentBased, 0.0);
            case "traceidratio" -> new Sampler(RATIO, parentBased, ratio(arg));
            default -> throw new IllegalArgumentException(Knob.TRACES_SAMPLER.env() + "=" + name + " is not a "
                    + "sampler tracebee has; use always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off or "
                    + "parentbased_traceidratio");
        };
    }

    private static double ratio(String arg) {
        if (arg == null || arg.isBlank()) {
            return 1.0;  // the specification's default
        }
        double r;
        try {
            r = Double.parseDouble(arg.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(Knob.TRACES_SAMPLER_ARG.env() + "=" + arg + " is not a number; "
                    + "traceidratio takes a probability from 0 to 1, e.g. 0.25");
        }
        if (!(r >= 0 && r <= 1)) {
            throw new IllegalArgumentException(Knob.TRACES_SAMPLER_ARG.env() + "=" + arg + " is outside [0, 1]");
        }
        return r;
    }

    /** The kernel's bound (as unsigned 64 bits): sampled when (last 8 trace-id bytes, big-endian) >> 1 is below it. */
    public long bound() {
        if (ratio >= 1) {
            return Long.MIN_VALUE;  // 2^63
        }
        return (long) (ratio * 0x1p63);
    }

    /** Whether a trace with this id starts sampled (what the kernel decides, for tests and the docs). */
    public boolean samples(byte[] traceId) {
        if (root == ALWAYS_OFF) {
            return false;
        }
        if (root == ALWAYS_ON) {
            return true;
        }
        long x = 0;
        for (int i = 8; i < 16; i++) {
            x = x << 8 | (traceId[i] & 0xff);
        }
        return Long.compareUnsigned(x >>> 1, bound()) < 0;
    }

    @Override
    public String toString() {
        String r = switch (root) {
            case ALWAYS_ON -> "always_on";
            case ALWAYS_OFF -> "always_off";
            default -> "traceidratio(" + ratio + ")";
        };
        return parentBased ? "parentbased_" + r : r;
    }
}
