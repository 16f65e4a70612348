package io.tracebee.inspect;

import java.nio.ByteBuffer;

/**
 * An x86-64 instruction length decoder: legacy prefixes, REX, the one-byte and 0F / 0F38 / 0F3A opcode maps,
 * ModRM / SIB / displacement, immediates (with the operand-size and address-size prefix effects), VEX, EVEX and
 * XOP. It decodes only as much as it takes to know where an instruction ends and which opcode it is; it does not
 * check operands. Bytes that are no instruction in 64-bit mode are reported, not skipped.
 *
 * <p>One instance is reused for a whole function: {@link #decode} returns the length and leaves the opcode map and
 * opcode of the last instruction readable. Not thread-safe.
 */
public final class X86Decoder {

    /** The architectural limit; longer byte sequences fault. */
    public static final int MAX_LENGTH = 15;

    /** Opcode maps as VEX/EVEX number them; {@link #MAP_LEGACY} is the one-byte map. */
    public static final int MAP_LEGACY = 0;
    public static final int MAP_0F = 1;
    public static final int MAP_0F38 = 2;
    public static final int MAP_0F3A = 3;

    /** The encoding family of the last instruction. */
    public enum Encoding { LEGACY, VEX, EVEX, XOP }

    /** Bytes at an offset do not form an instruction this decoder knows. */
    public static final class InvalidInstructionException extends Exception {
        private static final long serialVersionUID = 1L;

        private final int position;

        InvalidInstructionException(int position, String message) {
            super(message);
            this.position = position;
        }

        /** The buffer position of the first byte of the instruction that could not be decoded. */
        public int position() {
            return position;
        }
    }

    // operand description per opcode
    private static final short MODRM = 1;
    private static final short IMM8 = 1 << 1;
    private static final short IMM16 = 1 << 2;
    /** 16 or 32 bits, by operand size; relative branches too. */
    private static final short IMMZ = 1 << 3;
    /** 16, 32 or 64 bits (mov r, imm). */
    private static final short IMMV = 1 << 4;
    /** 32 or 64-bit absolute address (mov al/eax, moffs), by address size. */
    private static final short MOFFS = 1 << 5;
    /** F6/F7: only TEST (ModRM.reg 0 or 1) has an immediate. */
    private static final short GROUP3 = 1 << 6;
    private static final short PREFIX = 1 << 7;
    private static final short INVALID = 1 << 8;
    private static final short ESCAPE = 1 << 9;

    private static final short[] ONE_BYTE = new short[256];
    private static final short[] TWO_BYTE = new short[256];

