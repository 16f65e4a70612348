package io.tracebee.inspect;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Decodes every function of real Go programs and compares each instruction boundary and every RET with
 * {@code objdump -d} of the same file, which restarts at each symbol, as we start at each function entry.
 */
class X86ObjdumpOracleTest {

    /**
     * The one place Go puts data inside a function: {@code crypto/internal/boring/sig} marker functions are
     * {@code jmp +0x1d} over 29 bytes of signature, then {@code ret}. No linear-sweep disassembler (objdump
     * included) can follow them, and nothing probes them.
     */
    private static final String MARKER_PACKAGE = "crypto/internal/boring/sig.";

    @ParameterizedTest
    @ValueSource(strings = {"1.23", "1.26"})
    void instructionBoundariesAndReturnsAgreeWithObjdumpForEveryFunction(String goMinor) throws Exception {
        Path file = Fixtures.httpServer(goMinor);
        Objdump objdump = Objdump.run(file);
        GoBinary binary = GoBinary.open(file);
        List<GoPclntab.Function> functions = binary.pclntab().functions();
        assertThat(functions).hasSizeGreaterThan(1000);

        X86Decoder decoder = new X86Decoder();
        ReturnFinder finder = ReturnFinder.forArch(Arch.X86_64);
        List<String> mismatches = new ArrayList<>();
        long instructions = 0;
        long returns = 0;
        for (GoPclntab.Function f : functions) {
            if (f.name().startsWith(MARKER_PACKAGE)) {
                continue;
            }
            ByteBuffer code = binary.elf().bytesAt(f.entry(), f.size()).orElseThrow();
            long[] expected = objdump.instructionsIn(f.entry(), f.end());
            long[] actual = new long[expected.length + 16];
            int n = 0;
            for (int pos = 0; pos < code.limit(); ) {
                if (n == actual.length) {
                    actual = Arrays.copyOf(actual, n * 2);
                }
                actual[n++] = f.entry() + pos;
                pos += decoder.decode(code, pos, code.limit());
            }
            actual = Arrays.copyOf(actual, n);
            instructions += n;
            if (!Arrays.equals(actual, expected)) {
                mismatches.add(f.name() + ": first difference at 0x"
                        + Long.toHexString(firstDifference(actual, expected)));
            }
            long[] rets = finder.findReturns(f.name(), f.entry(), code);
            returns += rets.length;
            long[] expectedRets = objdump.returnsIn(f.entry(), f.end());
            if (!Arrays.equals(rets, expectedRets)) {
                mismatches.add(f.name() + ": RETs " + hex(rets) + " but objdump says " + hex(expectedRets));
            }
        }
        System.out.printf("go%s: %d functions, %d instructions, %d RETs agree with objdump%n",
                goMinor, functions.size(), instructions, returns);
        assertThat(mismatches).as("functions where the decoder disagrees with objdump").isEmpty();
        assertThat(returns).isGreaterThan(functions.size() / 2);
    }

    private static long firstDifference(long[] a, long[] b) {
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            if (a[i] != b[i]) {
                return Math.min(a[i], b[i]);
            }
        }
        return a.length < b.length ? b[a.length] : a[b.length];
    }

    private static String hex(long[] a) {
        StringBuilder sb = new StringBuilder("[");
        for (long v : a) {
            sb.append(sb.length() > 1 ? " " : "").append(Long.toHexString(v));
        }
        return sb.append(']').toString();
    }

    /** Instruction start addresses and RET addresses from {@code objdump -d --no-show-raw-insn}. */
    static final class Objdump {
        private final long[] starts;
        private final long[] rets;

        private Objdump(long[] starts, long[] rets) {
            this.starts = starts;
            this.rets = rets;
        }

        static Objdump run(Path file) throws IOException, InterruptedException {
            Process p = new ProcessBuilder("objdump", "-d", "--no-show-raw-insn", "-w", "-j", ".text",
                    file.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            long[] starts = new long[1 << 20];
            long[] rets = new long[1 << 14];
            int n = 0;
            int r = 0;
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII), 1 << 16)) {
                String line;
                while ((line = in.readLine()) != null) {
                    // "  401000:\tmov    %fs:0xfffffffffffffff8,%rcx"
                    int colon = line.indexOf(":\t");
                    if (colon < 0 || !line.startsWith(" ")) {
                        continue;
                    }
                    long addr = Long.parseLong(line.substring(0, colon).strip(), 16);
                    if (n == starts.length) {
                        starts = Arrays.copyOf(starts, n * 2);
                    }
                    starts[n++] = addr;
                    if (isRet(line.substring(colon + 2))) {
                        if (r == rets.length) {
                            rets = Arrays.copyOf(rets, r * 2);
                        }
                        rets[r++] = addr;
                    }
                }
            }
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("objdump failed on " + file);
            }
            long[] s = Arrays.copyOf(starts, n);
            long[] rr = Arrays.copyOf(rets, r);
            Arrays.sort(s);
            Arrays.sort(rr);
            return new Objdump(s, rr);
        }

        /** "ret", "retq", "ret $0x8", "repz ret", "bnd ret", "data16 ret"... but not "lret"/"iret". */
        private static boolean isRet(String insn) {
            for (String word : insn.strip().split("\\s+")) {
                if (word.equals("ret") || word.equals("retq") || word.equals("retw")) {
                    return true;
                }
                if (!isPrefixWord(word)) {
                    return false;
                }
            }
            return false;
        }

        private static boolean isPrefixWord(String w) {
            return w.startsWith("rep") || w.equals("bnd") || w.equals("notrack") || w.startsWith("data")
                    || w.startsWith("addr") || w.startsWith("rex") || w.equals("lock") || w.equals("cs")
                    || w.equals("ds") || w.equals("es") || w.equals("ss") || w.equals("fs") || w.equals("gs");
        }

        long[] instructionsIn(long from, long to) {
            return range(starts, from, to);
        }

        long[] returnsIn(long from, long to) {
            return range(rets, from, to);
        }

        private static long[] range(long[] sorted, long from, long to) {
            int a = lowerBound(sorted, from);
            int b = lowerBound(sorted, to);
            return Arrays.copyOfRange(sorted, a, b);
        }

        private static int lowerBound(long[] a, long key) {
            int i = Arrays.binarySearch(a, key);
            if (i < 0) {
                return -i - 1;
            }
            while (i > 0 && a[i - 1] == key) {
                i--;
            }
            return i;
        }
    }
}
