package io.tracebee.probe.manual;

import io.tracebee.bpf.BpfMap;
import io.tracebee.bpf.BpfObject;
import io.tracebee.inspect.ElfFile;
import io.tracebee.inspect.GoBinary;
import io.tracebee.probe.OffsetResolver;
import io.tracebee.probe.ProbeSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the global-API probe ({@code global_api.bpf.c}) must recognise in this binary, all by link-time addresses
 * (so a symbol table and a non-PIE executable are needed):
 * <ul>
 * <li>the global span's itab with {@code trace.Span}, and its concrete type (a context holds the span as
 * {@code any});</li>
 * <li>the option types ({@code attributeOption}, {@code timestampOption}, {@code spanOptionFunc}), read from
 * any itab of theirs: options reach the API converted between interfaces, through itabs made at run time
 * that share only the concrete type;</li>
 * <li>the closures {@code WithSpanKind}, {@code WithLinks} and {@code WithNewRoot} return, by code address.
 * Inlined into a caller, a closure is compiled once per call site as {@code <caller>.WithSpanKind.funcN}:
 * every copy is listed;</li>
 * <li>the error types {@code RecordError} may get (every itab with {@code error}): the Go type name the SDK
 * would report as {@code exception.type}, and for the standard library's errors that keep their text in a
 * string field ({@code errors.New}, {@code fmt.Errorf}) where that is, for {@code exception.message}.</li>
 * </ul>
 */
final class GlobalApiSetup implements ProbeSpec.Setup {
    static final String GLOBAL = "go.opentelemetry.io/otel/internal/global";
    static final String NEW_SPAN = GLOBAL + ".(*tracer).newSpan";
    static final String TRACE = "go.opentelemetry.io/otel/trace";
    static final String SPAN_ITAB = "go:itab." + GLOBAL + ".nonRecordingSpan," + TRACE + ".Span";
    private static final Pattern CLOSURE = Pattern.compile("\\.(WithSpanKind|WithLinks|WithNewRoot)\\.func\\d+$");
    private static final int NAME_MAX = 124;
    private static final int NO_MESSAGE = 0xffff;
    /** Error types whose message is a string field at offset 0: errors.New, fmt.Errorf with and without %w. */
    static final Set<String> MESSAGE_FIRST = Set.of("*errors.errorString", "*fmt.wrapError", "*fmt.wrapErrors");

    private final boolean beforeNewSpan;

    /** @param beforeNewSpan for otel before v1.33, which has no {@code newSpan}: applies only to such binaries */
    GlobalApiSetup(boolean beforeNewSpan) {
        this.beforeNewSpan = beforeNewSpan;
    }

    @Override
    public boolean appliesTo(GoBinary binary) {
        return binary.function(NEW_SPAN).isPresent() != beforeNewSpan;
    }

    @Override
    public Optional<String> skipReason(GoBinary binary) {
        if (!binary.elf().hasRunTimeSymbolAddresses()) {
            return Optional.of("the global API's spans are recognised by symbols: this binary is stripped or "
                    + "position-independent");
        }
        if (binary.elf().symbol(SPAN_ITAB).isEmpty()) {
            return Optional.of("no " + SPAN_ITAB + " symbol: the program never makes a global-API span");
        }
        return Optional.empty();
    }

    @Override
    public void beforeLoad(GoBinary binary, BpfObject object) {
        ElfFile elf = binary.elf();
        if (!elf.hasRunTimeSymbolAddresses()) {
            return;
        }
        elf.symbol(SPAN_ITAB).ifPresent(itab -> {
            object.setRodata("itab_global_span", itab.value());
            concreteType(elf, itab.value()).ifPresent(t -> object.setRodata("type_global_span", t));
        });
        Map.of("type_attribute_option", "attributeOption", "type_timestamp_option", "timestampOption",
                "type_span_option_func", "spanOptionFunc").forEach((variable, type) ->
                elf.symbolsStartingWith("go:itab." + TRACE + "." + type + ",").stream().findFirst()
                        .flatMap(itab -> concreteType(elf, itab.value()))
                        .ifPresent(t -> object.setRodata(variable, t)));
    }

    /** An itab's concrete type: its second word. */
    private static Optional<Long> concreteType(ElfFile elf, long itab) {
        OptionalLong t = elf.pointerAt(itab + 8);
        return t.isPresent() && t.getAsLong() != 0 ? Optional.of(t.getAsLong()) : Optional.empty();
    }

    @Override
    public void afterLoad(GoBinary binary, BpfObject object, OffsetResolver offsets) {
        ElfFile elf = binary.elf();
        if (!elf.hasRunTimeSymbolAddresses()) {
            return;
        }
        BpfMap funcs = object.map("ga_option_funcs");
        for (ElfFile.Symbol s : elf.symbols()) {
            Matcher m = CLOSURE.matcher(s.name());
            if (s.isFunction() && s.value() != 0 && m.find()) {
                byte what = switch (m.group(1)) {
                    case "WithSpanKind" -> 1;
                    case "WithLinks" -> 2;
                    default -> 3;
                };
                funcs.update(address(s.value()), new byte[] {what});
            }
        }
        BpfMap errors = object.map("ga_error_types");
        for (ElfFile.Symbol s : elf.symbolsStartingWith("go:itab.")) {
            String name = s.name().substring("go:itab.".length());
            if (!name.endsWith(",error") || s.value() == 0) {
                continue;
            }
            errors.update(address(s.value()), errorType(name.substring(0, name.length() - ",error".length())));
        }
    }

    /** A ga_error_types value: message offset, name length, name. */
    static byte[] errorType(String type) {
        byte[] name = type.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(name.length, NAME_MAX);
        ByteBuffer b = ByteBuffer.allocate(4 + NAME_MAX).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) (MESSAGE_FIRST.contains(type) ? 0 : NO_MESSAGE)).putShort((short) n).put(name, 0, n);
        return b.array();
    }

    private static byte[] address(long a) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(a).array();
    }
}
