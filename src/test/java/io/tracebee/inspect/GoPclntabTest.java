package io.tracebee.inspect;

import io.tracebee.inspect.TargetInspectionException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GoPclntabTest {

    /** {@code cmp rsp, [r14+0x10]}: the stack-bound check every non-leaf Go function on amd64 starts with. */
    private static final byte[] STACK_CHECK = {0x49, 0x3b, 0x66, 0x10};

    @ParameterizedTest
    @ValueSource(strings = {"1.23", "1.24", "1.25", "1.26"})
    void everyFunctionMatchesTheSymbolTable(String goMinor) {
        ElfFile elf = ElfFile.open(Fixtures.httpServer(goMinor));
        GoPclntab pclntab = GoPclntab.read(elf);
        assertThat(pclntab.minInstructionSize()).isEqualTo(1);
        assertThat(pclntab.textStart()).isEqualTo(elf.symbol("runtime.text").orElseThrow().value());

        // .symtab names assembly functions "<name>.abi0"; pclntab writes them without the suffix
        Map<String, ElfFile.Symbol> symbols = new HashMap<>();
        for (ElfFile.Symbol s : elf.symbols()) {
            if (s.isFunction()) {
                symbols.putIfAbsent(s.name() + "@" + Long.toHexString(s.value()), s);
            }
        }
        List<GoPclntab.Function> functions = pclntab.functions();
        assertThat(functions).hasSize(pclntab.functionCount()).hasSizeGreaterThan(1000);
        for (GoPclntab.Function f : functions) {
            String at = "@" + Long.toHexString(f.entry());
            String elfName = f.name().replace('\u00b7', '.'); // the linker writes "·" as "." in ELF symbols
            ElfFile.Symbol s = symbols.getOrDefault(elfName + at, symbols.get(elfName + ".abi0" + at));
            assertThat(s).as(f.name() + " in .symtab at its pclntab entry").isNotNull();
            assertThat(f.end()).as(f.name() + " ends at the next function, after its padding")
                    .isGreaterThanOrEqualTo(s.value() + s.size());
        }
        for (int i = 1; i < functions.size(); i++) {
            assertThat(functions.get(i).entry()).isEqualTo(functions.get(i - 1).end());
        }
        assertThat(pclntab.function("net/http.(*conn).serve")).hasValueSatisfying(
                f -> assertThat(f.entry()).isEqualTo(elf.symbol(f.name()).orElseThrow().value()));
        assertThat(pclntab.function("net/http.(*conn).serv")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.23", "1.24", "1.25", "1.26"})
    void strippedProgramsResolveTheTextBase(String goMinor) {
        // Go 1.26 no longer writes runtime.text into the header: it comes from the runtime's moduledata
        ElfFile elf = ElfFile.open(Fixtures.strippedHttpServer(goMinor));
        assertThat(elf.hasSymbolTable()).isFalse();
        GoPclntab pclntab = GoPclntab.read(elf);
        assertThat(pclntab.textStart()).isEqualTo(elf.section(".text").orElseThrow().address());
        GoPclntab.Function serve = pclntab.function("net/http.serverHandler.ServeHTTP").orElseThrow();
        ByteBuffer head = elf.bytesAt(serve.entry(), 4).orElseThrow();
        byte[] b = new byte[4];
        head.get(b);
        assertThat(b).containsExactly(STACK_CHECK);
        assertThat(pclntab.functionAt(serve.entry() + 5)).contains(serve);
        assertThat(pclntab.functionAt(serve.end())).isNotEqualTo(java.util.Optional.of(serve));
    }

    @Test
    void handMadeTable() {
        GoPclntab t = GoPclntab.parse(table(0xfffffff1, 0, "main.a", "main.(*T).b", "runtime.c"), 0x401000);
        assertThat(t.functionCount()).isEqualTo(3);
        assertThat(t.functions()).containsExactly(
                new GoPclntab.Function("main.a", 0x401000, 0x401040),
                new GoPclntab.Function("main.(*T).b", 0x401040, 0x401080),
                new GoPclntab.Function("runtime.c", 0x401080, 0x4010a5));
        assertThat(t.function("main.(*T).b")).contains(new GoPclntab.Function("main.(*T).b", 0x401040, 0x401080));
        assertThat(t.function("main.(*T)")).isEmpty();
        assertThat(t.functionAt(0x40107f).orElseThrow().name()).isEqualTo("main.(*T).b");
        assertThat(t.functionAt(0x4010a5)).isEmpty();
        assertThat(t.functionAt(0x400fff)).isEmpty();

        // Go 1.18-1.25 carry the base in the header, which wins over the caller's guess
        GoPclntab withBase = GoPclntab.parse(table(0xfffffff0, 0x800000, "main.a"), 0x401000);
        assertThat(withBase.textStart()).isEqualTo(0x800000);
    }

    @Test
    void olderFormatsAreNamed() {
        assertThatThrownBy(() -> GoPclntab.parse(table(0xfffffffb, 0, "main.a"), 0))
                .isInstanceOfSatisfying(TargetInspectionException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_GO_VERSION))
                .hasMessageContaining("0xfffffffb (Go 1.2-1.15)");
        assertThatThrownBy(() -> GoPclntab.parse(table(0x12345678, 0, "main.a"), 0))
                .isInstanceOf(TargetInspectionException.class).hasMessageContaining("0x12345678");
        ByteBuffer cut = table(0xfffffff1, 0, "main.a", "main.b");
        assertThatThrownBy(() -> GoPclntab.parse(cut.slice(0, 80), 0))
                .isInstanceOfSatisfying(TargetInspectionException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
    }

    /** A Go 1.18+ table: functions 0x40 bytes apart, the last one 0x25 bytes long. */
    static ByteBuffer table(int magic, long textStart, String... names) {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        int nameTab = 72;
        int[] nameOffs = new int[names.length];
        b.position(nameTab);
        for (int i = 0; i < names.length; i++) {
            nameOffs[i] = b.position() - nameTab;
            b.put(names[i].getBytes(StandardCharsets.UTF_8)).put((byte) 0);
        }
        int functab = (b.position() + 7) & ~7;
        int funcs = 8 * names.length + 8;
        for (int i = 0; i < names.length; i++) {
            b.putInt(functab + 8 * i, 0x40 * i).putInt(functab + 8 * i + 4, funcs + 16 * i);
            b.putInt(functab + funcs + 16 * i, 0x40 * i).putInt(functab + funcs + 16 * i + 4, nameOffs[i]);
        }
        b.putInt(functab + 8 * names.length, 0x40 * (names.length - 1) + 0x25);
        b.putInt(0, magic).put(6, (byte) 1).put(7, (byte) 8).putLong(8, names.length).putLong(24, textStart)
                .putLong(32, nameTab).putLong(64, functab);
        return b.slice(0, functab + funcs + 16 * names.length).order(ByteOrder.LITTLE_ENDIAN);
    }
}
