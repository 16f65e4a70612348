package io.tracebee.inspect;

import io.tracebee.inspect.TargetInspectionException.Reason;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Go runtime's function table ({@code .gopclntab}, Go 1.18+), which survives {@code -ldflags=-s -w}: the name,
 * entry and end address of every Go function. Only the function table and names are read, and a name lookup
 * compares bytes instead of decoding every name.
 *
 * <p>Function entries are stored as 32-bit offsets from {@code runtime.text}. Go 1.18-1.25 also store that base
 * in the header; Go 1.26 leaves it zero, so it is taken from {@code .symtab} or from the runtime's
 * {@code moduledata} (its {@code text} field), found next to the pointer to the table.
 */
public final class GoPclntab {

    /** Go 1.18 and 1.19. */
    public static final int MAGIC_GO118 = 0xfffffff0;
    /** Go 1.20 and newer. */
    public static final int MAGIC_GO120 = 0xfffffff1;

    /** A function of the table. {@code end} is the next function's entry, so it includes alignment padding. */
    public record Function(String name, long entry, long end) {
        public long size() {
            return end - entry;
        }
    }

    /** Offset of {@code moduledata.text} (pcHeader, 6 slices, findfunctab, minpc, maxpc), 64-bit. */
    private static final int MODULEDATA_TEXT = 8 + 6 * 24 + 8 + 16;
    private static final int MODULEDATA_MINPC = 8 + 6 * 24 + 8;
    private static final int MODULEDATA_FUNCNAMETAB = 8;

    private final ByteBuffer data;
    private final Path path;
    private final int minLC;
    private final int nfunc;
    private final long textStart;
    private final int funcnameOff;
    private final int functabOff;

    private GoPclntab(ByteBuffer data, Path path, int minLC, int nfunc, long textStart, int funcnameOff,
                      int functabOff) {
        this.data = data;
        this.path = path;
        this.minLC = minLC;
        this.nfunc = nfunc;
        this.textStart = textStart;
        this.funcnameOff = funcnameOff;
        this.functabOff = functabOff;
    }

    /** Finds and validates the table of a Go ELF program, and the text base its entries are relative to. */
    public static GoPclntab read(ElfFile elf) {
        long address;
        ByteBuffer bytes;
        Optional<ElfFile.Section> section = elf.section(".gopclntab")
                .or(() -> elf.section(".data.rel.ro.gopclntab"));
        if (section.isPresent()) {
            address = section.get().address();
            bytes = elf.rawContents(section.get());
        } else {
            // externally linked PIE: the table is inside .data.rel.ro, delimited by symbols
            Optional<ElfFile.Symbol> start = elf.symbol("runtime.pclntab");
            Optional<ElfFile.Symbol> end = elf.symbol("runtime.epclntab");
            if (start.isEmpty() || end.isEmpty()) {
                throw elf.error(Reason.MALFORMED, "has Go build info but no .gopclntab section"
                        + " (and no runtime.pclntab symbol), so its functions cannot be found");
            }
            address = start.get().value();
            bytes = elf.bytesAt(address, end.get().value() - address).orElseThrow(() -> elf.error(
                    Reason.MALFORMED, "has runtime.pclntab outside its loaded segments"));
        }
        Header h = header(bytes, elf.path(), elf.where());
        long text = h.textStart != 0 ? h.textStart : textStartFromBinary(elf, bytes, address, h);
        return new GoPclntab(bytes, elf.path(), h.minLC, h.nfunc, text, h.funcnameOff, h.functabOff);
    }

    /** Parses a table held in memory; {@code textStart} is used when the header does not carry one (Go 1.26+). */
    public static GoPclntab parse(ByteBuffer bytes, long textStart) {
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        Header h = header(b, null, ".gopclntab");
        return new GoPclntab(b, null, h.minLC, h.nfunc, h.textStart != 0 ? h.textStart : textStart,
                h.funcnameOff, h.functabOff);
    }

