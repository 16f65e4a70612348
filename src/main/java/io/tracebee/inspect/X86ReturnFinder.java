package io.tracebee.inspect;

import io.tracebee.inspect.TargetInspectionException.Reason;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** Walks a function instruction by instruction with {@link X86Decoder} and keeps the near returns. */
final class X86ReturnFinder implements ReturnFinder {

    @Override
    public long[] findReturns(String function, long address, ByteBuffer code) {
        X86Decoder decoder = new X86Decoder();
        long[] out = new long[4];
        int n = 0;
        int limit = code.limit();
        int pos = 0;
        while (pos < limit) {
            try {
                pos += decoder.decode(code, pos, limit);
            } catch (X86Decoder.InvalidInstructionException e) {
                throw undecodable(function, address, code, e);
            }
            if (decoder.isReturn()) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, n * 2);
                }
                out[n++] = address + pos - decoder.length();
            }
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * Calls are {@code E8 rel32}, the target relative to the next instruction. A cheap scan for that pattern
     * first: most functions have no such call, and only those that do are decoded to check the boundary.
     */
    @Override
    public long[] findCalls(String function, long address, ByteBuffer code, long target) {
        int limit = code.limit();
        ByteBuffer le = code.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        boolean any = false;
        for (int i = 0; i + 5 <= limit && !any; i++) {
            any = (code.get(i) & 0xff) == 0xe8 && address + i + 5 + le.getInt(i + 1) == target;
        }
        if (!any) {
            return new long[0];
        }
        X86Decoder decoder = new X86Decoder();
        long[] out = new long[2];
        int n = 0;
        int pos = 0;
        while (pos < limit) {
            int at = pos;
            try {
                pos += decoder.decode(code, pos, limit);
            } catch (X86Decoder.InvalidInstructionException e) {
                throw undecodable(function, address, code, e);
            }
            if (decoder.length() == 5 && decoder.prefixCount() == 0 && decoder.opcodeMap() == X86Decoder.MAP_LEGACY
                    && decoder.opcode() == 0xe8 && address + pos + le.getInt(at + 1) == target) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, n * 2);
                }
                out[n++] = address + at;
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static TargetInspectionException undecodable(String function, long address, ByteBuffer code,
                                                         X86Decoder.InvalidInstructionException e) {
        int at = e.position();
        StringBuilder bytes = new StringBuilder();
        for (int i = at; i < Math.min(code.limit(), at + X86Decoder.MAX_LENGTH); i++) {
            bytes.append(String.format(" %02x", code.get(i) & 0xff));
        }
        return new TargetInspectionException(Reason.MALFORMED, null, String.format(
                "cannot decode function %s at offset +0x%x (address 0x%x): %s; bytes:%s",
                function, at, address + at, e.getMessage(), bytes), e);
    }
}
