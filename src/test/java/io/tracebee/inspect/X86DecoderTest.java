package io.tracebee.inspect;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class X86DecoderTest {

    /** Each row is exactly one instruction, as {@code objdump -D -b binary -m i386:x86-64} decodes it. */
    @ParameterizedTest(name = "{0}  {1}")
    @CsvSource(delimiter = '|', textBlock = """
            c3 | ret
            c2 08 00 | ret $0x8
            f3 c3 | repz ret
            f2 c3 | bnd ret
            66 c3 | retw
            90 | nop
            48 89 e5 | mov %rsp,%rbp
            48 8b 05 00 00 00 00 | mov 0x0(%rip),%rax
            48 8b 44 24 08 | mov 0x8(%rsp),%rax
            48 8b 04 25 78 56 34 12 | mov 0x12345678,%rax
            8b 84 24 00 01 00 00 | mov 0x100(%rsp),%eax
            41 8b 45 00 | mov 0x0(%r13),%eax
            48 b8 88 77 66 55 44 33 22 11 | movabs $0x1122334455667788,%rax
            b8 44 33 22 11 | mov $0x11223344,%eax
            66 b8 34 12 | mov $0x1234,%ax
            48 a1 88 77 66 55 44 33 22 11 | movabs 0x1122334455667788,%rax
            a0 88 77 66 55 44 33 22 11 | movabs 0x1122334455667788,%al
            67 a1 44 33 22 11 | addr32 mov 0x11223344,%eax
            67 48 a3 44 33 22 11 | addr32 mov %rax,0x11223344
            f6 c0 01 | test $0x1,%al
            f6 d0 | not %al
            f7 c1 44 33 22 11 | test $0x11223344,%ecx
            66 f7 c1 34 12 | test $0x1234,%cx
            48 f7 c1 44 33 22 11 | test $0x11223344,%rcx
            f7 d9 | neg %ecx
            f6 44 24 08 ff | testb $0xff,0x8(%rsp)
            f7 84 24 00 01 00 00 44 33 22 11 | testl $0x11223344,0x100(%rsp)
            66 0f 1f 44 00 00 | nopw 0x0(%rax,%rax,1)
            66 2e 0f 1f 84 00 00 00 00 00 | cs nopw 0x0(%rax,%rax,1)
            0f 1f 80 00 00 00 00 | nopl 0x0(%rax)
            e8 44 33 22 11 | call 0x11223349
            e9 44 33 22 11 | jmp 0x11223349
            66 e8 34 12 | callw 0x1238
            eb fe | jmp 0x0
            0f 84 44 33 22 11 | je 0x1122334a
            74 fe | je 0x0
            c8 10 00 00 | enter $0x10,$0x0
            69 c0 44 33 22 11 | imul $0x11223344,%eax,%eax
            6b c0 05 | imul $0x5,%eax,%eax
            66 68 34 12 | pushw $0x1234
            68 44 33 22 11 | push $0x11223344
            66 0f 3a 0f c1 08 | palignr $0x8,%xmm1,%xmm0
            66 0f 38 00 c1 | pshufb %xmm1,%xmm0
            0f a2 | cpuid
            0f 05 | syscall
            f3 0f 1e fa | endbr64
            f3 48 0f b8 c1 | popcnt %rcx,%rax
            0f ba e0 03 | bt $0x3,%eax
            c5 f8 77 | vzeroupper
            c5 fd 6f 06 | vmovdqa (%rsi),%ymm0
            c4 e2 7d 00 c1 | vpshufb %ymm1,%ymm0,%ymm0
            c4 e3 7d 0f c1 08 | vpalignr $0x8,%ymm1,%ymm0,%ymm0
            c5 f9 70 c1 1b | vpshufd $0x1b,%xmm1,%xmm0
            c5 f9 73 d8 04 | vpsrldq $0x4,%xmm0,%xmm0
            c4 e2 79 f7 c0 | shlx %eax,%eax,%eax
            62 f1 7c 48 10 06 | vmovups (%rsi),%zmm0
            62 f1 7c 48 10 46 01 | vmovups 0x40(%rsi),%zmm0
            62 f3 7d 48 25 c1 96 | vpternlogd $0x96,%zmm1,%zmm0,%zmm0
            62 f1 7d 48 73 d8 04 | vpsrldq $0x4,%zmm0,%zmm0
            62 f2 7d 48 7c c0 | vpbroadcastd %eax,%zmm0
            8f e8 78 c0 c1 04 | vprotb $0x4,%xmm1,%xmm0
            8f c0 | pop %rax
            d9 ee | fldz
            dd 44 24 08 | fldl 0x8(%rsp)
            f0 48 0f b1 0a | lock cmpxchg %rcx,(%rdx)
            66 0f 78 c0 01 02 | extrq $0x2,$0x1,%xmm0
            40 c3 | rex ret
            64 48 8b 04 25 f8 ff ff ff | mov %fs:0xfffffffffffffff8,%rax
            65 4c 8b 34 25 30 00 00 00 | mov %gs:0x30,%r14
            66 41 0f 6f 44 24 10 | movdqa 0x10(%r12),%xmm0
            f3 0f 6f 44 24 10 | movdqu 0x10(%rsp),%xmm0
            0f 0b | ud2
            cc | int3
            cd 03 | int $0x3
            ca 08 00 | lret $0x8
            cb | lret
            c6 f8 01 | xabort $0x1
            c7 f8 44 33 22 11 | xbegin 0x1122334a
            """)
    void decodesTheWholeInstruction(String hex, String objdump) throws Exception {
        ByteBuffer code = bytes(hex);
        X86Decoder d = new X86Decoder();
        assertThat(d.decode(code, 0, code.limit())).as(objdump).isEqualTo(code.limit());
        assertThat(d.isReturn()).as(objdump).isEqualTo(objdump.matches("((repz|bnd|rex) )*retw?( .*)?"));
    }

    @Test
    void reportsMapOpcodeAndEncoding() throws Exception {
        X86Decoder d = new X86Decoder();
        d.decode(bytes("66 0f 3a 0f c1 08"), 0, 6);
        assertThat(d.opcodeMap()).isEqualTo(X86Decoder.MAP_0F3A);
        assertThat(d.opcode()).isEqualTo(0x0f);
        assertThat(d.prefixCount()).isEqualTo(1);
        assertThat(d.encoding()).isEqualTo(X86Decoder.Encoding.LEGACY);
        d.decode(bytes("62 f3 7d 48 25 c1 96"), 0, 7);
        assertThat(d.encoding()).isEqualTo(X86Decoder.Encoding.EVEX);
        assertThat(d.opcodeMap()).isEqualTo(X86Decoder.MAP_0F3A);
        assertThat(d.opcode()).isEqualTo(0x25);
        d.decode(bytes("c5 f8 77"), 0, 3);
        assertThat(d.encoding()).isEqualTo(X86Decoder.Encoding.VEX);
        assertThat(d.opcode()).isEqualTo(0x77);
        // "ret" inside another instruction's opcode map is not a return
        d.decode(bytes("0f c3 0a"), 0, 3);
        assertThat(d.opcodeMap()).isEqualTo(X86Decoder.MAP_0F);
        assertThat(d.isReturn()).isFalse();
    }

    @Test
    void aRexFollowedByALegacyPrefixIsIgnoredForOperandSize() throws Exception {
        // the CPU ignores a REX that is not the last prefix: 48 66 b8 is mov ax, imm16
        X86Decoder d = new X86Decoder();
        assertThat(d.decode(bytes("48 66 b8 34 12"), 0, 5)).isEqualTo(5);
    }

    @Test
    void decodesASequenceAtTheGivenPosition() throws Exception {
        ByteBuffer code = bytes("55 48 89 e5 48 83 ec 10 e8 00 00 00 00 48 83 c4 10 5d c3");
        X86Decoder d = new X86Decoder();
        int[] lengths = new int[6];
        int pos = 0;
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = d.decode(code, pos, code.limit());
            pos += lengths[i];
        }
        assertThat(lengths).containsExactly(1, 3, 4, 5, 4, 1);
        assertThat(d.decode(code, pos, code.limit())).isEqualTo(1);
        assertThat(d.isReturn()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"06", "07", "0e", "1f", "27", "37", "60", "61", "82", "9a", "ce", "d4", "d5", "d6", "ea",
        "0f 04", "0f 0a", "0f 36", "c4 e0 7d 00 c1", "c4 e4 7d 00 c1", "62 f0 7c 48 10 06", "62 f4 7c 48 10 06"})
    void rejectsBytesThatAreNoInstructionIn64BitMode(String hex) {
        ByteBuffer code = bytes(hex);
        assertThatThrownBy(() -> new X86Decoder().decode(code, 0, code.limit()))
                .isInstanceOf(X86Decoder.InvalidInstructionException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"48", "e8 00 00 00", "48 8b 44 24", "f7 c1 00 00 00", "62 f1 7c", "c4 e2", "0f", "66 0f 38"})
    void rejectsAnInstructionThatRunsPastTheEnd(String hex) {
        ByteBuffer code = bytes(hex);
        assertThatThrownBy(() -> new X86Decoder().decode(code, 0, code.limit()))
                .isInstanceOf(X86Decoder.InvalidInstructionException.class)
                .hasMessageContaining("past the end");
    }

    @Test
    void rejectsMoreThanFifteenBytes() {
        ByteBuffer code = bytes("66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90");
        assertThatThrownBy(() -> new X86Decoder().decode(code, 0, code.limit()))
                .isInstanceOf(X86Decoder.InvalidInstructionException.class)
                .hasMessageContaining("longer than 15");
        ByteBuffer fourteen = bytes("66 66 66 66 66 66 66 66 66 66 66 66 66 90");
        assertThat(catchLength(fourteen)).isEqualTo(14);
    }

    @Test
    void returnFinderSkipsReturnBytesInsideOtherInstructions() {
        // mov eax, 0xc3c3c3c3; test al, 0xc3; je +2; repz ret; ret 8; int3
        ByteBuffer code = bytes("b8 c3 c3 c3 c3 a8 c3 74 02 f3 c3 c2 08 00 cc");
        long[] rets = ReturnFinder.forArch(Arch.X86_64).findReturns("main.f", 0x401000, code);
        assertThat(rets).containsExactly(0x401009L, 0x40100bL);
    }

    @Test
    void returnFinderNamesFunctionAndOffsetOfUndecodableBytes() {
        ByteBuffer code = bytes("55 48 89 e5 06 c3");
        assertThatThrownBy(() -> ReturnFinder.forArch(Arch.X86_64).findReturns("main.broken", 0x401000, code))
                .isInstanceOf(TargetInspectionException.class)
                .hasMessageContaining("main.broken")
                .hasMessageContaining("+0x4")
                .hasMessageContaining("0x401004")
                .hasMessageContaining("06 c3")
                .extracting(e -> ((TargetInspectionException) e).reason())
                .isEqualTo(TargetInspectionException.Reason.MALFORMED);
    }

    @Test
    void arm64ReturnFinderFindsRetWords() {
        // stp x29, x30, [sp, #-16]!; ret; nop; ret x1; retaa; b .
        ByteBuffer code = bytes("fd 7b bf a9 c0 03 5f d6 1f 20 03 d5 20 00 5f d6 ff 0b 5f d6 00 00 00 14");
        long[] rets = ReturnFinder.forArch(Arch.AARCH64).findReturns("main.f", 0x10000, code);
        assertThat(rets).containsExactly(0x10004L, 0x1000cL, 0x10010L);
    }

    private static int catchLength(ByteBuffer code) {
        try {
            return new X86Decoder().decode(code, 0, code.limit());
        } catch (X86Decoder.InvalidInstructionException e) {
            throw new AssertionError(e);
        }
    }

    static ByteBuffer bytes(String hex) {
        return ByteBuffer.wrap(HexFormat.of().parseHex(hex.replace(" ", "")));
    }
}
