package io.tracebee.inspect;

import java.nio.ByteBuffer;

/**
 * Finds every return instruction of a function, because Go programs cannot use uretprobes (the runtime moves
 * goroutine stacks, and a uretprobe rewrites the return address on the stack): return probes are uprobes placed
 * on each return instruction instead.
 */
public interface ReturnFinder {

    /** The finder for an architecture's instruction set. */
    static ReturnFinder forArch(Arch arch) {
        return switch (arch) {
            case X86_64 -> new X86ReturnFinder();
            case AARCH64 -> new Arm64ReturnFinder();
        };
    }

    /**
     * The virtual addresses of every return instruction in {@code code}, a function's bytes starting at virtual
     * address {@code address}, in ascending order.
     *
     * @param function the function's name, for the error message
     * @throws TargetInspectionException {@code MALFORMED}, naming the function and offset, if the bytes cannot be
     *                                   decoded (no guessing where the next instruction starts)
     */
    long[] findReturns(String function, long address, ByteBuffer code);

    /**
     * The virtual addresses of every direct call to {@code target} in {@code code} (laid out as for
     * {@link #findReturns}), in ascending order. Only the instruction boundaries are trusted: a byte pattern
     * that merely looks like such a call inside another instruction is not one.
     *
     * @throws TargetInspectionException {@code MALFORMED} as for {@link #findReturns}
     */
    long[] findCalls(String function, long address, ByteBuffer code, long target);
}
