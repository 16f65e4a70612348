package io.tracebee.inspect;

import io.tracebee.inspect.TargetInspectionException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GoBinaryTest {

    private static final String SERVE_HTTP = "net/http.serverHandler.ServeHTTP";

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"1.23", "1.24", "1.25", "1.26"})
    void locatesFunctionsAndTheirReturnsInTheFile(String goMinor) throws Exception {
        Path file = Fixtures.httpServer(goMinor);
        GoBinary binary = GoBinary.open(file);
        assertThat(binary.goVersion().minorVersion()).isEqualTo(goMinor);
        assertThat(binary.arch()).isEqualTo(Arch.X86_64);
        assertThat(binary.isStripped()).isFalse();

        GoFunction serve = binary.requireFunction(SERVE_HTTP);
        assertThat(serve.source()).isEqualTo(GoFunction.Source.SYMBOL_TABLE);
        assertThat(serve.entry()).isEqualTo(binary.elf().symbol(SERVE_HTTP).orElseThrow().value());
        assertThat(fileBytes(file, serve.entryOffset(), 4)).containsExactly(0x49, 0x3b, 0x66, 0x10);
        long[] rets = serve.returnOffsets();
        assertThat(rets).isNotEmpty();
        for (long off : rets) {
            assertThat(off).isBetween(serve.entryOffset(), serve.entryOffset() + serve.size() - 1);
            assertThat(fileBytes(file, off, 1)[0]).isEqualTo(0xc3);
        }
        assertThat(serve.returnAddresses()[0] - serve.entry()).isEqualTo(rets[0] - serve.entryOffset());

        assertThat(binary.function("net/http.(*conn).serve")).isPresent();
        assertThat(binary.function("net/http.(*ServeMux).ServeHTTP")).isPresent();
        // assembly: .symtab says "runtime.memequal.abi0" or "internal/bytealg.IndexByteString.abi0"
        assertThat(binary.function("internal/bytealg.IndexByteString.abi0")).isPresent();
        assertThat(binary.function("internal/bytealg.IndexByteString")).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.23", "1.26"})
    void goStatementsAreTheProgramsOwnCallsOfNewproc(String goMinor) throws Exception {
        for (Path file : List.of(Fixtures.httpServer(goMinor), Fixtures.strippedHttpServer(goMinor))) {
            GoBinary binary = GoBinary.open(file);
            GoFunction newproc = binary.requireFunction("runtime.newproc");
            long[] sites = binary.goStatements(newproc);
            // main: the /callasync closure, poolWorker, srv.Serve; none of net/http's own (one per connection
            // and one per request), nor the runtime's
            assertThat(sites).as("%s", file).hasSize(3);
            for (long site : sites) {
                int[] call = fileBytes(file, site, 5);
                assertThat(call[0]).isEqualTo(0xe8);
                long address = site - newproc.entryOffset() + newproc.entry();
                long target = address + 5 + (call[1] | call[2] << 8 | call[3] << 16 | call[4] << 24);
                assertThat(target).isEqualTo(newproc.entry());
                String in = binary.pclntab().functionAt(address).orElseThrow().name();
                assertThat(in).startsWith("main.");
            }
        }
    }

    @Test
    void ownCodeIsMainAndModulePaths() {
        assertThat(GoBinary.isOwnCode("main.main.func1")).isTrue();
        assertThat(GoBinary.isOwnCode("github.com/segmentio/kafka-go.(*Writer).WriteMessages")).isTrue();
        assertThat(GoBinary.isOwnCode("google.golang.org/grpc.(*Server).serveStreams.func1")).isTrue();
        assertThat(GoBinary.isOwnCode("golang.org/x/sync/errgroup.(*Group).Go")).isTrue();
        assertThat(GoBinary.isOwnCode("net/http.(*conn).serve")).isFalse();
        assertThat(GoBinary.isOwnCode("runtime.newproc")).isFalse();
        assertThat(GoBinary.isOwnCode("sync.(*WaitGroup).Go")).isFalse();
        assertThat(GoBinary.isOwnCode("vendor/golang.org/x/net/http2/hpack.(*Decoder).Write")).isFalse();
        assertThat(GoBinary.isOwnCode("internal/poll.(*FD).Read")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.23", "1.24", "1.25", "1.26"})
    void strippedProgramsUseThePclntab(String goMinor) throws Exception {
        Path file = Fixtures.strippedHttpServer(goMinor);
        GoBinary binary = GoBinary.open(file);
        assertThat(binary.isStripped()).isTrue();
        GoFunction serve = binary.requireFunction(SERVE_HTTP);
        assertThat(serve.source()).isEqualTo(GoFunction.Source.PCLNTAB);
        assertThat(fileBytes(file, serve.entryOffset(), 4)).containsExactly(0x49, 0x3b, 0x66, 0x10);
        assertThat(serve.returnOffsets()).isNotEmpty();
        for (long off : serve.returnOffsets()) {
            assertThat(fileBytes(file, off, 1)[0]).isEqualTo(0xc3);
        }
        assertThat(binary.function("internal/bytealg.IndexByteString.abi0")).isPresent();
        assertThat(binary.dwarf()).isEmpty();
    }

    @Test
    void aMissingFunctionIsNamed() {
        GoBinary binary = GoBinary.open(Fixtures.httpServer("1.26"));
        assertThat(binary.function("net/http.(*Server).NoSuchMethod")).isEmpty();
        assertThatThrownBy(() -> binary.requireFunction("net/http.(*Server).NoSuchMethod"))
                .isInstanceOfSatisfying(TargetInspectionException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.SYMBOL_MISSING))
                .hasMessageStartingWith(binary.path().toString())
                .hasMessageContaining("net/http.(*Server).NoSuchMethod");
    }

    @Test
    void aProgramThatIsNotGoIsRefusedByName() {
        Path ls = Path.of("/bin/ls");
        assertThatThrownBy(() -> GoBinary.open(ls))
                .isInstanceOfSatisfying(TargetInspectionException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.NOT_GO))
                .hasMessageMatching("/bin/ls is an ELF .*executable.* but not a Go program \\(no \\.go\\.buildinfo section\\)");
    }

    @Test
    void anOldGoReleaseIsRefusedWithItsVersion() throws Exception {
        // the go1.23 fixture with its build info patched to say go1.20
        Path copy = tmp.resolve("httpserver-go1.20");
        Files.copy(Fixtures.httpServer("1.23"), copy);
        ElfFile.Section info = ElfFile.open(copy).section(".go.buildinfo").orElseThrow();
        try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(64);
            ch.read(b, info.offset());
            String head = new String(b.array(), StandardCharsets.ISO_8859_1);
            int at = head.indexOf("go1.23");
            assertThat(at).isPositive();
            ch.write(ByteBuffer.wrap("go1.20".getBytes(StandardCharsets.US_ASCII)), info.offset() + at);
        }
        assertThatThrownBy(() -> GoBinary.open(copy))
                .isInstanceOfSatisfying(TargetInspectionException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_GO_VERSION))
                .hasMessageMatching(".*httpserver-go1.20 was built with Go go1\\.20\\.\\d+, which is not supported;"
                        + " tracebee supports Go 1.23 and newer");
    }

    @Test
    void goWithoutBuildInfoIsTooOld() throws Exception {
        byte[] elf = new ElfBuilder().text(0x401000, new byte[] {(byte) 0xc3})
                .section(".gopclntab", ElfFile.SHT_PROGBITS, ElfFile.SHF_ALLOC, 0x500000, new byte[64]).build();
        assertOpenFails(write("go1.12", elf), Reason.UNSUPPORTED_GO_VERSION, "built before Go 1.13");
    }

    @Test
    void otherArchitecturesAndFileKindsAreRefused() throws Exception {
        byte[] riscv = new ElfBuilder().machine(243).text(0x10000, new byte[4]).build();
        assertOpenFails(write("riscv", riscv), Reason.UNSUPPORTED_ARCH, "for RISC-V; tracebee supports x86-64 and arm64");
        byte[] core = new ElfBuilder().type(ElfFile.ET_CORE).text(0x10000, new byte[4]).build();
        assertOpenFails(write("core", core), Reason.NOT_ELF, "is an ELF core dump, not a program");
        assertOpenFails(write("notes.txt", "just text".getBytes()), Reason.NOT_ELF, "is not an ELF file");
        assertOpenFails(tmp.resolve("nope"), Reason.NOT_FOUND, "does not exist");
    }

    @Test
    void arm64ProgramsGetReturnsFromRetWords() throws Exception {
        // stp x29, x30, [sp, #-16]!; cbz x0, +8; ret; ldp x29, x30, [sp], #16; ret
        byte[] code = java.util.HexFormat.of().parseHex("fd7bbfa9400000b4c0035fd6fd7bc1a8c0035fd6");
        byte[] buildInfo = ElfBuilder.buildInfo("go1.25.3", "path\texample.com/a\nmod\texample.com/a\t(devel)\t\n");
        byte[] elf = new ElfBuilder().machine(183)
                .text(0x10000, code)
                .section(".go.buildinfo", ElfFile.SHT_PROGBITS, ElfFile.SHF_ALLOC | ElfFile.SHF_WRITE, 0x20000,
                        buildInfo)
                .symbol("main.handler", 0x10000, code.length, ElfFile.STT_FUNC)
                .build();
        Path file = write("arm64", elf);
        GoBinary binary = GoBinary.open(file);
        assertThat(binary.arch()).isEqualTo(Arch.AARCH64);
        assertThat(binary.goVersion().minorVersion()).isEqualTo("1.25");
        assertThat(binary.buildInfo().mainPath()).isEqualTo("example.com/a");
        GoFunction f = binary.requireFunction("main.handler");
        long textOffset = binary.elf().section(".text").orElseThrow().offset();
        assertThat(f.entryOffset()).isEqualTo(textOffset);
        assertThat(f.returnOffsets()).containsExactly(textOffset + 8, textOffset + 16);
        assertThat(binary.dwarf()).isEmpty();
    }

    @Test
    void undecodableCodeNamesFileFunctionAndOffset() throws Exception {
        byte[] code = {0x55, 0x48, (byte) 0x89, (byte) 0xe5, 0x06, (byte) 0xc3};
        byte[] elf = new ElfBuilder()
                .text(0x401000, code)
                .section(".go.buildinfo", ElfFile.SHT_PROGBITS, ElfFile.SHF_ALLOC | ElfFile.SHF_WRITE, 0x500000,
                        ElfBuilder.buildInfo("go1.26.0", ""))
                .symbol("main.bad", 0x401000, code.length, ElfFile.STT_FUNC)
                .build();
        Path file = write("bad", elf);
        GoFunction f = GoBinary.open(file).requireFunction("main.bad");
        assertThatThrownBy(f::returnOffsets)
                .isInstanceOfSatisfying(TargetInspectionException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
                    assertThat(e.path()).isEqualTo(file);
                })
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining("main.bad at offset +0x4 (address 0x401004)");
    }

    @Test
    void truncatedProgramsAreMalformed() throws Exception {
        byte[] whole = Files.readAllBytes(Fixtures.httpServer("1.26"));
        assertOpenFails(write("half", java.util.Arrays.copyOf(whole, whole.length / 2)), Reason.MALFORMED,
                "outside the file");
    }

    @Test
    void corruptBytesOnlyEverRaiseTargetInspectionException() throws Exception {
        byte[] code = java.util.HexFormat.of().parseHex("55488be5488b4424084883c4105dc3cc");
        byte[] pristine = new ElfBuilder()
                .text(0x401000, code)
                .section(".go.buildinfo", ElfFile.SHT_PROGBITS, ElfFile.SHF_ALLOC | ElfFile.SHF_WRITE, 0x500000,
                        ElfBuilder.buildInfo("go1.26.0", "path\tx\nmod\tx\t(devel)\t\nbuild\tGOARCH=amd64\n"))
                .section(".gopclntab", ElfFile.SHT_PROGBITS, ElfFile.SHF_ALLOC, 0x600000,
                        toArray(GoPclntabTest.table(0xfffffff1, 0, "main.a", "main.b")))
                .symbol("main.f", 0x401000, code.length, ElfFile.STT_FUNC)
                .build();
        java.util.Random random = new java.util.Random(42);
        Path file = tmp.resolve("fuzzed");
        for (int round = 0; round < 1000; round++) {
            byte[] b = pristine.clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            }
            Files.write(file, b);
            try {
                GoBinary binary = GoBinary.open(file);
                binary.function("main.f").ifPresent(GoFunction::returnOffsets);
                binary.function("main.b").ifPresent(GoFunction::returnOffsets);
                binary.dwarf();
            } catch (TargetInspectionException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }

    private static byte[] toArray(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private void assertOpenFails(Path p, Reason reason, String text) {
        assertThatThrownBy(() -> GoBinary.open(p))
                .isInstanceOfSatisfying(TargetInspectionException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageStartingWith(p.toString())
                .hasMessageContaining(text);
    }

    private Path write(String name, byte[] bytes) throws Exception {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static int[] fileBytes(Path file, long offset, int n) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(n);
            ch.read(b, offset);
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = b.get(i) & 0xff;
            }
            return out;
        }
    }
}
