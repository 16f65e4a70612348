package io.tracebee.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tracebee.e2e.Fixtures;
import io.tracebee.inspect.DwarfStructs;
import io.tracebee.inspect.GoBinary;
import io.tracebee.inspect.GoBuildInfo;
import io.tracebee.inspect.GoBuildInfo.Module;
import io.tracebee.probe.ProbeSpec.OffsetSpec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Offsets of third-party structs by module version: which module provides a struct, how module versions order,
 * when a version between listed ones is answered, why one is not, and that the shipped table says what a real
 * binary's DWARF says.
 */
class OffsetTableModulesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    // ---- which module provides a struct

    @Test
    void theStructsPackageIsEverythingBeforeTheLastDotAfterTheLastSlash() {
        assertThat(GoPackage.ofStruct("github.com/lib/pq.Error").path()).isEqualTo("github.com/lib/pq");
        assertThat(GoPackage.ofStruct("github.com/jackc/pgx/v5/pgconn.PgError").path())
                .isEqualTo("github.com/jackc/pgx/v5/pgconn");
        assertThat(GoPackage.ofStruct("gopkg.in/yaml.v3.node").path()).isEqualTo("gopkg.in/yaml.v3");
        assertThat(GoPackage.ofStruct("net/http.Request").path()).isEqualTo("net/http");
        assertThat(GoPackage.ofStruct("runtime.g").path()).isEqualTo("runtime");
        assertThat(GoPackage.ofStruct("sync/atomic.Pointer[net/http.conn]").path()).isEqualTo("sync/atomic");
        assertThat(GoPackage.ofStruct("github.com/a/b.Box[github.com/c/d.T]").path()).isEqualTo("github.com/a/b");
        assertThatThrownBy(() -> GoPackage.ofStruct("github.com/a/b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("github.com/a/b");
    }

    @Test
    void theStandardLibraryIsWhatHasNoDotInItsFirstPathElement() {
        assertThat(new GoPackage("net/http").isStandardLibrary()).isTrue();
        assertThat(new GoPackage("errors").isStandardLibrary()).isTrue();
        assertThat(new GoPackage("github.com/lib/pq").isStandardLibrary()).isFalse();
        assertThat(new GoPackage("modernc.org/sqlite").isStandardLibrary()).isFalse();
        assertThat(new GoPackage("gopkg.in/yaml.v3").isStandardLibrary()).isFalse();
    }

    @Test
    void theLongestModulePathThatContainsThePackageOwnsIt() {
        List<Module> deps = List.of(module("cloud.google.com/go", "v0.110.0"),
                module("cloud.google.com/go/storage", "v1.30.0"), module("github.com/lib/pq", "v1.10.9"));
        assertThat(owner(deps, "cloud.google.com/go/storage/internal")).hasValue("cloud.google.com/go/storage");
        assertThat(owner(deps, "cloud.google.com/go/storage")).hasValue("cloud.google.com/go/storage");
        assertThat(owner(deps, "cloud.google.com/go/civil")).hasValue("cloud.google.com/go");
        assertThat(owner(deps, "github.com/lib/pq")).hasValue("github.com/lib/pq");
        assertThat(owner(deps, "github.com/lib/pqx")).as("a prefix only at a path boundary").isEmpty();
        assertThat(owner(deps, "github.com/other/x")).isEmpty();
    }

    private static Optional<String> owner(List<Module> deps, String pkg) {
        return new GoPackage(pkg).owner(deps).map(Module::path);
    }

    @Test
    void aReplacedModuleIsLookedUpByWhatWasBuilt() throws Exception {
        OffsetTable table = table("""
                {"github.com/lib/pq": {"versions": {"v1.10.9": {"github.com/lib/pq.Error.Message": 32}}}}""");
        GoBuildInfo sameModule = buildInfo("go1.26.11",
                "dep\tgithub.com/lib/pq\tv1.2.0\th1:x=", "=>\tgithub.com/lib/pq\tv1.10.9\th1:y=");
        assertThat(table.lookup(sameModule, "github.com/lib/pq.Error", "Message").offset()).hasValue(32);

        GoBuildInfo directory = buildInfo("go1.26.11", "dep\tgithub.com/lib/pq\tv1.10.9\th1:x=", "=>\t../pq\t(devel)\t");
        assertThat(table.lookup(directory, "github.com/lib/pq.Error", "Message")).isEqualTo(new OffsetTable.Answer(
                OptionalLong.empty(), "github.com/lib/pq is replaced by the directory ../pq, which has no version to look up"));

        GoBuildInfo fork = buildInfo("go1.26.11",
                "dep\tgithub.com/lib/pq\tv1.10.9\th1:x=", "=>\tgithub.com/fork/pq\tv1.10.9\th1:y=");
        assertThat(table.lookup(fork, "github.com/lib/pq.Error", "Message").unknownReason())
                .isEqualTo("github.com/lib/pq => github.com/fork/pq v1.10.9 not in the offsets table "
                        + "(no versions of github.com/fork/pq are)");
    }

    @Test
    void standardLibraryStructsGoByTheGoReleaseAndUnlinkedModulesAreSaidToBeMissing() throws Exception {
        OffsetTable table = OffsetTable.parse(JSON.readTree("""
                {"releases": {"go1.26.11": {"errors.errorString.s": 0}}}"""), JSON.readTree("""
                {"modules": {"errors": {"versions": {"v1.0.0": {"errors.errorString.s": 99}}}}}"""));
        GoBuildInfo info = buildInfo("go1.26.11", "dep\terrors\tv1.0.0\th1:x=");
        assertThat(table.lookup(info, "errors.errorString", "s").offset()).hasValue(0);
        assertThat(table.lookup(info, "github.com/lib/pq.Error", "Message").unknownReason())
                .isEqualTo("no module in the binary provides github.com/lib/pq");
        assertThat(table.lookup(buildInfo("go1.22.1"), "errors.errorString", "s").unknownReason())
                .isEqualTo("go1.22.1 not in the offsets table, which lists go1.26.11 to go1.26.11");
    }

    // ---- module versions

    @Test
    void moduleVersionsOrderBySemverPrecedence() {
        assertOrdered("v0.0.0-20230129092748-24d4a6f8daec", "v0.0.0-20240101000000-abcdefabcdef", "v0.1.0",
                "v1.2.3", "v1.9.0", "v1.10.0-alpha", "v1.10.0-alpha.1", "v1.10.0-alpha.beta", "v1.10.0-beta",
                "v1.10.0-beta.2", "v1.10.0-beta.11", "v1.10.0-rc.1", "v1.10.0",
                "v1.10.9", "v1.10.10-0.20230129092748-24d4a6f8daec", "v1.10.10",
                "v1.11.0-rc.1", "v1.11.0-rc.1.0.20230101000000-abcdefabcdef", "v1.11.0-rc.2", "v1.11.0",
                "v2.0.0+incompatible", "v2.0.1+incompatible", "v10.0.0");
    }

    private static void assertOrdered(String... versions) {
        List<ModuleVersion> parsed = Stream.of(versions).map(ModuleVersion::parse).toList();
        List<ModuleVersion> shuffled = new ArrayList<>(parsed);
        java.util.Collections.reverse(shuffled);
        assertThat(shuffled.stream().sorted().toList()).containsExactlyElementsOf(parsed);
        for (int i = 1; i < parsed.size(); i++) {
            assertThat(parsed.get(i - 1)).as(versions[i - 1] + " < " + versions[i]).isLessThan(parsed.get(i));
        }
    }

    @Test
    void moduleVersionsKnowReleasesPseudoVersionsAndBuildMetadata() {
        assertThat(ModuleVersion.parse("v1.10.9").isRelease()).isTrue();
        assertThat(ModuleVersion.parse("v2.3.0+incompatible").isRelease()).isTrue();
        assertThat(ModuleVersion.parse("v2.3.0+incompatible").build()).isEqualTo("incompatible");
        assertThat(ModuleVersion.parse("v2.3.0+incompatible")).isGreaterThan(ModuleVersion.parse("v2.2.9"));
        assertThat(ModuleVersion.parse("v1.11.0-rc.1").isRelease()).isFalse();
        assertThat(ModuleVersion.parse("v1.11.0-rc.1").isPseudo()).isFalse();
        assertThat(ModuleVersion.parse("v0.0.0-20230129092748-24d4a6f8daec").isPseudo()).isTrue();
        assertThat(ModuleVersion.parse("v1.10.10-0.20230129092748-24d4a6f8daec").isPseudo()).isTrue();
        assertThat(ModuleVersion.parse("v1.11.0-rc.1.0.20230101000000-abcdefabcdef").isPseudo()).isTrue();
        assertThat(ModuleVersion.parse("v2.0.1-0.20230101000000-abcdefabcdef+incompatible").isPseudo()).isTrue();
        assertThat(ModuleVersion.parse("v1.10.3").minorSeries()).isEqualTo("v1.10");
        for (String bad : List.of("", "1.2.3", "v1.2", "v01.2.3", "v1.2.3-01", "v1.2.3-", "(devel)")) {
            assertThat(ModuleVersion.tryParse(bad)).as(bad).isEmpty();
        }
        assertThatThrownBy(() -> ModuleVersion.parse("(devel)")).hasMessage("not a Go module version: \"(devel)\"");
    }

    // ---- versions between listed ones

    @Test
    void versionsBetweenListedOnesAreAnsweredOnlyWhereTheNeighboursAgree() throws Exception {
        OffsetTable table = table("""
                {"example.com/db": {"versions": {
                  "v1.10.0": {"example.com/db.Error.msg": 32},
                  "v1.10.4": {"example.com/db.Error.msg": 32},
                  "v1.10.6": {"example.com/db.Error.msg": 40},
                  "v1.11.0": {}
                }}}""");
        String key = "example.com/db.Error.msg";
        assertThat(offset(table, "v1.10.4", key)).as("listed").hasValue(32);
        assertThat(offset(table, "v1.10.2", key)).as("between agreeing neighbours").hasValue(32);
        assertThat(offset(table, "v1.10.1-0.20230129092748-24d4a6f8daec", key)).as("a commit after v1.10.0")
                .hasValue(32);
        assertThat(offset(table, "v1.10.4-0.20230129092748-24d4a6f8daec", key)).as("a commit before v1.10.4")
                .hasValue(32);
        assertThat(offset(table, "v1.10.5", key)).as("neighbours disagree").isEmpty();
        assertThat(offset(table, "v1.10.9", key)).as("the member is gone from the next listed one").isEmpty();
        assertThat(offset(table, "v1.11.0", key)).as("listed without the member").isEmpty();
        assertThat(offset(table, "v1.12.0", key)).as("newer than anything listed").isEmpty();
        assertThat(offset(table, "v1.9.0", key)).as("older than anything listed").isEmpty();
        assertThat(offset(table, "v1.10.2", "example.com/db.Error.code")).isEmpty();
        assertThat(table.moduleOffset("example.com/other", ModuleVersion.parse("v1.10.4"), key)).isEmpty();
    }

    private static OptionalLong offset(OffsetTable table, String version, String key) {
        return table.moduleOffset("example.com/db", ModuleVersion.parse(version), key);
    }

    @Test
    void everyUnknownOffsetSaysWhy() throws Exception {
        OffsetTable table = table("""
                {"github.com/lib/pq": {"versions": {
                  "v1.10.0": {"github.com/lib/pq.Error.Message": 32},
                  "v1.10.4": {"github.com/lib/pq.Error.Message": 40},
                  "v1.12.3": {}
                }}}""");
        assertThat(reason(table, "v1.2.0"))
                .isEqualTo("github.com/lib/pq v1.2.0 not in the offsets table, which lists v1.10.0 to v1.12.3");
        assertThat(reason(table, "v1.10.2")).isEqualTo("github.com/lib/pq v1.10.2 not in the offsets table, "
                + "and its neighbours v1.10.0 and v1.10.4 do not agree on the member");
        assertThat(reason(table, "v1.12.3")).isEqualTo("the offsets table says github.com/lib/pq v1.12.3 has no such member");
        assertThat(reason(table, "v1.10.0")).isEmpty();
    }

    private static String reason(OffsetTable table, String pqVersion) {
        return table.lookup(buildInfo("go1.26.11", "dep\tgithub.com/lib/pq\t" + pqVersion + "\th1:x="),
                "github.com/lib/pq.Error", "Message").unknownReason();
    }

    @Test
    void aRequiredOffsetOfAModuleVersionOutsideTheTableIsReportedWithTheVersion() throws Exception {
        // dbserver links modernc.org/sqlite; a struct its DWARF lacks is looked up in the table by that version
        GoBinary binary = GoBinary.open(Fixtures.file("dbserver-go1.26"));
        String version = binary.buildInfo().dependency("modernc.org/sqlite").orElseThrow().version();
        OffsetSpec spec = new OffsetSpec("off_x", "modernc.org/sqlite.tracebeeNoSuchStruct", "x", null);
        OffsetTable table = table("""
                {"modernc.org/sqlite": {"versions": {"v1.20.3": {}, "v1.21.2": {}}}}""");

        OffsetResolver.Resolution r = new OffsetResolver(table).resolve(binary, List.of(spec));

        assertThat(r.complete()).isFalse();
        assertThat(r.missingRequired()).containsExactly("modernc.org/sqlite.tracebeeNoSuchStruct.x (modernc.org/sqlite "
                + version + " not in the offsets table, which lists v1.20.3 to v1.21.2)");
    }

    @Test
    void aMemberTheBinarysDwarfLacksIsReportedAsAbsentThere() {
        GoBinary binary = GoBinary.open(Fixtures.file("dbserver-go1.26"));
        OffsetSpec spec = new OffsetSpec("off_x", "modernc.org/sqlite.Error", "tracebeeNoSuchMember", null);
        OffsetResolver.Resolution r = new OffsetResolver(OffsetTable.load()).resolve(binary, List.of(spec));
        assertThat(r.missingRequired()).containsExactly("modernc.org/sqlite.Error.tracebeeNoSuchMember "
                + "(the binary's DWARF has modernc.org/sqlite.Error without tracebeeNoSuchMember)");
    }

    // ---- the shipped table

    @Test
    void theShippedModuleTableMatchesTheDwarfOfARealBinary() {
        assertThat(comparedWithDwarf("dbserver-go1.26")).as("module members in the fixture's DWARF")
                .contains("modernc.org/sqlite.Error.msg");
    }

    /** gRPC reads structs of three modules (grpc, golang.org/x/net, genproto), in three layouts of grpc's own. */
    @ParameterizedTest
    @ValueSource(strings = {"grpcserver-go1.26", "grpcserver-go1.25-mid", "grpcserver-go1.23-oldest"})
    void theShippedModuleTableMatchesTheDwarfOfGrpcBinaries(String fixture) {
        assertThat(comparedWithDwarf(fixture)).as("module members in the fixture's DWARF").contains(
                "google.golang.org/grpc/internal/transport.Stream.id",
                "google.golang.org/grpc/internal/transport.loopyWriter.conn",
                "golang.org/x/net/http2.MetaHeadersFrame.Fields",
                "google.golang.org/genproto/googleapis/rpc/status.Status.Code");
    }

    /** Every third-party member the probes read that the fixture's DWARF has: the table must agree. */
    private static List<String> comparedWithDwarf(String fixture) {
        GoBinary binary = GoBinary.open(Fixtures.file(fixture));
        DwarfStructs dwarf = binary.dwarf().orElseThrow();
        OffsetTable table = OffsetTable.load();
        List<String> compared = new ArrayList<>();
        for (OffsetSpec o : Probes.allOffsets()) {
            GoPackage pkg = GoPackage.ofStruct(o.struct());
            if (pkg.isStandardLibrary() || pkg.owner(binary.buildInfo().dependencies()).isEmpty()) {
                continue;
            }
            OptionalLong fromDwarf = dwarf.memberOffset(o.struct(), o.member());
            if (fromDwarf.isPresent()) {
                assertThat(table.lookup(binary.buildInfo(), o.struct(), o.member()).offset())
                        .as(o.key() + " in " + binary.path()).isEqualTo(fromDwarf);
                compared.add(o.key());
            }
        }
        return compared;
    }

    @Test
    void theShippedModuleTableCoversEveryDeclaredLibrary() throws Exception {
        JsonNode shipped;
        try (var in = OffsetTable.class.getClassLoader().getResourceAsStream(OffsetTable.MODULES_RESOURCE)) {
            shipped = JSON.readTree(in);
        }
        try (Stream<Path> dirs = Files.list(Path.of("src/test/offsets/modules"))) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                ModuleTemplate t = ModuleTemplate.read(dir);
                JsonNode versions = shipped.path("modules").path(t.module()).path("versions");
                assertThat(versions.size()).as(t.module() + " in " + OffsetTable.MODULES_RESOURCE).isPositive();
                List<ModuleVersion> listed = new ArrayList<>();
                versions.fieldNames().forEachRemaining(v -> listed.add(ModuleVersion.parse(v)));
                assertThat(listed).as("written in version order").isSorted();
                assertThat(listed.get(0)).isGreaterThanOrEqualTo(t.from());
            }
        }
    }

    // ---- the generator's pieces

    @Test
    void proxyPathsEscapeUppercaseLetters() {
        assertThat(ModuleProxy.escape("github.com/lib/pq")).isEqualTo("github.com/lib/pq");
        assertThat(ModuleProxy.escape("github.com/BurntSushi/toml")).isEqualTo("github.com/!burnt!sushi/toml");
        assertThat(ModuleProxy.escape("github.com/ClickHouse/clickhouse-go/v2")).isEqualTo("github.com/!click!house/clickhouse-go/v2");
        assertThat(ModuleProxy.parseList("v1.10.1\nv1.2.0\n\nnot-a-version\nv1.11.0-rc.1\n"))
                .extracting(ModuleVersion::raw).containsExactly("v1.2.0", "v1.10.1", "v1.11.0-rc.1");
    }

    @Test
    void theGeneratorBuildsReleasesInRangeOrTheEndsOfEachMinorSeries() {
        List<ModuleVersion> listed = ModuleProxy.parseList(
                "v1.9.0\nv1.10.0\nv1.10.1\nv1.10.2\nv1.11.0-rc.1\nv1.11.0\nv1.12.0\nv1.12.1\nv1.13.0\n");
        ModuleTemplate all = new ModuleTemplate("x", "example.com/x", ModuleVersion.parse("v1.10.0"),
                ModuleVersion.parse("v1.12.1"), ModuleTemplate.Selection.ALL, "");
        assertThat(all.select(listed)).extracting(ModuleVersion::raw)
                .containsExactly("v1.10.0", "v1.10.1", "v1.10.2", "v1.11.0", "v1.12.0", "v1.12.1");
        ModuleTemplate ends = new ModuleTemplate("x", "example.com/x", ModuleVersion.parse("v1.10.0"), null,
                ModuleTemplate.Selection.MINOR_ENDS, "");
        assertThat(ends.select(listed)).extracting(ModuleVersion::raw)
                .containsExactly("v1.10.0", "v1.10.2", "v1.11.0", "v1.12.0", "v1.12.1", "v1.13.0");
    }

    @Test
    void aModuleWithoutReleasesIsBuiltAtTheVersionsItsTemplateNames(@TempDir Path dir)
            throws Exception {
        Files.writeString(dir.resolve("module.properties"), "module=example.com/norel\n"
                + "versions=v0.0.0-20250101000000-bbbbbbbbbbbb, \\\n  v0.0.0-20240101000000-aaaaaaaaaaaa\n");
        Files.writeString(dir.resolve("main.go"), "package main\n");
        ModuleTemplate t = ModuleTemplate.read(dir);
        assertThat(t.explicit()).extracting(ModuleVersion::raw)
                .containsExactly("v0.0.0-20240101000000-aaaaaaaaaaaa", "v0.0.0-20250101000000-bbbbbbbbbbbb");
        assertThat(t.from().raw()).isEqualTo("v0.0.0-20240101000000-aaaaaaaaaaaa");
        assertThat(t.select(List.of(ModuleVersion.parse("v1.0.0")))).isEqualTo(t.explicit());
    }

    // ---- helpers

    private static OffsetTable table(String modules) throws Exception {
        return OffsetTable.parse(JSON.readTree("{\"releases\": {}}"), JSON.readTree("{\"modules\": " + modules + "}"));
    }

    private static Module module(String path, String version) {
        return new Module(path, version, "", null);
    }

    /** Build info as the Go linker writes it ({@code .go.buildinfo}, inline format), from modinfo lines. */
    private static GoBuildInfo buildInfo(String goVersion, String... modinfoLines) {
        String modinfo = "path\texample.com/app\nmod\texample.com/app\t(devel)\t\n" + String.join("\n", modinfoLines) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("\u00ff Go buildinf:".getBytes(StandardCharsets.ISO_8859_1));
        out.write(8); // pointer size
        out.write(2); // flags: strings inline
        out.writeBytes(new byte[16]);
        varintString(out, goVersion.getBytes(StandardCharsets.UTF_8));
        byte[] sentinel = new byte[16];
        ByteArrayOutputStream mod = new ByteArrayOutputStream();
        mod.writeBytes(sentinel);
        mod.writeBytes(modinfo.getBytes(StandardCharsets.UTF_8));
        mod.writeBytes(sentinel);
        varintString(out, mod.toByteArray());
        return GoBuildInfo.parse(ByteBuffer.wrap(out.toByteArray()));
    }

    private static void varintString(ByteArrayOutputStream out, byte[] s) {
        int n = s.length;
        for (; n >= 0x80; n >>>= 7) {
            out.write((n & 0x7f) | 0x80);
        }
        out.write(n);
        out.writeBytes(s);
    }
}
