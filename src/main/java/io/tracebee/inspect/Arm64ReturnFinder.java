package io.tracebee.inspect;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * arm64 instructions are 4 bytes and aligned, so returns are the words encoding {@code RET Xn} (Go writes
 * {@code RET} = {@code ret x30}) or the pointer-authenticating {@code RETAA} / {@code RETAB}.
 */
final class Arm64ReturnFinder implements ReturnFinder {

    private static final int RET_MASK = 0xfffffc1f;
    private static final int RET = 0xd65f0000;
    private static final int RETAA = 0xd65f0bff;
    private static final int RETAB = 0xd65f0fff;

    @Override
    public long[] findReturns(String function, long address, ByteBuffer code) {
        ByteBuffer le = code.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[4];
        int n = 0;
        int skew = (int) (-address & 3); // entries are aligned; be safe anyway
        for (int pos = skew; pos + 4 <= le.limit(); pos += 4) {
            int insn = le.getInt(pos);
            if ((insn & RET_MASK) == RET || insn == RETAA || insn == RETAB) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, n * 2);
                }
                out[n++] = address + pos;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** {@code BL imm26}: the target is the instruction's address plus the signed word offset. */
    @Override
    public long[] findCalls(String function, long address, ByteBuffer code, long target) {
        ByteBuffer le = code.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[2];
        int n = 0;
        int skew = (int) (-address & 3);
        for (int pos = skew; pos + 4 <= le.limit(); pos += 4) {
            int insn = le.getInt(pos);
            if ((insn & 0xfc000000) == 0x94000000 && address + pos + ((long) (insn << 6 >> 6) << 2) == target) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, n * 2);
                }
                out[n++] = address + pos;
            }
        }
        return Arrays.copyOf(out, n);
    }
}
