package io.tracebee.probe.dbsql;

import io.tracebee.bpf.BpfMap;
import io.tracebee.bpf.BpfObject;
import io.tracebee.inspect.ElfFile;
import io.tracebee.inspect.GoBinary;
import io.tracebee.probe.OffsetResolver;
import io.tracebee.probe.ProbeSpec;
import io.tracebee.probe.ProbeSpec.OffsetSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Tells the database/sql probe which dynamic types it will meet in this binary: each {@code driver.Conn}
 * implementation's database system and each known error type's message and code members, keyed by
 * the address of the type's itab ({@code go:itab.<type>,<interface>} symbols). Itab addresses are
 * link-time addresses, so this needs a symbol table and a non-PIE executable (Go's default); without
 * them, the system comes from the one known driver module the binary links, if exactly one.
 */
final class DbSqlSetup implements ProbeSpec.Setup {
    static final String DRIVER_CONN = "database/sql/driver.Conn";
    static final String ERROR = "error";
    private static final int NO_MEMBER = 0xffff;

    /** A type's entry in the program's {@code db_types} map. */
    record TypeInfo(int system, int errorType, int messageOffset, int codeOffset, int causeOffset) {
        byte[] bytes() {
            return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                    .put((byte) system).put((byte) errorType).putShort((short) messageOffset)
                    .putShort((short) codeOffset).putShort((short) causeOffset).array();
        }
    }

    /** An itab symbol's parts: {@code go:itab.*github.com/lib/pq.conn,database/sql/driver.Conn}. */
    record Itab(long address, String type, String iface) {
        static Optional<Itab> parse(ElfFile.Symbol s) {
            String rest = s.name().substring("go:itab.".length());
            int comma = rest.lastIndexOf(',');
            return comma <= 0 ? Optional.empty() : Optional.of(new Itab(s.value(), rest.substring(0, comma), rest.substring(comma + 1)));
        }

        /** The package path of the type, without pointer or type name. */
        String typePackage() {
            String t = type.startsWith("*") ? type.substring(1) : type;
            int slash = t.lastIndexOf('/');
            int dot = t.indexOf('.', slash + 1);
            return dot < 0 ? t : t.substring(0, dot);
        }
    }

    static boolean identifiesTypes(GoBinary binary) {
        return binary.elf().hasRunTimeSymbolAddresses();
    }

    @Override
    public void beforeLoad(GoBinary binary, BpfObject object) {
        if (!identifiesTypes(binary)) {
            defaultSystem(binary).ifPresent(id -> object.setRodata("db_default_system", id));
        }
    }

    @Override
    public void afterLoad(GoBinary binary, BpfObject object, OffsetResolver offsets) {
        if (!identifiesTypes(binary)) {
            return;
        }
        BpfMap map = object.map("db_types");
        types(binary, offsets).forEach((itab, info) -> map.update(
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(itab).array(), info.bytes()));
    }

    /** The db_types entries for this binary, by itab address. */
    static Map<Long, TypeInfo> types(GoBinary binary, OffsetResolver offsets) {
        Map<Long, TypeInfo> out = new TreeMap<>();
        for (ElfFile.Symbol s : binary.elf().symbolsStartingWith("go:itab.")) {
            Itab itab = Itab.parse(s).orElse(null);
            if (itab == null || s.value() == 0) {
                continue;
            }
            if (itab.iface().equals(DRIVER_CONN)) {
                SqlDrivers.driverOwning(itab.typePackage())
                        .ifPresent(d -> out.put(itab.address(), new TypeInfo(d.systemId(), 0, NO_MEMBER, NO_MEMBER, NO_MEMBER)));
            } else if (itab.iface().equals(ERROR)) {
                int id = SqlDrivers.ERROR_TYPES.stream().map(SqlDrivers.ErrorType::goType).toList().indexOf(itab.type()) + 1;
                if (id > 0) {
                    SqlDrivers.ErrorType t = SqlDrivers.ERROR_TYPES.get(id - 1);
                    out.put(itab.address(), new TypeInfo(0, id, member(binary, offsets, t.message()),
                            member(binary, offsets, t.code()), member(binary, offsets, t.cause())));
                }
            }
        }
        return out;
    }

    /** The database system of the only known driver module the binary links, if there is exactly one. */
    static Optional<Integer> defaultSystem(GoBinary binary) {
        List<Integer> systems = new ArrayList<>(binary.buildInfo().dependencies().stream()
                .flatMap(m -> SqlDrivers.driverOwning(m.path()).stream())
                .map(SqlDrivers.Driver::systemId)
                .collect(Collectors.toSet()));
        return systems.size() == 1 ? Optional.of(systems.get(0)) : Optional.empty();
    }

    private static int member(GoBinary binary, OffsetResolver offsets, OffsetSpec spec) {
        if (spec == null) {
            return NO_MEMBER;
        }
        Long off = offsets.resolve(binary, List.of(spec)).offsets().get(spec.variable());
        return off == null || off >= NO_MEMBER ? NO_MEMBER : off.intValue();
    }
}
