package io.tracebee.inspect;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DwarfStructsTest {

    /**
     * Offsets read with llvm-dwarfdump from the fixtures. runtime.g.goid moved in Go 1.25, and
     * net/http.response.status in the patch release go1.26.11 (a field was added before it).
     */
    private static Map<String, Long> expected(GoVersion go) {
        String goMinor = go.minorVersion();
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("net/http.Request.Method", 0L);
        m.put("net/http.Request.URL", 16L);
        m.put("net/http.Request.ProtoMajor", 40L);
        m.put("net/http.Request.ProtoMinor", 48L);
        m.put("net/http.Request.Host", 128L);
        m.put("net/http.Request.RemoteAddr", 176L);
        m.put("net/http.Request.Pattern", 232L);
        m.put("net/url.URL.Path", 56L);
        m.put("net/http.response.status", go.compareTo(GoVersion.parse("go1.26.11")) >= 0 ? 128L : 120L);
        m.put("runtime.g.goid", goMinor.equals("1.23") || goMinor.equals("1.24") ? 160L : 152L);
        return m;
    }

    @ParameterizedTest
    @CsvSource({"1.23, 4", "1.24, 4", "1.25, 5", "1.26, 5"})
    void readsMemberOffsetsFromDwarf4And5(String goMinor, int dwarfVersion) {
        GoBinary binary = GoBinary.open(Fixtures.httpServer(goMinor));
        DwarfStructs dwarf = binary.dwarf().orElseThrow();
        assertThat(dwarf.version()).isEqualTo(dwarfVersion);
        Map<String, Long> expected = expected(binary.goVersion());
        Map<String, Long> actual = new LinkedHashMap<>();
        for (String key : expected.keySet()) {
            int dot = key.lastIndexOf('.');
            dwarf.memberOffset(key.substring(0, dot), key.substring(dot + 1)).ifPresent(v -> actual.put(key, v));
        }
        assertThat(actual).containsExactlyEntriesOf(expected);

        assertThat(dwarf.memberOffset("net/http.Request", "NoSuchField")).isEmpty();
        assertThat(dwarf.memberOffset("net/http.NoSuchType", "Method")).isEmpty();
        assertThat(dwarf.structSize("net/url.URL").orElseThrow()).isGreaterThan(56);
        DwarfStructs.Struct request = dwarf.struct("net/http.Request").orElseThrow();
        assertThat(request.members().keySet()).startsWith("Method", "URL", "Proto", "ProtoMajor", "ProtoMinor");
        // embedded fields are members named by their type
        assertThat(dwarf.memberOffset("sync.RWMutex", "w")).hasValue(0);
    }

    @Test
    void programsLinkedWithoutDwarfHaveNone() {
        GoBinary stripped = GoBinary.open(Fixtures.strippedHttpServer("1.26"));
        assertThat(stripped.dwarf()).isEmpty();
    }

    @Test
    void readsUncompressedAndLegacyZdebugSections(@TempDir Path tmp) throws Exception {
        Path original = Fixtures.httpServer("1.26");
        Path plain = tmp.resolve("plain");
        Path zdebug = tmp.resolve("zdebug");
        ElfFileTest.run("objcopy", "--decompress-debug-sections", original.toString(), plain.toString());
        ElfFileTest.run("objcopy", "--compress-debug-sections=zlib-gnu", original.toString(), zdebug.toString());
        assertThat(ElfFile.open(plain).section(".debug_info").orElseThrow().isCompressed()).isFalse();
        assertThat(ElfFile.open(zdebug).section(".zdebug_info")).isPresent();
        for (Path p : new Path[] {plain, zdebug}) {
            DwarfStructs dwarf = DwarfStructs.read(ElfFile.open(p)).orElseThrow();
            assertThat(dwarf.memberOffset("net/http.Request", "Pattern")).as(p.toString()).hasValue(232);
            assertThat(dwarf.memberOffset("runtime.g", "goid")).as(p.toString()).hasValue(152);
        }
    }
}
