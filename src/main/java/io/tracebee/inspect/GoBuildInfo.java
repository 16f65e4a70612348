package io.tracebee.inspect;

import io.tracebee.inspect.TargetInspectionException.Reason;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the Go linker records about how a program was built ({@code .go.buildinfo}): the Go version, the main
 * module, every dependency module with its version, and the build settings ({@code -ldflags}, {@code GOARCH},
 * {@code vcs.revision}, ...). This is what {@code go version -m} prints.
 */
public final class GoBuildInfo {

    /** A module; {@code sum} may be empty (the main module, or a devel build), {@code replacement} is a {@code =>}. */
    public record Module(String path, String version, String sum, Module replacement) {
        /** The module whose code was actually built: the replacement if there is one. */
        public Module effective() {
            return replacement == null ? this : replacement;
        }
    }

    static final String SECTION = ".go.buildinfo";
    private static final byte[] MAGIC = "\u00ff Go buildinf:".getBytes(StandardCharsets.ISO_8859_1);
    private static final int HEADER_SIZE = 32;
    private static final int FLAG_BIG_ENDIAN = 1;
    private static final int FLAG_VERSION_INLINE = 2;
    /** How far into the first writable segment to look when there is no section header (debug/buildinfo: 64 KiB). */
    private static final int SCAN_LIMIT = 64 * 1024;
    private static final int SENTINEL_LENGTH = 16;

    private final String goVersionString;
    private final GoVersion goVersion;
    private final String mainPath;
    private final Module mainModule;
    private final List<Module> dependencies;
    private final Map<String, String> settings;

    private GoBuildInfo(String goVersionString, GoVersion goVersion, String mainPath, Module mainModule,
                        List<Module> dependencies, Map<String, String> settings) {
        this.goVersionString = goVersionString;
        this.goVersion = goVersion;
        this.mainPath = mainPath;
        this.mainModule = mainModule;
        this.dependencies = dependencies;
        this.settings = settings;
    }

    /** True if the file has a {@code .go.buildinfo} section or the build-info magic where Go puts it. */
    static boolean isPresent(ElfFile elf) {
        return find(elf) != null;
    }

    /**
     * Reads the build info of a Go ELF program.
     *
     * @throws TargetInspectionException {@code NOT_GO} if there is none, {@code UNSUPPORTED_GO_VERSION} if it
     *                                   is in the pre-1.18 format or names no valid version, {@code MALFORMED}
     */
    public static GoBuildInfo read(ElfFile elf) {
        ByteBuffer data = find(elf);
        if (data == null) {
            throw elf.error(Reason.NOT_GO, "is an ELF " + elf.typeName()
                    + " but not a Go program (no " + SECTION + " section)");
        }
        return decode(data, elf, elf.path());
    }

    /** Decodes the bytes of a {@code .go.buildinfo} section in the Go 1.18+ inline-string format. */
    public static GoBuildInfo parse(ByteBuffer section) {
        return decode(section.duplicate().order(ByteOrder.LITTLE_ENDIAN), null, null);
    }

    private static ByteBuffer find(ElfFile elf) {
        Optional<ElfFile.Section> section = elf.section(SECTION);
        if (section.isPresent()) {
            return elf.rawContents(section.get());
        }
        // section headers can be stripped by tools other than Go's; Go places the blob at the start of data
        for (ElfFile.Segment s : elf.segments()) {
            if (s.isLoad() && s.isWritable()) {
                long len = Math.min(s.fileSize(), SCAN_LIMIT);
                if (s.offset() + len > elf.size()) {
                    return null;
                }
                ByteBuffer seg = elf.slice(s.offset(), len);
                for (int at = 0; at + HEADER_SIZE <= len; at += 16) {
                    if (hasMagic(seg, at)) {
                        return seg.slice(at, (int) len - at).order(ByteOrder.LITTLE_ENDIAN);
                    }
                }
                return null;
            }
        }
        return null;
    }

