package io.tracebee.inspect;

import io.tracebee.inspect.TargetInspectionException.Reason;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Everything tracebee needs to know about a Go program before attaching uprobes to it: Go version, build info,
 * architecture, where its functions and their returns are in the file, and (when it has DWARF) struct layouts.
 *
 * <p>{@link #open} validates the file (ELF, supported architecture, Go, supported Go version) and reads only the
 * headers and build info; symbol tables, {@code .gopclntab}, instructions and DWARF are read when first asked for.
 */
public final class GoBinary {

    private static final String ABI0 = ".abi0";

    private final ElfFile elf;
    private final Arch arch;
    private final GoBuildInfo buildInfo;
    private GoPclntab pclntab;
    private Optional<DwarfStructs> dwarf;

    private GoBinary(ElfFile elf, Arch arch, GoBuildInfo buildInfo) {
        this.elf = elf;
        this.arch = arch;
        this.buildInfo = buildInfo;
    }

    /**
     * Opens and validates a Go program.
     *
     * @throws TargetInspectionException with {@code NOT_FOUND}, {@code NOT_READABLE}, {@code NOT_ELF},
     *                                   {@code UNSUPPORTED_ARCH}, {@code NOT_GO}, {@code UNSUPPORTED_GO_VERSION} or
     *                                   {@code MALFORMED}, and a message naming the file and what was found
     */
    public static GoBinary open(Path path) {
        ElfFile elf = ElfFile.open(path);
        try {
            return validate(elf);
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new TargetInspectionException(Reason.MALFORMED, path, path + " is truncated or corrupt: " + e, e);
        }
    }

    private static GoBinary validate(ElfFile elf) {
        if (elf.type() != ElfFile.ET_EXEC && elf.type() != ElfFile.ET_DYN) {
            throw elf.error(Reason.NOT_ELF, "is an ELF " + elf.typeName() + ", not a program");
        }
        Arch arch = elf.arch().orElseThrow(() -> elf.error(Reason.UNSUPPORTED_ARCH, "is an ELF " + elf.typeName()
                + " for " + Arch.describeElfMachine(elf.machine()) + "; tracebee supports x86-64 and arm64"));
        if (!GoBuildInfo.isPresent(elf)) {
            if (elf.section(".gopclntab").isPresent() || elf.section(".note.go.buildid").isPresent()) {
                throw elf.error(Reason.UNSUPPORTED_GO_VERSION, "is a Go program built before Go 1.13 (it has no "
                        + GoBuildInfo.SECTION + " section); tracebee supports Go "
                        + GoVersion.MINIMUM_SUPPORTED.minorVersion() + " and newer");
            }
            throw elf.error(Reason.NOT_GO, "is an ELF " + elf.typeName() + " but not a Go program (no "
                    + GoBuildInfo.SECTION + " section)");
        }
        GoBuildInfo info = GoBuildInfo.read(elf);
        if (!info.goVersion().isSupported()) {
            throw elf.error(Reason.UNSUPPORTED_GO_VERSION, "was built with Go " + info.goVersionString()
                    + ", which is not supported; tracebee supports Go " + GoVersion.MINIMUM_SUPPORTED.minorVersion()
                    + " and newer");
        }
        return new GoBinary(elf, arch, info);
    }

    public Path path() {
        return elf.path();
    }

    public Arch arch() {
        return arch;
    }

    public GoVersion goVersion() {
        return buildInfo.goVersion();
    }

    public GoBuildInfo buildInfo() {
        return buildInfo;
    }

    /** The underlying ELF file, for callers that need more than this class offers. */
    public ElfFile elf() {
        return elf;
    }

    /** True if the program was linked without a symbol table ({@code -ldflags=-s}); functions then come from pclntab. */
    public boolean isStripped() {
        return !elf.hasSymbolTable();
    }

    /** The Go function table, read on first use. */
    public synchronized GoPclntab pclntab() {
        if (pclntab == null) {
            pclntab = guarded(() -> GoPclntab.read(elf));
        }
        return pclntab;
    }

    /**
     * The function with this symbol name as Go writes it ({@code net/http.serverHandler.ServeHTTP},
     * {@code net/http.(*Transport).roundTrip}), from {@code .symtab} if present, else from {@code .gopclntab}.
     * Assembly functions may be named with or without the {@code .abi0} suffix {@code .symtab} gives them.
     * Empty if the program does not contain it (e.g. the linker removed it as unreachable).
     */
    public Optional<GoFunction> function(String symbol) {
        return guarded(() -> lookup(symbol));
    }

    private Optional<GoFunction> lookup(String symbol) {
        Optional<ElfFile.Symbol> sym = symtabFunction(symbol);
        if (sym.isEmpty() && !symbol.endsWith(ABI0) && !isStripped()) {
            sym = symtabFunction(symbol + ABI0);
        }
        if (sym.isPresent()) {
            ElfFile.Symbol s = sym.get();
            return Optional.of(locate(symbol, s.value(), s.value() + s.size(), GoFunction.Source.SYMBOL_TABLE));
        }
        String goName = symbol.endsWith(ABI0) ? symbol.substring(0, symbol.length() - ABI0.length()) : symbol;
        return pclntab().function(goName)
                .map(f -> locate(symbol, f.entry(), f.end(), GoFunction.Source.PCLNTAB));
    }

    private Optional<ElfFile.Symbol> symtabFunction(String name) {
        return elf.symbol(name).filter(s -> s.isFunction() && s.size() > 0);
    }

    /**
     * Like {@link #function(String)} but a missing function is an error.
     *
     * @throws TargetInspectionException {@code SYMBOL_MISSING}
     */
    public GoFunction requireFunction(String symbol) {
        return function(symbol).orElseThrow(() -> elf.error(Reason.SYMBOL_MISSING, "(Go "
                + buildInfo.goVersionString() + ") has no function " + symbol + " (looked in "
                + (isStripped() ? "" : ".symtab and ") + ".gopclntab); the program may not use it, the linker"
                + " then leaves it out, or this Go version renamed it"));
    }

    private GoFunction locate(String name, long entry, long end, GoFunction.Source source) {
        long offset = elf.fileOffset(entry).orElseThrow(() -> elf.error(Reason.MALFORMED, String.format(
                "has function %s at 0x%x, outside every loadable segment", name, entry)));
        return new GoFunction(this, name, entry, end, offset, source);
    }

    long[] findReturns(GoFunction f) {
        ByteBuffer code = elf.bytesAt(f.entry(), f.size()).orElseThrow(() -> elf.error(Reason.MALFORMED,
                String.format("has function %s at [0x%x, 0x%x), not inside one loadable segment",
                        f.name(), f.entry(), f.end())));
        try {
            return ReturnFinder.forArch(arch).findReturns(f.name(), f.entry(), code);
        } catch (TargetInspectionException e) {
            throw new TargetInspectionException(e.reason(), path(), elf.where() + ": " + e.getMessage(), e);
        }
    }

    /**
     * File offsets of the go statements of the program's own code: every direct call to {@code newproc}
     * ({@code runtime.newproc}) from a function outside the standard library, and from the standard-library
     * functions that start a goroutine to run a caller's function ({@link #STARTS_CALLERS_FUNCTIONS}). The
     * goroutines the standard library starts for itself (a connection's reader, a timer's) are left out.
     */
    public long[] goStatements(GoFunction newproc) {
        return guarded(() -> {
            ReturnFinder finder = ReturnFinder.forArch(arch);
            long[] out = new long[16];
            int n = 0;
            for (GoPclntab.Function f : pclntab().functions()) {
                if (!isOwnCode(f.name()) && !STARTS_CALLERS_FUNCTIONS.contains(f.name())) {
                    continue;
                }
                ByteBuffer code = elf.bytesAt(f.entry(), f.size()).orElse(null);
                if (code == null) {
                    continue;
                }
                long[] calls;
                try {
                    calls = finder.findCalls(f.name(), f.entry(), code, newproc.entry());
                } catch (TargetInspectionException e) {
                    throw new TargetInspectionException(e.reason(), path(), elf.where() + ": " + e.getMessage(), e);
                }
                long delta = elf.fileOffset(f.entry()).orElseThrow() - f.entry();
                for (long call : calls) {
                    if (n == out.length) {
                        out = Arrays.copyOf(out, n * 2);
                    }
                    out[n++] = call + delta;
                }
            }
            return Arrays.copyOf(out, n);
        });
    }

    /** Standard-library functions whose go statement runs the caller's function: sync.WaitGroup.Go (Go 1.25). */
    static final Set<String> STARTS_CALLERS_FUNCTIONS = Set.of("sync.(*WaitGroup).Go");

    /**
     * Whether a function (as .gopclntab names it) belongs to the program rather than the standard library:
     * package main, or an import path whose first element has a dot (a module path). The standard library's
     * vendored packages ({@code vendor/golang.org/x/...}) and the runtime's are the standard library's.
     */
    static boolean isOwnCode(String function) {
        if (function.startsWith("main.")) {
            return true;
        }
        int slash = function.indexOf('/');
        int dot = function.indexOf('.');
        return slash > 0 && dot > 0 && dot < slash && !function.startsWith("vendor/");
    }

    /** Reading a corrupt file can index past a table; that is the file's fault, reported as MALFORMED. */
    private <T> T guarded(Supplier<T> read) {
        try {
            return read.get();
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new TargetInspectionException(Reason.MALFORMED, path(), elf.where() + " is truncated or corrupt: "
                    + e, e);
        }
    }

    /** Struct layouts from the program's DWARF; empty if it was linked without ({@code -ldflags=-w}). */
    public synchronized Optional<DwarfStructs> dwarf() {
        if (dwarf == null) {
            dwarf = DwarfStructs.read(elf);
        }
        return dwarf;
    }

    @Override
    public String toString() {
        return "GoBinary[" + path() + ", " + buildInfo.goVersionString() + ", " + arch.displayName()
                + (isStripped() ? ", stripped" : "") + "]";
    }
}
