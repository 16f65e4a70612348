package io.tracebee.inspect;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Writes small ELF64 little-endian files for parser tests: one PT_LOAD per allocated section. */
final class ElfBuilder {

    private record Sec(String name, int type, long flags, long addr, byte[] data, int link, long entsize) {
    }

    private record Sym(String name, long value, long size, int type) {
    }

    private final List<Sec> sections = new ArrayList<>();
    private final List<Sym> symbols = new ArrayList<>();
    private int machine = 62;
    private int type = ElfFile.ET_EXEC;
    private int elfClass = 2;
    private int data = 1;

    ElfBuilder machine(int machine) {
        this.machine = machine;
        return this;
    }

    ElfBuilder type(int type) {
        this.type = type;
        return this;
    }

    ElfBuilder ident(int elfClass, int data) {
        this.elfClass = elfClass;
        this.data = data;
        return this;
    }

    ElfBuilder section(String name, int type, long flags, long addr, byte[] bytes) {
        sections.add(new Sec(name, type, flags, addr, bytes, 0, 0));
        return this;
    }

    ElfBuilder text(long addr, byte[] code) {
        return section(".text", ElfFile.SHT_PROGBITS, ElfFile.SHF_ALLOC | ElfFile.SHF_EXECINSTR, addr, code);
    }

    ElfBuilder symbol(String name, long value, long size, int type) {
        symbols.add(new Sym(name, value, size, type));
        return this;
    }

    byte[] build() {
        List<Sec> all = new ArrayList<>();
        all.add(new Sec("", 0, 0, 0, new byte[0], 0, 0));
        all.addAll(sections);
        if (!symbols.isEmpty()) {
            ByteArrayOutputStream strtab = new ByteArrayOutputStream();
            strtab.write(0);
            ByteBuffer symtab = ByteBuffer.allocate(24 * (symbols.size() + 1)).order(ByteOrder.LITTLE_ENDIAN);
            symtab.position(24);
            for (Sym s : symbols) {
                symtab.putInt(strtab.size());
                strtab.writeBytes(s.name().getBytes(StandardCharsets.UTF_8));
                strtab.write(0);
                symtab.put((byte) (0x10 | s.type())).put((byte) 0).putShort((short) 1);
                symtab.putLong(s.value()).putLong(s.size());
            }
            all.add(new Sec(".symtab", ElfFile.SHT_SYMTAB, 0, 0, symtab.array(), all.size() + 1, 24));
            all.add(new Sec(".strtab", ElfFile.SHT_STRTAB, 0, 0, strtab.toByteArray(), 0, 0));
        }
        ByteArrayOutputStream shstr = new ByteArrayOutputStream();
        shstr.write(0);
        int[] nameOff = new int[all.size() + 1];
        for (int i = 1; i < all.size(); i++) {
            nameOff[i] = shstr.size();
            shstr.writeBytes(all.get(i).name().getBytes(StandardCharsets.UTF_8));
            shstr.write(0);
        }
        nameOff[all.size()] = shstr.size();
        shstr.writeBytes(".shstrtab\0".getBytes(StandardCharsets.UTF_8));
        all.add(new Sec(".shstrtab", ElfFile.SHT_STRTAB, 0, 0, shstr.toByteArray(), 0, 0));

        long loads = all.stream().filter(s -> (s.flags() & ElfFile.SHF_ALLOC) != 0).count();
        int phoff = 64;
        long off = align(phoff + 56 * loads);
        long[] offsets = new long[all.size()];
        for (int i = 1; i < all.size(); i++) {
            offsets[i] = off;
            off = align(off + all.get(i).data().length);
        }
        long shoff = off;
        ByteBuffer out = ByteBuffer.allocate((int) (shoff + 64L * all.size())).order(ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) elfClass, (byte) data, 1, 0});
        out.putShort(16, (short) type).putShort(18, (short) machine).putInt(20, 1);
        out.putLong(24, sections.isEmpty() ? 0 : sections.get(0).addr());
        out.putLong(32, loads == 0 ? 0 : phoff).putLong(40, shoff);
        out.putShort(52, (short) 64).putShort(54, (short) 56).putShort(56, (short) loads);
        out.putShort(58, (short) 64).putShort(60, (short) all.size()).putShort(62, (short) (all.size() - 1));
        int ph = phoff;
        for (int i = 1; i < all.size(); i++) {
            Sec s = all.get(i);
            out.put((int) offsets[i], s.data());
            if ((s.flags() & ElfFile.SHF_ALLOC) != 0) {
                int flags = ElfFile.PF_R | ((s.flags() & ElfFile.SHF_EXECINSTR) != 0 ? ElfFile.PF_X : 0)
                        | ((s.flags() & ElfFile.SHF_WRITE) != 0 ? ElfFile.PF_W : 0);
                out.putInt(ph, ElfFile.PT_LOAD).putInt(ph + 4, flags).putLong(ph + 8, offsets[i])
                        .putLong(ph + 16, s.addr()).putLong(ph + 24, s.addr()).putLong(ph + 32, s.data().length)
                        .putLong(ph + 40, s.data().length).putLong(ph + 48, 16);
                ph += 56;
            }
            int sh = (int) (shoff + 64L * i);
            out.putInt(sh, nameOff[i]).putInt(sh + 4, s.type()).putLong(sh + 8, s.flags())
                    .putLong(sh + 16, s.addr()).putLong(sh + 24, offsets[i]).putLong(sh + 32, s.data().length)
                    .putInt(sh + 40, s.link()).putLong(sh + 48, 16).putLong(sh + 56, s.entsize());
        }
        return out.array();
    }

    private static long align(long v) {
        return (v + 15) & ~15L;
    }

    /** A {@code .go.buildinfo} in the Go 1.18+ inline format. */
    static byte[] buildInfo(String goVersion, String modinfo) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("\u00ff Go buildinf:".getBytes(StandardCharsets.ISO_8859_1));
        out.write(8);
        out.write(2);
        out.writeBytes(new byte[16]);
        writeVarintString(out, goVersion.getBytes(StandardCharsets.UTF_8));
        byte[] sentinel = new byte[16];
        ByteArrayOutputStream mod = new ByteArrayOutputStream();
        if (!modinfo.isEmpty()) {
            mod.writeBytes(sentinel);
            mod.writeBytes(modinfo.getBytes(StandardCharsets.UTF_8));
            mod.writeBytes(sentinel);
        }
        writeVarintString(out, mod.toByteArray());
        return out.toByteArray();
    }

    private static void writeVarintString(ByteArrayOutputStream out, byte[] s) {
        int n = s.length;
        while (n >= 0x80) {
            out.write((n & 0x7f) | 0x80);
            n >>>= 7;
        }
        out.write(n);
        out.writeBytes(s);
    }
}
