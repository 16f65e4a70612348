package io.tracebee.inspect;

import io.tracebee.inspect.TargetInspectionException.Reason;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Struct layouts from the target's own DWARF ({@code .debug_info}, DWARF 2-5, plain, {@code SHF_COMPRESSED} or
 * legacy {@code .zdebug_*}): the byte offset of a member within a struct, as probes need them to read Go values
 * such as {@code net/http.Request.Method}. Struct names are Go's, with the package path
 * ({@code net/http.Request}, {@code runtime.g}).
 *
 * <p>The index is built on the first lookup in one pass over {@code .debug_info}, keeping only named structs and
 * their members; every other DIE is skipped by its form sizes.
 */
public final class DwarfStructs {

    private static final int DW_TAG_CLASS_TYPE = 0x02;
    private static final int DW_TAG_MEMBER = 0x0d;
    private static final int DW_TAG_STRUCTURE_TYPE = 0x13;
    private static final int DW_TAG_UNION_TYPE = 0x17;

    private static final int DW_AT_NAME = 0x03;
    private static final int DW_AT_BYTE_SIZE = 0x0b;
    private static final int DW_AT_DATA_MEMBER_LOCATION = 0x38;
    private static final int DW_AT_DECLARATION = 0x3c;
    private static final int DW_AT_STR_OFFSETS_BASE = 0x72;

    private static final int DW_FORM_IMPLICIT_CONST = 0x21;
    private static final int DW_OP_CONSTU = 0x10;
    private static final int DW_OP_PLUS_UCONST = 0x23;

    /** A struct's size and its members' offsets, in declaration order. */
    public record Struct(String name, long size, Map<String, Long> members) {
    }

    private final Path path;
    private final ElfFile elf;
    private Map<String, Struct> index;
    private int dwarfVersion;

    private DwarfStructs(ElfFile elf) {
        this.elf = elf;
        this.path = elf.path();
    }

    /** The DWARF of {@code elf}, or empty if it has none (Go programs linked with {@code -w} or {@code -s}). */
    public static Optional<DwarfStructs> read(ElfFile elf) {
        boolean present = elf.section(".debug_info").isPresent() || elf.section(".zdebug_info").isPresent();
        return present ? Optional.of(new DwarfStructs(elf)) : Optional.empty();
    }

    /**
     * The byte offset of {@code memberName} in struct {@code structName}, e.g.
     * {@code memberOffset("net/http.Request", "Method")}. Embedded fields are members named by their type
     * ({@code "Mutex"}); members of an embedded struct are not promoted.
     *
     * @throws TargetInspectionException {@code MALFORMED} if the DWARF cannot be decoded
     */
    public OptionalLong memberOffset(String structName, String memberName) {
        Struct s = index().get(structName);
        if (s == null) {
            return OptionalLong.empty();
        }
        Long off = s.members().get(memberName);
        return off == null ? OptionalLong.empty() : OptionalLong.of(off);
    }

    /** The struct with this name, with its size and all member offsets. */
    public Optional<Struct> struct(String structName) {
        return Optional.ofNullable(index().get(structName));
    }

    /** The size in bytes of a struct ({@code DW_AT_byte_size}), if known. */
    public OptionalLong structSize(String structName) {
        Struct s = index().get(structName);
        return s == null || s.size() < 0 ? OptionalLong.empty() : OptionalLong.of(s.size());
    }

    /** Every struct name in the index. */
    public Set<String> structNames() {
        return Collections.unmodifiableSet(index().keySet());
    }

    /** The DWARF version of the first compilation unit (Go 1.25+ writes 5, older Go 4). */
    public int version() {
        index();
        return dwarfVersion;
    }

