package io.tracebee.inspect;

import java.util.Arrays;

/**
 * A function of a Go program, located for uprobes: its address range, the file offset of its entry (where an
 * entry probe goes) and the file offsets of its return instructions (where return probes go, decoded on first
 * use).
 */
public final class GoFunction {

    /** Where the function's address range came from. */
    public enum Source {
        /** {@code .symtab}: exact size. */
        SYMBOL_TABLE,
        /** {@code .gopclntab}: ends at the next function, so the range includes alignment padding. */
        PCLNTAB
    }

    private final GoBinary binary;
    private final String name;
    private final long entry;
    private final long end;
    private final long entryOffset;
    private final Source source;
    private volatile long[] returnAddresses;

    GoFunction(GoBinary binary, String name, long entry, long end, long entryOffset, Source source) {
        this.binary = binary;
        this.name = name;
        this.entry = entry;
        this.end = end;
        this.entryOffset = entryOffset;
        this.source = source;
    }

    /** The symbol name as Go writes it, e.g. {@code net/http.(*Transport).roundTrip}. */
    public String name() {
        return name;
    }

    /** Virtual address of the first instruction. */
    public long entry() {
        return entry;
    }

    /** Virtual address just past the function. */
    public long end() {
        return end;
    }

    public long size() {
        return end - entry;
    }

    /** File offset of the first instruction: what a uprobe on the entry is attached at. */
    public long entryOffset() {
        return entryOffset;
    }

    public Source source() {
        return source;
    }

    /**
     * Virtual addresses of every return instruction, in ascending order.
     *
     * @throws TargetInspectionException {@code MALFORMED} naming the function and offset if its code cannot be
     *                                   decoded
     */
    public long[] returnAddresses() {
        long[] r = returnAddresses;
        if (r == null) {
            r = binary.findReturns(this);
            returnAddresses = r;
        }
        return r.clone();
    }

    /** File offsets of every return instruction: what return uprobes are attached at. */
    public long[] returnOffsets() {
        long[] r = returnAddresses();
        long delta = entryOffset - entry; // a function never spans segments
        for (int i = 0; i < r.length; i++) {
            r[i] += delta;
        }
        return r;
    }

    @Override
    public String toString() {
        return String.format("%s [0x%x, 0x%x) @file 0x%x from %s", name, entry, end, entryOffset, source)
                + (returnAddresses == null ? "" : " returns " + Arrays.toString(returnOffsets()));
    }
}