    private static boolean hasMagic(ByteBuffer b, int at) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (b.get(at + i) != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private static GoBuildInfo decode(ByteBuffer data, ElfFile elf, Path path) {
        String where = path == null ? SECTION : path.toString();
        if (data.capacity() < HEADER_SIZE || !hasMagic(data, 0)) {
            throw new TargetInspectionException(Reason.MALFORMED, path,
                    where + " has a " + SECTION + " section without the Go build-info header");
        }
        int ptrSize = data.get(14);
        int flags = data.get(15);
        String version;
        String modinfo;
        if ((flags & FLAG_VERSION_INLINE) != 0) {
            int[] pos = {HEADER_SIZE};
            version = varintString(data, pos, path, where);
            modinfo = varintString(data, pos, path, where);
        } else {
            // Go 1.13-1.17: two pointers to string headers; worth decoding only to name the version
            String old = elf == null ? null : pointerString(elf, data, 16, ptrSize, (flags & FLAG_BIG_ENDIAN) != 0);
            String found = old == null ? "a Go release older than 1.18" : "Go " + old;
            throw new TargetInspectionException(Reason.UNSUPPORTED_GO_VERSION, path,
                    where + " was built with " + found + ", which is not supported; tracebee supports Go "
                            + GoVersion.MINIMUM_SUPPORTED.minorVersion() + " and newer");
        }
        GoVersion parsed;
        try {
            parsed = GoVersion.parse(version);
        } catch (IllegalArgumentException e) {
            throw new TargetInspectionException(Reason.UNSUPPORTED_GO_VERSION, path,
                    where + " reports an unrecognized Go version \"" + version + "\"", e);
        }
        return parseModInfo(version, parsed, stripSentinels(modinfo), path, where);
    }

    private static String stripSentinels(String modinfo) {
        // the module info is wrapped in 16 random bytes on each side so that it can be found in memory
        if (modinfo.length() >= 2 * SENTINEL_LENGTH + 1
                && modinfo.charAt(modinfo.length() - SENTINEL_LENGTH - 1) == '\n') {
            return modinfo.substring(SENTINEL_LENGTH, modinfo.length() - SENTINEL_LENGTH);
        }
        return "";
    }

    private static GoBuildInfo parseModInfo(String versionString, GoVersion version, String modinfo, Path path,
                                            String where) {
        String mainPath = "";
        Module main = null;
        List<Module> deps = new ArrayList<>();
        Map<String, String> settings = new LinkedHashMap<>();
        boolean lastWasMain = false;
        for (String line : modinfo.split("\n")) {
            String[] f = line.split("\t", -1);
            switch (f[0]) {
                case "path" -> mainPath = field(f, 1);
                case "mod" -> {
                    main = new Module(field(f, 1), field(f, 2), field(f, 3), null);
                    lastWasMain = true;
                }
                case "dep" -> {
                    deps.add(new Module(field(f, 1), field(f, 2), field(f, 3), null));
                    lastWasMain = false;
                }
                case "=>" -> {
                    Module repl = new Module(field(f, 1), field(f, 2), field(f, 3), null);
                    if (lastWasMain && main != null) {
                        main = new Module(main.path(), main.version(), main.sum(), repl);
                    } else if (!deps.isEmpty()) {
                        Module d = deps.remove(deps.size() - 1);
                        deps.add(new Module(d.path(), d.version(), d.sum(), repl));
                    }
                }
                case "build" -> {
                    String kv = line.substring("build\t".length());
                    try {
                        addSetting(settings, kv);
                    } catch (IllegalArgumentException e) {
                        throw new TargetInspectionException(Reason.MALFORMED, path,
                                where + " has a malformed build setting \"" + kv + "\": " + e.getMessage(), e);
                    }
                }
                default -> {
                    // "go" lines and blank lines; unknown kinds are ignored for forward compatibility
                }
            }
        }
        return new GoBuildInfo(versionString, version, mainPath, main, Collections.unmodifiableList(deps),
                Collections.unmodifiableMap(settings));
    }

    private static void addSetting(Map<String, String> settings, String kv) {
        String key;
        String rawValue;
        if (!kv.isEmpty() && (kv.charAt(0) == '"' || kv.charAt(0) == '`')) {
            int end = GoStrings.quotedPrefixLength(kv);
            key = GoStrings.unquote(kv.substring(0, end));
            if (end >= kv.length() || kv.charAt(end) != '=') {
                throw new IllegalArgumentException("no '=' after quoted key");
            }
            rawValue = kv.substring(end + 1);
        } else {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("no key=value");
            }
            key = kv.substring(0, eq);
            rawValue = kv.substring(eq + 1);
        }
        String value = !rawValue.isEmpty() && (rawValue.charAt(0) == '"' || rawValue.charAt(0) == '`')
                ? GoStrings.unquote(rawValue) : rawValue;
        settings.put(key, value);
    }