    static {
        for (int row = 0; row < 0x40; row += 8) {
            for (int i = 0; i < 4; i++) {
                ONE_BYTE[row + i] = MODRM;
            }
            ONE_BYTE[row + 4] = IMM8;
            ONE_BYTE[row + 5] = IMMZ;
            ONE_BYTE[row + 6] = INVALID;
            ONE_BYTE[row + 7] = INVALID;
        }
        ONE_BYTE[0x0f] = ESCAPE;
        for (int p : new int[] {0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3}) {
            ONE_BYTE[p] = PREFIX;
        }
        for (int i = 0x40; i < 0x50; i++) {
            ONE_BYTE[i] = PREFIX; // REX
        }
        // 0x50-0x5f push/pop: no operands
        ONE_BYTE[0x60] = INVALID;
        ONE_BYTE[0x61] = INVALID;
        ONE_BYTE[0x62] = ESCAPE; // EVEX in 64-bit mode
        ONE_BYTE[0x63] = MODRM;
        ONE_BYTE[0x68] = IMMZ;
        ONE_BYTE[0x69] = MODRM | IMMZ;
        ONE_BYTE[0x6a] = IMM8;
        ONE_BYTE[0x6b] = MODRM | IMM8;
        for (int i = 0x70; i < 0x80; i++) {
            ONE_BYTE[i] = IMM8;
        }
        ONE_BYTE[0x80] = MODRM | IMM8;
        ONE_BYTE[0x81] = MODRM | IMMZ;
        ONE_BYTE[0x82] = INVALID;
        ONE_BYTE[0x83] = MODRM | IMM8;
        for (int i = 0x84; i < 0x90; i++) {
            ONE_BYTE[i] = MODRM;
        }
        ONE_BYTE[0x8f] = MODRM | ESCAPE; // pop r/m, or XOP
        ONE_BYTE[0x9a] = INVALID;
        for (int i = 0xa0; i < 0xa4; i++) {
            ONE_BYTE[i] = MOFFS;
        }
        ONE_BYTE[0xa8] = IMM8;
        ONE_BYTE[0xa9] = IMMZ;
        for (int i = 0xb0; i < 0xb8; i++) {
            ONE_BYTE[i] = IMM8;
            ONE_BYTE[i + 8] = IMMV;
        }
        ONE_BYTE[0xc0] = MODRM | IMM8;
        ONE_BYTE[0xc1] = MODRM | IMM8;
        ONE_BYTE[0xc2] = IMM16;
        ONE_BYTE[0xc4] = ESCAPE; // VEX3
        ONE_BYTE[0xc5] = ESCAPE; // VEX2
        ONE_BYTE[0xc6] = MODRM | IMM8;
        ONE_BYTE[0xc7] = MODRM | IMMZ;
        ONE_BYTE[0xc8] = IMM16 | IMM8; // enter
        ONE_BYTE[0xca] = IMM16;
        ONE_BYTE[0xcd] = IMM8;
        ONE_BYTE[0xce] = INVALID;
        for (int i = 0xd0; i < 0xd4; i++) {
            ONE_BYTE[i] = MODRM;
        }
        ONE_BYTE[0xd4] = INVALID;
        ONE_BYTE[0xd5] = INVALID;
        ONE_BYTE[0xd6] = INVALID;
        for (int i = 0xd8; i < 0xe0; i++) {
            ONE_BYTE[i] = MODRM; // x87
        }
        for (int i = 0xe0; i < 0xe8; i++) {
            ONE_BYTE[i] = IMM8;
        }
        ONE_BYTE[0xe8] = IMMZ;
        ONE_BYTE[0xe9] = IMMZ;
        ONE_BYTE[0xea] = INVALID;
        ONE_BYTE[0xeb] = IMM8;
        ONE_BYTE[0xf6] = MODRM | GROUP3;
        ONE_BYTE[0xf7] = MODRM | GROUP3;
        ONE_BYTE[0xfe] = MODRM;
        ONE_BYTE[0xff] = MODRM;

        for (int i = 0; i < 256; i++) {
            TWO_BYTE[i] = MODRM;
        }
        for (int i : new int[] {0x04, 0x0a, 0x0c, 0x24, 0x25, 0x26, 0x27, 0x36, 0x39, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
            0x7a, 0x7b, 0xa6, 0xa7}) {
            TWO_BYTE[i] = INVALID;
        }
        for (int i : new int[] {0x05, 0x06, 0x07, 0x08, 0x09, 0x0b, 0x0e, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x37,
            0x77, 0xa0, 0xa1, 0xa2, 0xa8, 0xa9, 0xaa}) {
            TWO_BYTE[i] = 0;
        }
        TWO_BYTE[0x0f] = MODRM | IMM8; // 3DNow!: the opcode comes as an immediate
        TWO_BYTE[0x38] = ESCAPE;
        TWO_BYTE[0x3a] = ESCAPE;
        for (int i = 0x70; i < 0x74; i++) {
            TWO_BYTE[i] = MODRM | IMM8;
        }
        for (int i = 0x80; i < 0x90; i++) {
            TWO_BYTE[i] = IMMZ;
        }
        TWO_BYTE[0xa4] = MODRM | IMM8;
        TWO_BYTE[0xac] = MODRM | IMM8;
        TWO_BYTE[0xba] = MODRM | IMM8;
        TWO_BYTE[0xc2] = MODRM | IMM8;
        TWO_BYTE[0xc4] = MODRM | IMM8;
        TWO_BYTE[0xc5] = MODRM | IMM8;
        TWO_BYTE[0xc6] = MODRM | IMM8;
        for (int i = 0xc8; i < 0xd0; i++) {
            TWO_BYTE[i] = 0; // bswap
        }
    }

    private int length;
    private int map;
    private int opcode;
    private Encoding encoding;
    private int prefixCount;

