package io.tracebee.inspect;

import io.tracebee.inspect.TargetInspectionException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.Deflater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ElfFileTest {

    @TempDir
    Path tmp;

    private static final byte[] CODE = {0x55, 0x48, (byte) 0x89, (byte) 0xe5, 0x5d, (byte) 0xc3};

    private ElfFile handMade() {
        byte[] elf = new ElfBuilder()
                .text(0x401000, CODE)
                .section(".rodata", ElfFile.SHT_PROGBITS, ElfFile.SHF_ALLOC, 0x500000, "hello\0".getBytes())
                .symbol("main.main", 0x401000, CODE.length, ElfFile.STT_FUNC)
                .symbol("main.msg", 0x500000, 6, ElfFile.STT_OBJECT)
                .build();
        return ElfFile.parse(ByteBuffer.wrap(elf), Path.of("/test/prog"));
    }

    @Test
    void readsHeaderSectionsSegmentsAndSymbols() {
        ElfFile elf = handMade();
        assertThat(elf.type()).isEqualTo(ElfFile.ET_EXEC);
        assertThat(elf.machine()).isEqualTo(62);
        assertThat(elf.arch()).contains(Arch.X86_64);
        assertThat(elf.entry()).isEqualTo(0x401000);
        assertThat(elf.sections()).extracting(ElfFile.Section::name)
                .containsExactly("", ".text", ".rodata", ".symtab", ".strtab", ".shstrtab");
        assertThat(elf.segments()).hasSize(2).allMatch(ElfFile.Segment::isLoad);
        assertThat(elf.segments().get(0).isExecutable()).isTrue();
        assertThat(elf.segments().get(1).isExecutable()).isFalse();

        ElfFile.Section text = elf.section(".text").orElseThrow();
        ByteBuffer code = elf.contents(text);
        byte[] b = new byte[code.remaining()];
        code.get(b);
        assertThat(b).containsExactly(CODE);

        assertThat(elf.hasSymbolTable()).isTrue();
        assertThat(elf.symbol("main.main")).hasValueSatisfying(s -> {
            assertThat(s.value()).isEqualTo(0x401000);
            assertThat(s.size()).isEqualTo(CODE.length);
            assertThat(s.isFunction()).isTrue();
        });
        assertThat(elf.symbol("main.msg").orElseThrow().type()).isEqualTo(ElfFile.STT_OBJECT);
        assertThat(elf.symbol("main.mai")).isEmpty();
        assertThat(elf.symbol("main.main2")).isEmpty();
        assertThat(elf.symbols()).extracting(ElfFile.Symbol::name).containsExactly("main.main", "main.msg");
    }

    @Test
    void mapsVirtualAddressesToFileOffsetsThroughLoadSegments() {
        ElfFile elf = handMade();
        ElfFile.Section text = elf.section(".text").orElseThrow();
        ElfFile.Section rodata = elf.section(".rodata").orElseThrow();
        assertThat(elf.fileOffset(0x401000)).hasValue(text.offset());
        assertThat(elf.fileOffset(0x401005)).hasValue(text.offset() + 5);
        assertThat(elf.fileOffset(0x500002)).hasValue(rodata.offset() + 2);
        assertThat(elf.fileOffset(0x401006)).isEmpty();
        assertThat(elf.fileOffset(0x3fffff)).isEmpty();
        assertThat(elf.bytesAt(0x401004, 2)).hasValueSatisfying(bb -> assertThat(bb.get(1)).isEqualTo((byte) 0xc3));
        assertThat(elf.bytesAt(0x401004, 3)).isEmpty();
        assertThat(elf.sectionAt(0x500003)).contains(rodata);
    }

    @Test
    void readsPointersThatPositionIndependentProgramsLeaveToRelocations() {
        ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(0).putLong(0x1234);
        ByteBuffer rela = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(0x600000).putLong(8).putLong(0xabcdef) // R_X86_64_RELATIVE
                .putLong(0x600008).putLong(1).putLong(0x5555); // R_X86_64_64: not a plain pointer
        byte[] elfBytes = new ElfBuilder().type(ElfFile.ET_DYN)
                .text(0x401000, CODE)
                .section(".data", ElfFile.SHT_PROGBITS, ElfFile.SHF_ALLOC | ElfFile.SHF_WRITE, 0x600000, data.array())
                .section(".rela.dyn", ElfFile.SHT_RELA, 0, 0, rela.array())
                .build();
        ElfFile elf = ElfFile.parse(ByteBuffer.wrap(elfBytes), null);
        assertThat(elf.pointerAt(0x600000)).hasValue(0xabcdef);
        assertThat(elf.pointerAt(0x600008)).hasValue(0x1234);
        assertThat(elf.pointerAt(0x700000)).isEmpty();
    }

    @Test
    void inflatesCompressedAndLegacyZdebugSections() {
        byte[] payload = "DWARF would be here, many times over. ".repeat(100).getBytes(StandardCharsets.UTF_8);
        byte[] zlib = deflate(payload);
        ByteBuffer chdr = ByteBuffer.allocate(24 + zlib.length).order(ByteOrder.LITTLE_ENDIAN);
        chdr.putInt(1).putInt(0).putLong(payload.length).putLong(1).put(zlib);
        ByteBuffer legacy = ByteBuffer.allocate(12 + zlib.length).order(ByteOrder.BIG_ENDIAN);
        legacy.put("ZLIB".getBytes(StandardCharsets.US_ASCII)).putLong(payload.length).put(zlib);
        byte[] elfBytes = new ElfBuilder()
                .text(0x401000, CODE)
                .section(".debug_info", ElfFile.SHT_PROGBITS, ElfFile.SHF_COMPRESSED, 0, chdr.array())
                .section(".zdebug_abbrev", ElfFile.SHT_PROGBITS, 0, 0, legacy.array())
                .build();
        ElfFile elf = ElfFile.parse(ByteBuffer.wrap(elfBytes), null);
        assertThat(toArray(elf.debugSection(".debug_info").orElseThrow())).isEqualTo(payload);
        assertThat(toArray(elf.debugSection(".debug_abbrev").orElseThrow())).isEqualTo(payload);
        assertThat(elf.debugSection(".debug_str")).isEmpty();
    }

    @Test
    void zstdAndCorruptCompressedSectionsAreMalformedWithTheSectionName() {
        ByteBuffer zstd = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN).putInt(2).putInt(0).putLong(100);
        ByteBuffer corrupt = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(0).putLong(100);
        byte[] elfBytes = new ElfBuilder()
                .text(0x401000, CODE)
                .section(".debug_info", ElfFile.SHT_PROGBITS, ElfFile.SHF_COMPRESSED, 0, zstd.array())
                .section(".debug_line", ElfFile.SHT_PROGBITS, ElfFile.SHF_COMPRESSED, 0, corrupt.array())
                .build();
        ElfFile elf = ElfFile.parse(ByteBuffer.wrap(elfBytes), Path.of("/x/prog"));
        assertThatThrownBy(() -> elf.debugSection(".debug_info"))
                .isInstanceOfSatisfying(TargetInspectionException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
                .hasMessageContaining("/x/prog").hasMessageContaining(".debug_info").hasMessageContaining("zstd");
        assertThatThrownBy(() -> elf.debugSection(".debug_line"))
                .isInstanceOf(TargetInspectionException.class).hasMessageContaining(".debug_line");
    }

    @Test
    void refusesWhatIsNotA64BitLittleEndianElf() throws Exception {
        assertOpenFails(write("empty", new byte[0]), Reason.NOT_ELF, "is empty");
        assertOpenFails(write("text", "hello world\n".getBytes()), Reason.NOT_ELF, "starts with 68 65 6c 6c");
        assertOpenFails(write("script", "#!/bin/sh\necho hi\n".getBytes()), Reason.NOT_ELF, "a script: #!/bin/sh");
        assertOpenFails(write("short", new byte[] {0x7f, 'E', 'L', 'F', 2, 1}), Reason.NOT_ELF, "too short");
        assertOpenFails(write("elf32", new ElfBuilder().ident(1, 1).machine(3).text(0x1000, CODE).build()),
                Reason.UNSUPPORTED_ARCH, "32-bit");
        assertOpenFails(write("elfbe", new ElfBuilder().ident(2, 2).text(0x1000, CODE).build()),
                Reason.UNSUPPORTED_ARCH, "big-endian");
        assertOpenFails(tmp.resolve("missing"), Reason.NOT_FOUND, "does not exist");
        assertOpenFails(tmp, Reason.NOT_READABLE, "is a directory");
    }

    @Test
    void truncatedHeadersAreMalformed() throws Exception {
        byte[] full = new ElfBuilder().text(0x401000, CODE).build();
        Path cut = write("cut", Arrays.copyOf(full, full.length - 100));
        assertOpenFails(cut, Reason.MALFORMED, "section headers");
    }

    @Test
    void agreesWithReadelfOnARealGoProgram() throws Exception {
        Path file = Fixtures.httpServer("1.26");
        ElfFile elf = ElfFile.open(file);
        assertThat(elf.arch()).contains(Arch.X86_64);
        assertThat(elf.path()).isEqualTo(file);

        // "  [ 3] .text  PROGBITS  0000000000401000 001000 2b6e31 00  AX  0   0 64"
        Pattern row = Pattern.compile("\\[\\s*(\\d+)]\\s+(\\S+)\\s+\\S+\\s+([0-9a-f]+)\\s+([0-9a-f]+)\\s+([0-9a-f]+)");
        List<String> expected = new ArrayList<>();
        for (String line : run("readelf", "-S", "-W", file.toString())) {
            Matcher m = row.matcher(line);
            if (m.find() && !m.group(1).equals("0")) {
                expected.add(m.group(2) + "@" + m.group(3) + "+" + m.group(4) + ":" + m.group(5));
            }
        }
        List<String> actual = elf.sections().stream().skip(1).map(s -> s.name() + "@"
                + String.format("%016x+%06x:%06x", s.address(), s.offset(), s.size())).toList();
        assertThat(actual).containsExactlyElementsOf(expected);

        ElfFile.Section text = elf.section(".text").orElseThrow();
        assertThat(elf.fileOffset(text.address())).hasValue(text.offset());
        assertThat(elf.symbol("runtime.text").orElseThrow().value()).isEqualTo(text.address());
        assertThat(elf.symbol("runtime.main").orElseThrow().isFunction()).isTrue();
    }

    private void assertOpenFails(Path p, Reason reason, String text) {
        assertThatThrownBy(() -> ElfFile.open(p))
                .isInstanceOfSatisfying(TargetInspectionException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.path()).isEqualTo(p);
                })
                .hasMessageStartingWith(p.toString())
                .hasMessageContaining(text);
    }

    private Path write(String name, byte[] bytes) throws Exception {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    static List<String> run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            r.lines().forEach(lines::add);
        }
        assertThat(p.waitFor()).as(String.join(" ", command)).isZero();
        return lines;
    }

    private static byte[] deflate(byte[] data) {
        Deflater d = new Deflater();
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return out.toByteArray();
    }

    private static byte[] toArray(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