    private record Header(int minLC, int nfunc, long textStart, int funcnameOff, int functabOff) {
    }

    private static Header header(ByteBuffer b, Path path, String where) {
        if (b.capacity() < 8) {
            throw new TargetInspectionException(Reason.MALFORMED, path, where + " has a truncated .gopclntab");
        }
        int magic = b.getInt(0);
        if (magic != MAGIC_GO120 && magic != MAGIC_GO118) {
            String known = switch (magic) {
                case 0xfffffffa -> " (Go 1.16-1.17)";
                case 0xfffffffb -> " (Go 1.2-1.15)";
                default -> "";
            };
            throw new TargetInspectionException(Reason.UNSUPPORTED_GO_VERSION, path, where
                    + " has a .gopclntab with magic " + String.format("0x%08x", magic) + known
                    + "; tracebee reads the Go 1.18+ format (0xfffffff0, 0xfffffff1)");
        }
        int minLC = b.get(6);
        int ptrSize = b.get(7);
        if (b.get(4) != 0 || b.get(5) != 0 || (minLC != 1 && minLC != 2 && minLC != 4) || ptrSize != 8
                || b.capacity() < 8 + 8 * 8) {
            throw new TargetInspectionException(Reason.MALFORMED, path, where
                    + " has a .gopclntab with an invalid header (minLC " + minLC + ", pointer size " + ptrSize + ")");
        }
        long nfunc = b.getLong(8);
        long textStart = b.getLong(8 + 2 * 8);
        long funcnameOff = b.getLong(8 + 3 * 8);
        long functabOff = b.getLong(8 + 7 * 8);
        long cap = b.capacity();
        if (nfunc < 0 || nfunc > Integer.MAX_VALUE / 8 || funcnameOff < 0 || funcnameOff >= cap
                || functabOff < 0 || functabOff + (nfunc * 8 + 4) > cap) {
            throw new TargetInspectionException(Reason.MALFORMED, path, where
                    + " has a .gopclntab whose function table (" + nfunc + " functions at offset " + functabOff
                    + ") does not fit in its " + cap + " bytes");
        }
        return new Header(minLC, (int) nfunc, textStart, (int) funcnameOff, (int) functabOff);
    }

    private static long textStartFromBinary(ElfFile elf, ByteBuffer pclntab, long pclntabAddress, Header h) {
        Optional<ElfFile.Symbol> text = elf.symbol("runtime.text");
        if (text.isPresent()) {
            return text.get().value();
        }
        long firstEntryOff = Integer.toUnsignedLong(pclntab.getInt(h.functabOff));
        long funcnametab = pclntabAddress + h.funcnameOff;
        // Go 1.26+ gives runtime.firstmoduledata a section of its own
        Optional<ElfFile.Section> module = elf.section(".go.module");
        if (module.isPresent()) {
            long found = moduledataText(elf, module.get().address(), pclntabAddress, funcnametab, firstEntryOff);
            if (found != 0) {
                return found;
            }
        }
        // older Go: find the moduledata by its first field, the pointer to the table
        for (ElfFile.Segment s : elf.segments()) {
            if (s.isLoad() && s.isWritable() && s.fileSize() > 0 && s.offset() + s.fileSize() <= elf.size()) {
                ByteBuffer data = elf.slice(s.offset(), s.fileSize());
                for (int at = 0; at + 8 <= data.capacity(); at += 8) {
                    if (data.getLong(at) == pclntabAddress) {
                        long found = moduledataText(elf, s.address() + at, pclntabAddress, funcnametab,
                                firstEntryOff);
                        if (found != 0) {
                            return found;
                        }
                    }
                }
            }
        }
        if (elf.type() == ElfFile.ET_DYN) {
            for (Map.Entry<Long, Long> r : elf.relativeRelocations().entrySet()) {
                if (r.getValue() == pclntabAddress) {
                    long found = moduledataText(elf, r.getKey(), pclntabAddress, funcnametab, firstEntryOff);
                    if (found != 0) {
                        return found;
                    }
                }
            }
        }
        // internal linking puts runtime.text first in .text
        return elf.section(".text").map(ElfFile.Section::address).orElseThrow(() -> elf.error(Reason.MALFORMED,
                "has no .text section, no runtime.text symbol and no runtime moduledata to locate Go code"));
    }