    /**
     * Decodes the instruction at {@code pos}, which must end at or before {@code limit}.
     *
     * @return its length in bytes
     */
    public int decode(ByteBuffer code, int pos, int limit) throws InvalidInstructionException {
        int end = Math.min(limit, pos + MAX_LENGTH);
        int p = pos;
        boolean operand16 = false;
        boolean address32 = false;
        boolean rexW = false;
        boolean repne = false;
        int b;
        short flags;
        // prefixes
        while (true) {
            b = next(code, p++, end, pos, limit);
            flags = ONE_BYTE[b];
            if ((flags & PREFIX) == 0) {
                break;
            }
            if (b >= 0x40 && b <= 0x4f) {
                rexW = (b & 0x08) != 0;
                continue;
            }
            rexW = false; // a REX that is not last before the opcode is ignored
            if (b == 0x66) {
                operand16 = true;
            } else if (b == 0x67) {
                address32 = true;
            } else if (b == 0xf2) {
                repne = true;
            }
        }
        prefixCount = p - 1 - pos;
        encoding = Encoding.LEGACY;
        map = MAP_LEGACY;
        opcode = b;

        if ((flags & INVALID) != 0) {
            throw new InvalidInstructionException(pos, String.format("opcode 0x%02x is invalid in 64-bit mode", b));
        }
        if ((flags & ESCAPE) != 0) {
            switch (b) {
                case 0x0f -> {
                    int op = next(code, p++, end, pos, limit);
                    if (op == 0x38 || op == 0x3a) {
                        map = op == 0x38 ? MAP_0F38 : MAP_0F3A;
                        opcode = next(code, p++, end, pos, limit);
                        flags = op == 0x38 ? MODRM : MODRM | IMM8;
                    } else {
                        map = MAP_0F;
                        opcode = op;
                        flags = TWO_BYTE[op];
                        if ((flags & INVALID) != 0) {
                            throw new InvalidInstructionException(pos,
                                    String.format("opcode 0x0f 0x%02x is invalid", op));
                        }
                        if (op == 0x78 && (operand16 || repne)) {
                            flags = MODRM | IMM16; // SSE4a extrq / insertq: two 8-bit immediates
                        }
                    }
                }
                case 0xc4, 0xc5 -> {
                    return finishVex(code, p, end, pos, limit, b == 0xc4);
                }
                case 0x62 -> {
                    return finishEvex(code, p, end, pos, limit);
                }
                case 0x8f -> {
                    int next = next(code, p, end, pos, limit);
                    if ((next & 0x1f) >= 8) {
                        return finishXop(code, p, end, pos, limit);
                    }
                    flags = MODRM;
                }
                default -> throw new IllegalStateException();
            }
        }

        if ((flags & MODRM) != 0) {
            int modrm = next(code, p, end, pos, limit);
            p = skipModrm(code, p, end, pos, limit);
            if ((flags & GROUP3) != 0 && ((modrm >> 3) & 7) < 2) {
                flags |= opcode == 0xf6 ? IMM8 : IMMZ;
            }
        }
        int imm = 0;
        if ((flags & IMM8) != 0) {
            imm += 1;
        }
        if ((flags & IMM16) != 0) {
            imm += 2;
        }
        if ((flags & IMMZ) != 0) {
            imm += operand16 && !rexW ? 2 : 4;
        }
        if ((flags & IMMV) != 0) {
            imm += rexW ? 8 : operand16 ? 2 : 4;
        }
        if ((flags & MOFFS) != 0) {
            imm += address32 ? 4 : 8;
        }
        return finish(p + imm, end, pos, limit);
    }

    private int finishVex(ByteBuffer code, int p, int end, int pos, int limit, boolean threeByte)
            throws InvalidInstructionException {
        encoding = Encoding.VEX;
        int m = MAP_0F;
        int b1 = next(code, p++, end, pos, limit);
        if (threeByte) {
            m = b1 & 0x1f;
            next(code, p++, end, pos, limit);
            if (m < MAP_0F || m > MAP_0F3A) {
                throw new InvalidInstructionException(pos, "VEX prefix with unknown opcode map " + m);
            }
        }
        map = m;
        opcode = next(code, p++, end, pos, limit);
        if (m == MAP_0F && opcode == 0x77) {
            return finish(p, end, pos, limit); // vzeroupper / vzeroall
        }
        p = skipModrm(code, p, end, pos, limit);
        return finish(p + (hasVexImm8(m, opcode) ? 1 : 0), end, pos, limit);
    }