    private static String field(String[] f, int i) {
        return i < f.length ? f[i] : "";
    }

    private static String varintString(ByteBuffer data, int[] pos, Path path, String where) {
        long len = 0;
        int shift = 0;
        int p = pos[0];
        while (true) {
            if (p >= data.capacity() || shift > 63) {
                throw new TargetInspectionException(Reason.MALFORMED, path, where + " has a truncated " + SECTION);
            }
            int b = data.get(p++) & 0xff;
            len |= (long) (b & 0x7f) << shift;
            if (b < 0x80) {
                break;
            }
            shift += 7;
        }
        if (len < 0 || len > data.capacity() - p) {
            throw new TargetInspectionException(Reason.MALFORMED, path,
                    where + " has a " + SECTION + " string of " + len + " bytes running past its end");
        }
        byte[] b = new byte[(int) len];
        data.get(p, b);
        pos[0] = p + (int) len;
        return new String(b, StandardCharsets.UTF_8);
    }

    private static String pointerString(ElfFile elf, ByteBuffer data, int at, int ptrSize, boolean bigEndian) {
        if (ptrSize != 8 || bigEndian || data.capacity() < at + 8) {
            return null;
        }
        long header = data.getLong(at);
        return elf.bytesAt(header, 16).flatMap(h -> {
            long ptr = h.getLong(0);
            long len = h.getLong(8);
            if (len <= 0 || len > 256) {
                return Optional.empty();
            }
            return elf.bytesAt(ptr, len).map(s -> {
                byte[] b = new byte[(int) len];
                s.get(0, b);
                return new String(b, StandardCharsets.UTF_8);
            });
        }).orElse(null);
    }

    /** The Go toolchain version that built the program. */
    public GoVersion goVersion() {
        return goVersion;
    }

    /** The version exactly as stored, e.g. {@code "go1.26.8"} or {@code "go1.25.0 X:nodwarf5"}. */
    public String goVersionString() {
        return goVersionString;
    }

    /** The import path of the main package ({@code path} line), empty if the program was built without modules. */
    public String mainPath() {
        return mainPath;
    }

    /** The main module ({@code mod} line); its version is {@code (devel)} for local builds. */
    public Optional<Module> mainModule() {
        return Optional.ofNullable(mainModule);
    }

    /** Every dependency module in the order the linker wrote them. */
    public List<Module> dependencies() {
        return dependencies;
    }

    /** The dependency with exactly this module path, e.g. {@code google.golang.org/grpc}. */
    public Optional<Module> dependency(String modulePath) {
        for (Module m : dependencies) {
            if (m.path().equals(modulePath)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** Build settings ({@code -trimpath}, {@code CGO_ENABLED}, {@code GOARCH}, {@code vcs.revision}, ...). */
    public Map<String, String> settings() {
        return settings;
    }

    public Optional<String> setting(String key) {
        return Optional.ofNullable(settings.get(key));
    }

    @Override
    public String toString() {
        return "GoBuildInfo[" + goVersionString + ", path=" + mainPath + ", " + dependencies.size() + " deps]";
    }
}
