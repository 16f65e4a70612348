package io.tracebee.inspect;

import io.tracebee.inspect.TargetInspectionException.Reason;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A read-only view of a 64-bit little-endian ELF file: headers, sections, segments, {@code .symtab}, and the
 * translation of virtual addresses to the file offsets that uprobes are attached at.
 *
 * <p>The file is memory-mapped once; everything else is decoded on demand. Instances are safe to share between
 * threads: the mapping is only read with absolute accessors.
 */
public final class ElfFile {

    public static final int ET_REL = 1;
    public static final int ET_EXEC = 2;
    public static final int ET_DYN = 3;
    public static final int ET_CORE = 4;

    public static final int SHT_PROGBITS = 1;
    public static final int SHT_SYMTAB = 2;
    public static final int SHT_STRTAB = 3;
    public static final int SHT_RELA = 4;
    public static final int SHT_NOBITS = 8;
    public static final long SHF_WRITE = 0x1;
    public static final long SHF_ALLOC = 0x2;
    public static final long SHF_EXECINSTR = 0x4;
    public static final long SHF_COMPRESSED = 0x800;

    public static final int PT_LOAD = 1;
    public static final int PF_X = 1;
    public static final int PF_W = 2;
    public static final int PF_R = 4;

    public static final int STT_OBJECT = 1;
    public static final int STT_FUNC = 2;

    private static final int ELFCOMPRESS_ZLIB = 1;
    private static final int ELFCOMPRESS_ZSTD = 2;
    private static final int SYM_SIZE = 24;
    /** Refuse to inflate a debug section beyond this; a real one is a few tens of MB at most. */
    private static final long MAX_INFLATED = 1L << 30;

    /** One section header; {@code name} is resolved through {@code .shstrtab}. */
    public record Section(int index, String name, int type, long flags, long address, long offset, long size,
                          int link, int info, long entrySize) {
        public boolean isCompressed() {
            return (flags & SHF_COMPRESSED) != 0;
        }
    }

    /** One program header. */
    public record Segment(int type, int flags, long offset, long address, long fileSize, long memorySize,
                          long align) {
        public boolean isLoad() {
            return type == PT_LOAD;
        }

        public boolean isExecutable() {
            return (flags & PF_X) != 0;
        }

        public boolean isWritable() {
            return (flags & PF_W) != 0;
        }

        boolean containsInFile(long addr) {
            return Long.compareUnsigned(addr, address) >= 0 && Long.compareUnsigned(addr - address, fileSize) < 0;
        }
    }

    /** One {@code .symtab} entry. {@code type} is the ELF {@code STT_*} value, {@code binding} the {@code STB_*}. */
    public record Symbol(String name, long value, long size, int type, int binding, int sectionIndex) {
        public boolean isFunction() {
            return type == STT_FUNC;
        }
    }

    private final Path path;
    private final ByteBuffer file;
    private final int type;
    private final int machine;
    private final long entry;
    private final List<Section> sections;
    private final Map<String, Section> sectionsByName;
    private final List<Segment> segments;
    private final Map<String, ByteBuffer> inflated = new HashMap<>();
    private Map<Long, Long> relativeRelocations;

    private ElfFile(Path path, ByteBuffer file) {
        this.path = path;
        this.file = file;
        checkIdent();
        this.type = u16(16);
        this.machine = u16(18);
        this.entry = file.getLong(24);
        this.segments = readSegments();
        this.sections = readSections();
        Map<String, Section> byName = new HashMap<>();
        for (Section s : sections) {
            byName.putIfAbsent(s.name(), s);
        }
        this.sectionsByName = byName;
    }

    /** Maps and parses {@code path}; the checks made here are only about ELF, not about Go. */
    public static ElfFile open(Path path) {
        return create(path, map(path));
    }

    /** Parses ELF bytes that are already in memory; {@code path} is only used in messages and may be null. */
    public static ElfFile parse(ByteBuffer bytes, Path path) {
        return create(path, bytes.slice().order(ByteOrder.LITTLE_ENDIAN));
    }

    private static ElfFile create(Path path, ByteBuffer bytes) {
        try {
            return new ElfFile(path, bytes);
        } catch (IndexOutOfBoundsException e) {
            throw new TargetInspectionException(Reason.MALFORMED, path,
                    (path == null ? "<in-memory ELF>" : path.toString()) + " has corrupt ELF headers: " + e, e);
        }
    }