    private int finishEvex(ByteBuffer code, int p, int end, int pos, int limit) throws InvalidInstructionException {
        encoding = Encoding.EVEX;
        int p0 = next(code, p++, end, pos, limit);
        next(code, p++, end, pos, limit);
        next(code, p++, end, pos, limit);
        int m = p0 & 0x07;
        if (m == 0 || m == 4 || m == 7) {
            throw new InvalidInstructionException(pos, "EVEX prefix with unsupported opcode map " + m);
        }
        map = m;
        opcode = next(code, p++, end, pos, limit);
        p = skipModrm(code, p, end, pos, limit);
        return finish(p + (hasVexImm8(m, opcode) ? 1 : 0), end, pos, limit);
    }

    private int finishXop(ByteBuffer code, int p, int end, int pos, int limit) throws InvalidInstructionException {
        encoding = Encoding.XOP;
        int m = next(code, p++, end, pos, limit) & 0x1f;
        next(code, p++, end, pos, limit);
        if (m > 0x0a) {
            throw new InvalidInstructionException(pos, "XOP prefix with unknown opcode map " + m);
        }
        map = m;
        opcode = next(code, p++, end, pos, limit);
        p = skipModrm(code, p, end, pos, limit);
        int imm = m == 0x08 ? 1 : m == 0x0a ? 4 : 0;
        return finish(p + imm, end, pos, limit);
    }

    private static boolean hasVexImm8(int m, int op) {
        return m == MAP_0F3A || (m == MAP_0F && ((op >= 0x70 && op <= 0x73) || op == 0xc2 || (op >= 0xc4 && op <= 0xc6)));
    }

    /** Skips ModRM and any SIB and displacement starting at {@code p}; returns the position after them. */
    private static int skipModrm(ByteBuffer code, int p, int end, int pos, int limit)
            throws InvalidInstructionException {
        int modrm = next(code, p++, end, pos, limit);
        int mod = modrm >>> 6;
        int rm = modrm & 7;
        if (mod == 3) {
            return p;
        }
        int disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
        if (rm == 4) {
            int sib = next(code, p++, end, pos, limit);
            if (mod == 0 && (sib & 7) == 5) {
                disp = 4;
            }
        } else if (mod == 0 && rm == 5) {
            disp = 4; // RIP-relative
        }
        return p + disp;
    }

    private int finish(int after, int end, int pos, int limit) throws InvalidInstructionException {
        if (after > end) {
            if (after - pos > MAX_LENGTH) {
                throw new InvalidInstructionException(pos, "instruction longer than " + MAX_LENGTH + " bytes");
            }
            throw new InvalidInstructionException(pos, "instruction of " + (after - pos)
                    + " bytes runs past the end of the code (" + (limit - pos) + " bytes left)");
        }
        length = after - pos;
        return length;
    }

    private static int next(ByteBuffer code, int p, int end, int pos, int limit) throws InvalidInstructionException {
        if (p >= end) {
            if (p - pos >= MAX_LENGTH) {
                throw new InvalidInstructionException(pos, "instruction longer than " + MAX_LENGTH + " bytes");
            }
            throw new InvalidInstructionException(pos, "instruction runs past the end of the code ("
                    + (limit - pos) + " bytes left)");
        }
        return code.get(p) & 0xff;
    }

    /** Length of the last decoded instruction. */
    public int length() {
        return length;
    }

    /** Opcode map of the last decoded instruction ({@link #MAP_LEGACY}, {@link #MAP_0F}, ...). */
    public int opcodeMap() {
        return map;
    }

    /** The opcode byte of the last decoded instruction, within its map. */
    public int opcode() {
        return opcode;
    }

    public Encoding encoding() {
        return encoding;
    }

    /** How many prefix bytes (legacy and REX) precede the opcode or VEX/EVEX/XOP escape. */
    public int prefixCount() {
        return prefixCount;
    }

    /** True if the last instruction is a near return: {@code C3} or {@code C2 iw}, with any prefixes. */
    public boolean isReturn() {
        return encoding == Encoding.LEGACY && map == MAP_LEGACY && (opcode == 0xc3 || opcode == 0xc2);
    }
}
