package io.tracebee.inspect;

import io.tracebee.inspect.TargetInspectionException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GoBuildInfoTest {

    @ParameterizedTest
    @ValueSource(strings = {"1.23", "1.24", "1.25", "1.26"})
    void agreesWithGoVersionM(String goMinor) throws Exception {
        Path file = Fixtures.httpServer(goMinor);
        GoBuildInfo info = GoBuildInfo.read(ElfFile.open(file));
        assertThat(info.goVersion().minorVersion()).isEqualTo(goMinor);

        List<String> lines = goVersionM(file);
        assertThat(lines.get(0)).isEqualTo(file + ": " + info.goVersionString());
        List<String> deps = new ArrayList<>();
        List<String> settingKeys = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.strip().split("\t");
            switch (f[0]) {
                case "path" -> assertThat(info.mainPath()).isEqualTo(f[1]);
                case "mod" -> assertThat(info.mainModule().orElseThrow().path()).isEqualTo(f[1]);
                case "dep" -> deps.add(f[1] + "@" + f[2]);
                case "build" -> {
                    String key = f[1].substring(0, f[1].indexOf('='));
                    String value = f[1].substring(f[1].indexOf('=') + 1);
                    settingKeys.add(key);
                    if (!value.startsWith("\"")) {
                        assertThat(info.settings()).containsEntry(key, value);
                    }
                }
                default -> { }
            }
        }
        assertThat(info.dependencies().stream().map(m -> m.path() + "@" + m.version())).containsExactlyElementsOf(deps);
        assertThat(info.settings().keySet()).containsExactlyElementsOf(settingKeys);
        assertThat(info.setting("GOARCH")).contains("amd64");
        assertThat(info.setting("-compiler")).contains("gc");
    }

    private static List<String> goVersionM(Path file) throws Exception {
        Process p = new ProcessBuilder("go", "version", "-m", file.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            r.lines().forEach(lines::add);
        }
        assertThat(p.waitFor()).as("go version -m " + file).isZero();
        return lines;
    }

    @Test
    void parsesModulesReplacementsAndQuotedSettings() {
        String modinfo = String.join("\n",
                "path\texample.com/cmd/server",
                "mod\texample.com\tv1.2.3\th1:abc=",
                "dep\tgithub.com/a/b\tv0.1.0\th1:def=",
                "dep\tgoogle.golang.org/grpc\tv1.70.0\th1:ghi=",
                "=>\t../grpc-fork\t(devel)\t",
                "build\t-buildmode=exe",
                "build\t-ldflags=\"-s -w -X main.v=1\"",
                "build\t\"strange=key\"=`raw value`",
                "build\tCGO_ENABLED=0",
                "build\tvcs.revision=0123abcd",
                "build\tvcs.modified=true",
                "") ;
        GoBuildInfo info = GoBuildInfo.parse(ByteBuffer.wrap(ElfBuilder.buildInfo("go1.24rc1", modinfo)));
        assertThat(info.goVersion()).isEqualTo(GoVersion.parse("go1.24rc1"));
        assertThat(info.mainPath()).isEqualTo("example.com/cmd/server");
        assertThat(info.mainModule()).contains(new GoBuildInfo.Module("example.com", "v1.2.3", "h1:abc=", null));
        assertThat(info.dependencies()).hasSize(2);
        GoBuildInfo.Module grpc = info.dependency("google.golang.org/grpc").orElseThrow();
        assertThat(grpc.version()).isEqualTo("v1.70.0");
        assertThat(grpc.effective().path()).isEqualTo("../grpc-fork");
        assertThat(info.dependency("github.com/a/b").orElseThrow().replacement()).isNull();
        assertThat(info.settings()).containsExactly(
                java.util.Map.entry("-buildmode", "exe"),
                java.util.Map.entry("-ldflags", "-s -w -X main.v=1"),
                java.util.Map.entry("strange=key", "raw value"),
                java.util.Map.entry("CGO_ENABLED", "0"),
                java.util.Map.entry("vcs.revision", "0123abcd"),
                java.util.Map.entry("vcs.modified", "true"));
    }

    @Test
    void aProgramBuiltWithoutModulesHasOnlyAVersion() {
        GoBuildInfo info = GoBuildInfo.parse(ByteBuffer.wrap(ElfBuilder.buildInfo("go1.26.8", "")));
        assertThat(info.goVersionString()).isEqualTo("go1.26.8");
        assertThat(info.mainModule()).isEmpty();
        assertThat(info.dependencies()).isEmpty();
        assertThat(info.settings()).isEmpty();
    }

    @Test
    void theGo113PointerFormatIsUnsupported() {
        byte[] b = ElfBuilder.buildInfo("go1.16.5", "");
        b[15] = 0; // flags: no inline strings
        assertThatThrownBy(() -> GoBuildInfo.parse(ByteBuffer.wrap(b)))
                .isInstanceOfSatisfying(TargetInspectionException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_GO_VERSION))
                .hasMessageContaining("older than 1.18")
                .hasMessageContaining("Go 1.23 and newer");
    }

    @Test
    void truncatedStringsAreMalformed() {
        byte[] full = ElfBuilder.buildInfo("go1.26.8", "path\tx\n");
        byte[] cut = java.util.Arrays.copyOf(full, 36);
        assertThatThrownBy(() -> GoBuildInfo.parse(ByteBuffer.wrap(cut)))
                .isInstanceOfSatisfying(TargetInspectionException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
    }
}