    /** {@code moduledata.text} if {@code address} holds a moduledata for this table, else 0. */
    private static long moduledataText(ElfFile elf, long address, long pclntabAddress, long funcnametab,
                                       long firstEntryOff) {
        if (elf.pointerAt(address).orElse(0) != pclntabAddress
                || elf.pointerAt(address + MODULEDATA_FUNCNAMETAB).orElse(0) != funcnametab) {
            return 0;
        }
        long text = elf.pointerAt(address + MODULEDATA_TEXT).orElse(0);
        long minpc = elf.pointerAt(address + MODULEDATA_MINPC).orElse(0);
        return text != 0 && text + firstEntryOff == minpc ? text : 0;
    }

    /** The number of functions in the table. */
    public int functionCount() {
        return nfunc;
    }

    /** The address of {@code runtime.text}, the base of all entries. */
    public long textStart() {
        return textStart;
    }

    /** The instruction size quantum: 1 on x86-64, 4 on arm64. */
    public int minInstructionSize() {
        return minLC;
    }

    /** The function with exactly this name (as Go writes it, e.g. {@code net/http.(*Transport).roundTrip}). */
    public Optional<Function> function(String name) {
        byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < nfunc; i++) {
            int nameAt = nameOffset(i);
            if (nameAt >= 0 && nameAt + wanted.length < data.capacity() && nameEquals(nameAt, wanted)) {
                return Optional.of(new Function(name, entry(i), entry(i + 1)));
            }
        }
        return Optional.empty();
    }

    /** The function whose range contains {@code pc}. */
    public Optional<Function> functionAt(long pc) {
        if (nfunc == 0 || pc < entry(0) || pc >= entry(nfunc)) {
            return Optional.empty();
        }
        int lo = 0;
        int hi = nfunc - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (entry(mid) <= pc) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return Optional.of(new Function(name(lo), entry(lo), entry(lo + 1)));
    }

    /** Every function, in address order (decodes every name). */
    public List<Function> functions() {
        List<Function> out = new ArrayList<>(nfunc);
        for (int i = 0; i < nfunc; i++) {
            out.add(new Function(name(i), entry(i), entry(i + 1)));
        }
        return out;
    }

    private long entry(int i) {
        // entry i+1 of the last function is the table's terminating entry: the end of the text
        return textStart + Integer.toUnsignedLong(data.getInt(functabOff + 8 * i));
    }

    private int nameOffset(int i) {
        long funcOff = Integer.toUnsignedLong(data.getInt(functabOff + 8 * i + 4));
        long func = functabOff + funcOff;
        if (func + 8 > data.capacity()) {
            throw malformed("function " + i + " has its descriptor outside the table");
        }
        int nameOff = data.getInt((int) func + 4);
        long at = (long) funcnameOff + nameOff;
        return nameOff < 0 || at >= data.capacity() ? -1 : (int) at;
    }

    private String name(int i) {
        int at = nameOffset(i);
        if (at < 0) {
            throw malformed("function " + i + " has its name outside the table");
        }
        int end = at;
        while (end < data.capacity() && data.get(end) != 0) {
            end++;
        }
        byte[] b = new byte[end - at];
        data.get(at, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private boolean nameEquals(int at, byte[] wanted) {
        for (int i = 0; i < wanted.length; i++) {
            if (data.get(at + i) != wanted[i]) {
                return false;
            }
        }
        return data.get(at + wanted.length) == 0;
    }

    private TargetInspectionException malformed(String what) {
        return new TargetInspectionException(Reason.MALFORMED, path,
                (path == null ? ".gopclntab" : path + " .gopclntab") + ": " + what);
    }
}