    private synchronized Map<String, Struct> index() {
        if (index == null) {
            try {
                index = build();
            } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
                throw new TargetInspectionException(Reason.MALFORMED, path,
                        where() + " has malformed DWARF (.debug_info): " + e, e);
            }
        }
        return index;
    }

    private String where() {
        return path == null ? "<in-memory ELF>" : path.toString();
    }

    // ---- decoding

    private record Abbrev(int tag, boolean children, int[] attrs, int[] forms, long[] implicitConst) {
    }

    private static final class Unit {
        final ByteBuffer info;
        final int version;
        final int offsetSize;
        final int addressSize;
        long strOffsetsBase = 8; // the DWARF 5 header size, used until the CU DIE says otherwise
        int pos;

        Unit(ByteBuffer info, int version, int offsetSize, int addressSize, int pos) {
            this.info = info;
            this.version = version;
            this.offsetSize = offsetSize;
            this.addressSize = addressSize;
            this.pos = pos;
        }

        int u8() {
            return info.get(pos++) & 0xff;
        }

        long uleb() {
            long result = 0;
            int shift = 0;
            while (true) {
                int b = info.get(pos++) & 0xff;
                if (shift < 64) {
                    result |= (long) (b & 0x7f) << shift;
                }
                if (b < 0x80) {
                    return result;
                }
                shift += 7;
            }
        }

        long sleb() {
            long result = 0;
            int shift = 0;
            int b;
            do {
                b = info.get(pos++) & 0xff;
                if (shift < 64) {
                    result |= (long) (b & 0x7f) << shift;
                }
                shift += 7;
            } while (b >= 0x80);
            if (shift < 64 && (b & 0x40) != 0) {
                result |= -1L << shift;
            }
            return result;
        }

        long fixed(int size) {
            long v = switch (size) {
                case 1 -> info.get(pos) & 0xffL;
                case 2 -> info.getShort(pos) & 0xffffL;
                case 3 -> (info.getShort(pos) & 0xffffL) | ((info.get(pos + 2) & 0xffL) << 16);
                case 4 -> info.getInt(pos) & 0xffffffffL;
                case 8 -> info.getLong(pos);
                default -> throw new IllegalArgumentException("bad size " + size);
            };
            pos += size;
            return v;
        }

        String inlineString() {
            int start = pos;
            while (info.get(pos) != 0) {
                pos++;
            }
            byte[] b = new byte[pos - start];
            info.get(start, b);
            pos++;
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    private ByteBuffer debugStr;
    private ByteBuffer debugLineStr;
    private ByteBuffer debugStrOffsets;

    private Map<String, Struct> build() {
        ByteBuffer info = elf.debugSection(".debug_info").orElseThrow();
        ByteBuffer abbrevSection = elf.debugSection(".debug_abbrev").orElseThrow(
                () -> new TargetInspectionException(Reason.MALFORMED, path,
                        where() + " has .debug_info but no .debug_abbrev"));
        Map<Long, Map<Long, Abbrev>> abbrevTables = new HashMap<>();
        Map<String, Struct> out = new HashMap<>();
        int pos = 0;
        int end = info.limit();
        while (pos + 11 <= end) {
            int unitStart = pos;
            long length = info.getInt(pos) & 0xffffffffL;
            int offsetSize = 4;
            pos += 4;
            if (length == 0xffffffffL) {
                length = info.getLong(pos);
                offsetSize = 8;
                pos += 8;
            }
            long unitEnd = pos + length;
            if (length < 0 || unitEnd > end) {
                throw new IllegalArgumentException("unit at " + unitStart + " of length " + length
                        + " runs past the end");
            }
            int version = info.getShort(pos) & 0xffff;
            pos += 2;
            long abbrevOffset;
            int addressSize;
            int unitType = 1; // DW_UT_compile
            if (version >= 5) {
                unitType = info.get(pos++) & 0xff;
                addressSize = info.get(pos++) & 0xff;
                abbrevOffset = offsetSize == 8 ? info.getLong(pos) : info.getInt(pos) & 0xffffffffL;
                pos += offsetSize;
                if (unitType == 4 || unitType == 5) {
                    pos += 8; // dwo_id
                } else if (unitType == 2 || unitType == 6) {
                    pos += 8 + offsetSize; // type signature and offset
                }
            } else {
                abbrevOffset = offsetSize == 8 ? info.getLong(pos) : info.getInt(pos) & 0xffffffffL;
                pos += offsetSize;
                addressSize = info.get(pos++) & 0xff;
            }
            if (version < 2 || version > 5) {
                pos = (int) unitEnd; // unknown layout: skip the unit rather than misread it
                continue;
            }
            if (dwarfVersion == 0) {
                dwarfVersion = version;
            }
            Map<Long, Abbrev> abbrevs = abbrevTables.computeIfAbsent(abbrevOffset,
                    off -> parseAbbrevs(abbrevSection, off));
            Unit u = new Unit(info, version, offsetSize, addressSize, pos);
            readUnit(u, (int) unitEnd, abbrevs, out);
            pos = (int) unitEnd;
        }
        return out;
    }

    private void readUnit(Unit u, int unitEnd, Map<Long, Abbrev> abbrevs, Map<String, Struct> out) {
        // owner[d] collects the members of the named struct whose children are at depth d
        Map<String, Long>[] owner = newOwnerStack(64);
        String[] ownerName = new String[64];
        long[] ownerSize = new long[64];
        int depth = 0;
        boolean first = true;
        while (u.pos < unitEnd) {
            long code = u.uleb();
            if (code == 0) {
                if (depth > 0) {
                    closeStruct(depth, owner, ownerName, ownerSize, out);
                    depth--;
                }
                continue;
            }
            Abbrev a = abbrevs.get(code);
            if (a == null) {
                throw new IllegalArgumentException("DIE at " + u.pos + " uses unknown abbreviation " + code);
            }
            int tag = a.tag();
            boolean isStruct = tag == DW_TAG_STRUCTURE_TYPE || tag == DW_TAG_CLASS_TYPE || tag == DW_TAG_UNION_TYPE;
            boolean isMember = tag == DW_TAG_MEMBER && owner[depth] != null;
            String name = null;
            long size = -1;
            long location = Long.MIN_VALUE;
            boolean declaration = false;
            for (int i = 0; i < a.attrs().length; i++) {
                int attr = a.attrs()[i];
                int form = a.forms()[i];
                if (first && attr == DW_AT_STR_OFFSETS_BASE) {
                    u.strOffsetsBase = readConstant(u, form, a.implicitConst()[i]);
                } else if ((isStruct || isMember) && attr == DW_AT_NAME) {
                    name = readString(u, form);
                } else if (isStruct && attr == DW_AT_BYTE_SIZE) {
                    size = readConstant(u, form, a.implicitConst()[i]);
                } else if (isStruct && attr == DW_AT_DECLARATION) {
                    declaration = readConstant(u, form, a.implicitConst()[i]) != 0;
                } else if (isMember && attr == DW_AT_DATA_MEMBER_LOCATION) {
                    location = readLocation(u, form, a.implicitConst()[i]);
                } else {
                    skip(u, form);
                }
            }
            first = false;
            if (isMember && name != null) {
                // a union member has no location: it is at offset 0
                owner[depth].putIfAbsent(name, location == Long.MIN_VALUE ? 0 : location);
            }
            if (a.children()) {
                depth++;
                if (depth >= owner.length) {
                    owner = Arrays.copyOf(owner, depth * 2);
                    ownerName = Arrays.copyOf(ownerName, depth * 2);
                    ownerSize = Arrays.copyOf(ownerSize, depth * 2);
                }
                boolean keep = isStruct && name != null && !declaration && !out.containsKey(name);
                owner[depth] = keep ? new LinkedHashMap<>() : null;
                ownerName[depth] = keep ? name : null;
                ownerSize[depth] = size;
            } else if (isStruct && name != null && !declaration && !out.containsKey(name)) {
                out.put(name, new Struct(name, size, Map.of()));
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Map<String, Long>[] newOwnerStack(int n) {
        return (Map<String, Long>[]) new Map[n];
    }

    private static void closeStruct(int depth, Map<String, Long>[] owner, String[] ownerName, long[] ownerSize,
                                    Map<String, Struct> out) {
        if (owner[depth] != null) {
            out.putIfAbsent(ownerName[depth], new Struct(ownerName[depth], ownerSize[depth],
                    Collections.unmodifiableMap(owner[depth])));
            owner[depth] = null;
            ownerName[depth] = null;
        }
    }

    private static Map<Long, Abbrev> parseAbbrevs(ByteBuffer section, long offset) {
        Unit r = new Unit(section, 0, 4, 8, (int) offset);
        Map<Long, Abbrev> out = new HashMap<>();
        while (true) {
            long code = r.uleb();
            if (code == 0) {
                return out;
            }
            int tag = (int) r.uleb();
            boolean children = r.u8() != 0;
            int[] attrs = new int[8];
            int[] forms = new int[8];
            long[] consts = new long[8];
            int n = 0;
            while (true) {
                int attr = (int) r.uleb();
                int form = (int) r.uleb();
                if (attr == 0 && form == 0) {
                    break;
                }
                if (n == attrs.length) {
                    attrs = Arrays.copyOf(attrs, n * 2);
                    forms = Arrays.copyOf(forms, n * 2);
                    consts = Arrays.copyOf(consts, n * 2);
                }
                attrs[n] = attr;
                forms[n] = form;
                consts[n] = form == DW_FORM_IMPLICIT_CONST ? r.sleb() : 0;
                n++;
            }
            out.put(code, new Abbrev(tag, children, Arrays.copyOf(attrs, n),
                    Arrays.copyOf(forms, n), Arrays.copyOf(consts, n)));
        }
    }

    private long readConstant(Unit u, int form, long implicitConst) {
        return switch (form) {
            case 0x0b -> u.fixed(1); // data1
            case 0x05 -> u.fixed(2); // data2
            case 0x06 -> u.fixed(4); // data4
            case 0x07 -> u.fixed(8); // data8
            case 0x0f -> u.uleb(); // udata
            case 0x0d -> u.sleb(); // sdata
            case 0x0c -> u.fixed(1); // flag
            case 0x19 -> 1; // flag_present
            case 0x17 -> u.fixed(u.offsetSize); // sec_offset
            case DW_FORM_IMPLICIT_CONST -> implicitConst;
            case 0x16 -> readConstant(u, (int) u.uleb(), implicitConst); // indirect
            default -> {
                skip(u, form);
                yield -1;
            }
        };
    }

    /** A member location: a constant, or (DWARF 2/3) an expression {@code DW_OP_plus_uconst n}. */
    private long readLocation(Unit u, int form, long implicitConst) {
        int len;
        switch (form) {
            case 0x18, 0x09 -> len = (int) u.uleb(); // exprloc, block
            case 0x0a -> len = (int) u.fixed(1); // block1
            case 0x03 -> len = (int) u.fixed(2); // block2
            case 0x04 -> len = (int) u.fixed(4); // block4
            case 0x16 -> {
                return readLocation(u, (int) u.uleb(), implicitConst);
            }
            default -> {
                return readConstant(u, form, implicitConst);
            }
        }
        int exprEnd = u.pos + len;
        long value = Long.MIN_VALUE;
        if (len > 0) {
            int op = u.u8();
            if (op == DW_OP_PLUS_UCONST || op == DW_OP_CONSTU) {
                value = u.uleb();
            }
        }
        u.pos = exprEnd;
        return value;
    }

    private String readString(Unit u, int form) {
        switch (form) {
            case 0x08: // string
                return u.inlineString();
            case 0x0e: // strp
                return stringAt(strSection(), u.fixed(u.offsetSize));
            case 0x1f: // line_strp
                return stringAt(lineStrSection(), u.fixed(u.offsetSize));
            case 0x1a: // strx
                return indexedString(u, u.uleb());
            case 0x25: // strx1
                return indexedString(u, u.fixed(1));
            case 0x26: // strx2
                return indexedString(u, u.fixed(2));
            case 0x27: // strx3
                return indexedString(u, u.fixed(3));
            case 0x28: // strx4
                return indexedString(u, u.fixed(4));
            case 0x1f02: // GNU_str_index
                return indexedString(u, u.uleb());
            case 0x16: // indirect
                return readString(u, (int) u.uleb());
            default:
                skip(u, form);
                return null;
        }
    }

    private String indexedString(Unit u, long index) {
        ByteBuffer offsets = strOffsetsSection();
        long at = u.strOffsetsBase + index * u.offsetSize;
        long off = u.offsetSize == 8 ? offsets.getLong((int) at) : offsets.getInt((int) at) & 0xffffffffL;
        return stringAt(strSection(), off);
    }

    private static String stringAt(ByteBuffer section, long offset) {
        int start = (int) offset;
        int end = start;
        while (section.get(end) != 0) {
            end++;
        }
        byte[] b = new byte[end - start];
        section.get(start, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private ByteBuffer strSection() {
        if (debugStr == null) {
            debugStr = requiredSection(".debug_str");
        }
        return debugStr;
    }

    private ByteBuffer lineStrSection() {
        if (debugLineStr == null) {
            debugLineStr = requiredSection(".debug_line_str");
        }
        return debugLineStr;
    }

    private ByteBuffer strOffsetsSection() {
        if (debugStrOffsets == null) {
            debugStrOffsets = requiredSection(".debug_str_offsets");
        }
        return debugStrOffsets;
    }

    private ByteBuffer requiredSection(String name) {
        return elf.debugSection(name).orElseThrow(() -> new TargetInspectionException(Reason.MALFORMED, path,
                where() + " has DWARF that refers to " + name + " but no such section"));
    }

    /** Not {@code u.pos += u.fixed(n)}: Java reads {@code u.pos} before the length read advances it. */
    private static void skipBlock(Unit u, long length) {
        u.pos = Math.addExact(u.pos, Math.toIntExact(length));
    }

    private static void skip(Unit u, int form) {
        switch (form) {
            case 0x01 -> u.pos += u.addressSize; // addr
            case 0x03 -> skipBlock(u, u.fixed(2)); // block2
            case 0x04 -> skipBlock(u, u.fixed(4)); // block4
            case 0x05 -> u.pos += 2; // data2
            case 0x06 -> u.pos += 4; // data4
            case 0x07 -> u.pos += 8; // data8
            case 0x08 -> { // string
                while (u.info.get(u.pos) != 0) {
                    u.pos++;
                }
                u.pos++;
            }
            case 0x09, 0x18 -> skipBlock(u, u.uleb()); // block, exprloc
            case 0x0a -> skipBlock(u, u.fixed(1)); // block1
            case 0x0b, 0x0c, 0x11, 0x25, 0x29 -> u.pos += 1; // data1, flag, ref1, strx1, addrx1
            case 0x0d -> u.sleb(); // sdata
            case 0x0e, 0x17, 0x1d, 0x1f, 0x1f20, 0x1f21 -> u.pos += u.offsetSize; // strp, sec_offset, *_sup, line_strp
            case 0x0f, 0x15, 0x1a, 0x1b, 0x22, 0x23, 0x1f01, 0x1f02 -> u.uleb(); // udata, ref_udata, strx, addrx, ...
            case 0x10 -> u.pos += u.version <= 2 ? u.addressSize : u.offsetSize; // ref_addr
            case 0x12, 0x26, 0x2a -> u.pos += 2; // ref2, strx2, addrx2
            case 0x13, 0x1c, 0x28, 0x2c -> u.pos += 4; // ref4, ref_sup4, strx4, addrx4
            case 0x14, 0x20, 0x24 -> u.pos += 8; // ref8, ref_sig8, ref_sup8
            case 0x16 -> skip(u, (int) u.uleb()); // indirect
            case 0x19, DW_FORM_IMPLICIT_CONST -> {
                // flag_present, implicit_const: no data in the DIE
            }
            case 0x1e -> u.pos += 16; // data16
            case 0x27, 0x2b -> u.pos += 3; // strx3, addrx3
            default -> throw new IllegalArgumentException(String.format("unknown DWARF form 0x%x", form));
        }
    }
}