    private static ByteBuffer map(Path path) {
        if (Files.isDirectory(path)) {
            throw new TargetInspectionException(Reason.NOT_READABLE, path, path + " is a directory, not a program");
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE) {
                throw new TargetInspectionException(Reason.NOT_READABLE, path,
                        path + " is " + size + " bytes; tracebee reads programs of up to 2 GiB");
            }
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
        } catch (NoSuchFileException e) {
            throw new TargetInspectionException(Reason.NOT_FOUND, path, path + " does not exist", e);
        } catch (AccessDeniedException e) {
            throw new TargetInspectionException(Reason.NOT_READABLE, path,
                    path + " is not readable: permission denied", e);
        } catch (IOException e) {
            throw new TargetInspectionException(Reason.NOT_READABLE, path, path + " is not readable: " + e, e);
        }
    }

    private void checkIdent() {
        int n = file.capacity();
        if (n == 0) {
            throw error(Reason.NOT_ELF, "is empty, not an ELF program");
        }
        if (n < 4 || file.get(0) != 0x7f || file.get(1) != 'E' || file.get(2) != 'L' || file.get(3) != 'F') {
            throw error(Reason.NOT_ELF, "is not an ELF file (" + describeMagic() + ")");
        }
        if (n < 64) {
            throw error(Reason.NOT_ELF, "is too short (" + n + " bytes) to be an ELF program");
        }
        int elfClass = file.get(4);
        int data = file.get(5);
        if (elfClass != 2) {
            throw error(Reason.UNSUPPORTED_ARCH, "is a " + (elfClass == 1 ? "32-bit" : "class " + elfClass)
                    + " ELF file (" + Arch.describeElfMachine(file.get(18) & 0xff)
                    + "); tracebee supports 64-bit x86-64 and arm64 programs");
        }
        if (data != 1) {
            throw error(Reason.UNSUPPORTED_ARCH, "is a big-endian ELF file ("
                    + Arch.describeElfMachine(((file.get(18) & 0xff) << 8) | (file.get(19) & 0xff))
                    + "); tracebee supports little-endian x86-64 and arm64 programs");
        }
    }

    private String describeMagic() {
        int n = Math.min(file.capacity(), 4);
        byte[] head = new byte[n];
        file.get(0, head);
        if (n >= 2 && head[0] == '#' && head[1] == '!') {
            int end = 2;
            while (end < Math.min(file.capacity(), 80) && file.get(end) != '\n') {
                end++;
            }
            byte[] line = new byte[end];
            file.get(0, line);
            return "a script: " + new String(line, StandardCharsets.UTF_8).strip();
        }
        StringBuilder hex = new StringBuilder("starts with");
        for (byte b : head) {
            hex.append(String.format(" %02x", b & 0xff));
        }
        if (n >= 2 && head[0] == 'M' && head[1] == 'Z') {
            hex.append(", a Windows PE program");
        } else if (n == 4 && (head[0] & 0xff) == 0xcf && (head[1] & 0xff) == 0xfa) {
            hex.append(", a Mach-O program");
        }
        return hex.toString();
    }

    private List<Segment> readSegments() {
        long phoff = file.getLong(0x20);
        int phentsize = u16(0x36);
        int phnum = u16(0x38);
        if (phnum == 0) {
            return List.of();
        }
        if (phentsize < 56 || !inFile(phoff, (long) phentsize * phnum)) {
            throw error(Reason.MALFORMED, "has program headers outside the file (offset " + phoff + ", "
                    + phnum + " x " + phentsize + " bytes)");
        }
        List<Segment> out = new ArrayList<>(phnum);
        for (int i = 0; i < phnum; i++) {
            int p = (int) (phoff + (long) i * phentsize);
            out.add(new Segment(file.getInt(p), file.getInt(p + 4), file.getLong(p + 8), file.getLong(p + 16),
                    file.getLong(p + 32), file.getLong(p + 40), file.getLong(p + 48)));
        }
        return Collections.unmodifiableList(out);
    }

    private List<Section> readSections() {
        long shoff = file.getLong(0x28);
        int shentsize = u16(0x3a);
        int shnum = u16(0x3c);
        int shstrndx = u16(0x3e);
        if (shoff == 0) {
            return List.of();
        }
        if (shentsize < 64 || !inFile(shoff, shentsize)) {
            throw error(Reason.MALFORMED, "has section headers outside the file (offset " + shoff + ")");
        }
        if (shnum == 0) {
            // more than 0xff00 sections: the real count is in section 0's sh_size
            shnum = (int) Math.min(file.getLong((int) shoff + 32), Integer.MAX_VALUE);
        }
        if (shstrndx == 0xffff) {
            shstrndx = file.getInt((int) shoff + 40);
        }
        if (!inFile(shoff, (long) shentsize * shnum)) {
            throw error(Reason.MALFORMED, "has " + shnum + " section headers running past the end of the file");
        }
        long strOff = 0;
        long strSize = 0;
        if (shstrndx > 0 && shstrndx < shnum) {
            int s = (int) (shoff + (long) shstrndx * shentsize);
            strOff = file.getLong(s + 24);
            strSize = file.getLong(s + 32);
            if (!inFile(strOff, strSize)) {
                throw error(Reason.MALFORMED, "has its section name table outside the file");
            }
        }
        List<Section> out = new ArrayList<>(shnum);
        for (int i = 0; i < shnum; i++) {
            int s = (int) (shoff + (long) i * shentsize);
            int nameOff = file.getInt(s);
            String name = strSize > 0 && Integer.toUnsignedLong(nameOff) < strSize
                    ? cString(strOff + Integer.toUnsignedLong(nameOff), strOff + strSize)
                    : "";
            out.add(new Section(i, name, file.getInt(s + 4), file.getLong(s + 8), file.getLong(s + 16),
                    file.getLong(s + 24), file.getLong(s + 32), file.getInt(s + 40), file.getInt(s + 44),
                    file.getLong(s + 56)));
        }
        return Collections.unmodifiableList(out);
    }

    public Path path() {
        return path;
    }

    /** {@code e_type}: {@link #ET_EXEC}, {@link #ET_DYN} (PIE or shared library), ... */
    public int type() {
        return type;
    }

    /** A readable name of {@link #type()} for messages. */
    public String typeName() {
        return switch (type) {
            case ET_REL -> "relocatable object file";
            case ET_EXEC -> "executable";
            case ET_DYN -> "position-independent executable or shared library";
            case ET_CORE -> "core dump";
            default -> "ELF file of type " + type;
        };
    }

    public int machine() {
        return machine;
    }

    /** The architecture, or empty when the machine is one tracebee does not support. */
    public Optional<Arch> arch() {
        return Arch.fromElfMachine(machine);
    }

    public long entry() {
        return entry;
    }

    public List<Section> sections() {
        return sections;
    }

    public Optional<Section> section(String name) {
        return Optional.ofNullable(sectionsByName.get(name));
    }

    public List<Segment> segments() {
        return segments;
    }

    /** The bytes of a section as stored in the file (still compressed if it is); empty for {@code SHT_NOBITS}. */
    public ByteBuffer rawContents(Section section) {
        if (section.type() == SHT_NOBITS) {
            return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        if (!inFile(section.offset(), section.size())) {
            throw error(Reason.MALFORMED, "has section " + section.name() + " running past the end of the file");
        }
        return slice(section.offset(), section.size());
    }

    /** The bytes of a section, inflated if it is {@code SHF_COMPRESSED} or a legacy {@code .zdebug_*} section. */
    public ByteBuffer contents(Section section) {
        if (!section.isCompressed() && !section.name().startsWith(".zdebug_")) {
            return rawContents(section);
        }
        synchronized (inflated) {
            ByteBuffer cached = inflated.get(section.name());
            if (cached == null) {
                cached = inflate(section);
                inflated.put(section.name(), cached);
            }
            return cached.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /**
     * A DWARF section by its {@code .debug_*} name, also found under the legacy {@code .zdebug_*} name, inflated.
     * Empty if the binary has no such section.
     */
    public Optional<ByteBuffer> debugSection(String name) {
        Section s = sectionsByName.get(name);
        if (s == null && name.startsWith(".debug_")) {
            s = sectionsByName.get(".z" + name.substring(1));
        }
        return s == null ? Optional.empty() : Optional.of(contents(s));
    }

    private ByteBuffer inflate(Section section) {
        ByteBuffer raw = rawContents(section);
        long size;
        int start;
        if (section.isCompressed()) {
            if (raw.capacity() < 24) {
                throw error(Reason.MALFORMED, "has a compressed section " + section.name() + " without header");
            }
            int chType = raw.getInt(0);
            size = raw.getLong(8);
            if (chType == ELFCOMPRESS_ZSTD) {
                throw error(Reason.MALFORMED, "has section " + section.name()
                        + " compressed with zstd; tracebee reads zlib-compressed debug sections only");
            }
            if (chType != ELFCOMPRESS_ZLIB) {
                throw error(Reason.MALFORMED, "has section " + section.name()
                        + " compressed with unknown method " + chType);
            }
            start = 24;
        } else {
            if (raw.capacity() < 12 || raw.get(0) != 'Z' || raw.get(1) != 'L' || raw.get(2) != 'I'
                    || raw.get(3) != 'B') {
                throw error(Reason.MALFORMED, "has section " + section.name() + " without a ZLIB header");
            }
            size = raw.duplicate().order(ByteOrder.BIG_ENDIAN).getLong(4);
            start = 12;
        }
        if (size < 0 || size > MAX_INFLATED) {
            throw error(Reason.MALFORMED, "has section " + section.name() + " claiming to inflate to "
                    + Long.toUnsignedString(size) + " bytes");
        }
        byte[] out = new byte[(int) size];
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(raw.slice(start, raw.capacity() - start));
            int n = 0;
            while (n < out.length) {
                int got = inflater.inflate(out, n, out.length - n);
                if (got == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                n += got;
            }
            if (n != out.length) {
                throw error(Reason.MALFORMED, "has section " + section.name() + " that inflates to " + n
                        + " bytes instead of the " + out.length + " its header says");
            }
        } catch (DataFormatException e) {
            throw new TargetInspectionException(Reason.MALFORMED, path,
                    where() + " has a corrupt compressed section " + section.name() + ": " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
        return ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** True if the file still has a {@code .symtab} (Go binaries linked with {@code -s} do not). */
    public boolean hasSymbolTable() {
        return sectionsByName.containsKey(".symtab");
    }

    /**
     * Whether symbol values are the run-time addresses: a symbol table in a fixed-address executable (Go's
     * default), not a position-independent one whose load address moves them.
     */
    public boolean hasRunTimeSymbolAddresses() {
        return hasSymbolTable() && type() == ET_EXEC;
    }

    /** The first {@code .symtab} symbol with exactly this name; compares bytes without decoding every name. */
    public Optional<Symbol> symbol(String name) {
        Section symtab = sectionsByName.get(".symtab");
        if (symtab == null) {
            return Optional.empty();
        }
        Section strtab = linkedStringTable(symtab);
        byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
        long strOff = strtab.offset();
        long strEnd = strOff + strtab.size();
        long count = symtab.size() / SYM_SIZE;
        int base = (int) symtab.offset();
        for (long i = 1; i < count; i++) {
            int e = (int) (base + i * SYM_SIZE);
            long nameAt = strOff + Integer.toUnsignedLong(file.getInt(e));
            if (nameAt + wanted.length < strEnd && equalsCString(nameAt, wanted)) {
                return Optional.of(readSymbol(e, name));
            }
        }
        return Optional.empty();
    }

    /** The {@code .symtab} symbols whose names start with {@code prefix}; decodes only those names. */
    public List<Symbol> symbolsStartingWith(String prefix) {
        Section symtab = sectionsByName.get(".symtab");
        if (symtab == null) {
            return List.of();
        }
        Section strtab = linkedStringTable(symtab);
        byte[] wanted = prefix.getBytes(StandardCharsets.UTF_8);
        long strEnd = strtab.offset() + strtab.size();
        long count = symtab.size() / SYM_SIZE;
        List<Symbol> out = new ArrayList<>();
        for (long i = 1; i < count; i++) {
            int e = (int) (symtab.offset() + i * SYM_SIZE);
            long nameAt = strtab.offset() + Integer.toUnsignedLong(file.getInt(e));
            if (nameAt + wanted.length < strEnd && startsWith(nameAt, wanted)) {
                out.add(readSymbol(e, cString(nameAt, strEnd)));
            }
        }
        return out;
    }

    /** Every {@code .symtab} symbol (decodes all names; prefer {@link #symbol(String)} for lookups). */
    public List<Symbol> symbols() {
        Section symtab = sectionsByName.get(".symtab");
        if (symtab == null) {
            return List.of();
        }
        Section strtab = linkedStringTable(symtab);
        long count = symtab.size() / SYM_SIZE;
        List<Symbol> out = new ArrayList<>((int) count);
        for (long i = 1; i < count; i++) {
            int e = (int) (symtab.offset() + i * SYM_SIZE);
            long nameAt = strtab.offset() + Integer.toUnsignedLong(file.getInt(e));
            out.add(readSymbol(e, cString(nameAt, strtab.offset() + strtab.size())));
        }
        return out;
    }

    private Section linkedStringTable(Section symtab) {
        if (symtab.link() <= 0 || symtab.link() >= sections.size()) {
            throw error(Reason.MALFORMED, "has a .symtab whose string table index " + symtab.link() + " is invalid");
        }
        Section strtab = sections.get(symtab.link());
        if (!inFile(symtab.offset(), symtab.size()) || !inFile(strtab.offset(), strtab.size())) {
            throw error(Reason.MALFORMED, "has a .symtab running past the end of the file");
        }
        return strtab;
    }

    private Symbol readSymbol(int e, String name) {
        int info = file.get(e + 4) & 0xff;
        return new Symbol(name, file.getLong(e + 8), file.getLong(e + 16), info & 0xf, info >>> 4, u16(e + 6));
    }

    /** The file offset holding the byte at virtual address {@code address}, through the {@code PT_LOAD} segments. */
    public OptionalLong fileOffset(long address) {
        for (Segment s : segments) {
            if (s.isLoad() && s.containsInFile(address)) {
                return OptionalLong.of(s.offset() + (address - s.address()));
            }
        }
        return OptionalLong.empty();
    }

    /** {@code length} file bytes starting at virtual address {@code address}, if all of them are in one segment. */
    public Optional<ByteBuffer> bytesAt(long address, long length) {
        for (Segment s : segments) {
            if (s.isLoad() && s.containsInFile(address)) {
                long off = s.offset() + (address - s.address());
                if (length < 0 || length > s.fileSize() - (address - s.address()) || !inFile(off, length)) {
                    return Optional.empty();
                }
                return Optional.of(slice(off, length));
            }
        }
        return Optional.empty();
    }

    /**
     * The 64-bit pointer stored at virtual address {@code address}. In a position-independent program the
     * linker may leave it zero in the file and put the value in an {@code R_*_RELATIVE} relocation's addend
     * (lld does); that addend is returned then. Empty if the address is not in the file.
     */
    public OptionalLong pointerAt(long address) {
        Optional<ByteBuffer> b = bytesAt(address, 8);
        if (b.isEmpty()) {
            return OptionalLong.empty();
        }
        long value = b.get().getLong(0);
        if (value == 0 && type == ET_DYN) {
            Long addend = relativeRelocations().get(address);
            if (addend != null) {
                return OptionalLong.of(addend);
            }
        }
        return OptionalLong.of(value);
    }

    /** The addresses patched by {@code R_*_RELATIVE} relocations (key) and their addends (value). */
    synchronized Map<Long, Long> relativeRelocations() {
        if (relativeRelocations == null) {
            int relative = machine == 183 ? 1027 : 8; // R_AARCH64_RELATIVE, R_X86_64_RELATIVE
            Map<Long, Long> out = new HashMap<>();
            for (Section s : sections) {
                if (s.type() != SHT_RELA || !inFile(s.offset(), s.size())) {
                    continue;
                }
                for (long at = s.offset(); at + 24 <= s.offset() + s.size(); at += 24) {
                    int i = (int) at;
                    if ((int) file.getLong(i + 8) == relative) {
                        out.put(file.getLong(i), file.getLong(i + 16));
                    }
                }
            }
            relativeRelocations = out;
        }
        return relativeRelocations;
    }

    /** The section (with {@code SHF_ALLOC}) whose address range contains {@code address}. */
    public Optional<Section> sectionAt(long address) {
        for (Section s : sections) {
            if ((s.flags() & SHF_ALLOC) != 0 && Long.compareUnsigned(address, s.address()) >= 0
                    && Long.compareUnsigned(address - s.address(), s.size()) < 0) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** A little-endian view of {@code length} file bytes at {@code offset}. */
    ByteBuffer slice(long offset, long length) {
        if (!inFile(offset, length)) {
            throw error(Reason.MALFORMED, "is truncated: " + length + " bytes at offset " + offset
                    + " are past its end (" + file.capacity() + " bytes)");
        }
        return file.slice((int) offset, (int) length).order(ByteOrder.LITTLE_ENDIAN);
    }

    long size() {
        return file.capacity();
    }

    private boolean inFile(long offset, long length) {
        return offset >= 0 && length >= 0 && offset <= file.capacity() && length <= file.capacity() - offset;
    }

    private boolean equalsCString(long at, byte[] wanted) {
        return startsWith(at, wanted) && file.get((int) at + wanted.length) == 0;
    }

    private boolean startsWith(long at, byte[] wanted) {
        int p = (int) at;
        for (int i = 0; i < wanted.length; i++) {
            if (file.get(p + i) != wanted[i]) {
                return false;
            }
        }
        return true;
    }

    private String cString(long at, long limit) {
        int start = (int) at;
        int end = start;
        int max = (int) Math.min(limit, file.capacity());
        while (end < max && file.get(end) != 0) {
            end++;
        }
        byte[] b = new byte[end - start];
        file.get(start, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private int u16(int at) {
        return file.getShort(at) & 0xffff;
    }

    /** How messages refer to this file. */
    String where() {
        return path == null ? "<in-memory ELF>" : path.toString();
    }

    TargetInspectionException error(Reason reason, String what) {
        return new TargetInspectionException(reason, path, where() + " " + what);
    }
}
