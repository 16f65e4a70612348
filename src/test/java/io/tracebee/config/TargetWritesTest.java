package io.tracebee.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.inspect.ElfFile;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the compiled probes can do to a process: read its memory, never write it, never signal it, never change a
 * function's result. The one exception is the capability probe, which is only loaded to ask the kernel (never
 * attached); the one change to a target's traffic is the header injection, which TRACEBEE_TARGET_WRITES=off turns
 * off (the switch itself, strict, is checked in SettingsTest).
 */
class TargetWritesTest {
    /** Helper ids from include/uapi/linux/bpf.h. */
    private static final Map<Integer, String> CHANGES_A_PROCESS = Map.of(
            36, "bpf_probe_write_user", 58, "bpf_override_return", 109, "bpf_send_signal",
            117, "bpf_send_signal_thread");
    private static final int MSG_PUSH_DATA = 90;

    @Test
    void noProbeWritesSignalsOrOverridesAProcess() throws Exception {
        Map<String, Set<Integer>> helpers = helpersByObject();
        assertThat(helpers).hasSizeGreaterThan(10);
        Map<String, Set<String>> offenders = new TreeMap<>();
        helpers.forEach((object, ids) -> ids.stream().filter(CHANGES_A_PROCESS::containsKey)
                .forEach(id -> offenders.computeIfAbsent(object, o -> new TreeSet<>()).add(CHANGES_A_PROCESS.get(id))));
        assertThat(offenders).containsExactly(Map.entry("probe_write.bpf.o", Set.of("bpf_probe_write_user")));

        List<String> pushers = helpers.entrySet().stream().filter(e -> e.getValue().contains(MSG_PUSH_DATA))
                .map(Map.Entry::getKey).toList();
        assertThat(pushers).containsExactly("http_inject.bpf.o");
    }

    /** Helper ids called by each compiled object: BPF_JMP|BPF_CALL (0x85) with src_reg 0. */
    private static Map<String, Set<Integer>> helpersByObject() throws URISyntaxException, java.io.IOException {
        // the agent's objects (test objects live in another "bpf" directory on the class path)
        Path dir = Path.of(TargetWritesTest.class.getClassLoader().getResource("bpf/maps.bpf.o").toURI()).getParent();
        Map<String, Set<Integer>> out = new TreeMap<>();
        try (Stream<Path> objects = Files.list(dir)) {
            for (Path o : objects.filter(p -> p.toString().endsWith(".bpf.o")).toList()) {
                ElfFile elf = ElfFile.open(o);
                Set<Integer> ids = new TreeSet<>();
                for (ElfFile.Section s : elf.sections()) {
                    if ((s.flags() & ElfFile.SHF_EXECINSTR) == 0 || s.type() != ElfFile.SHT_PROGBITS) {
                        continue;
                    }
                    ByteBuffer code = elf.contents(s).order(ByteOrder.LITTLE_ENDIAN);
                    for (int at = code.position(); at + 8 <= code.limit(); at += 8) {
                        int opcode = code.get(at) & 0xff;
                        int srcReg = (code.get(at + 1) >> 4) & 0xf;
                        if (opcode == 0x85 && srcReg == 0) {
                            ids.add(code.getInt(at + 4));
                        }
                    }
                }
                out.put(o.getFileName().toString(), ids);
            }
        }
        return out;
    }
}
