package io.tracebee.probe.manual;

import io.tracebee.bpf.BpfObject;
import io.tracebee.inspect.GoBinary;
import io.tracebee.probe.ProbeSpec;
import java.util.Map;
import java.util.Optional;

/**
 * The application's OpenTelemetry Go SDK spans are told from other {@code trace.Span}s by the itabs of
 * {@code *recordingSpan} and {@code nonRecordingSpan} (a span the SDK sampled out): link-time addresses, so the
 * probe needs a symbol table and a non-PIE executable.
 */
final class OtelSdkSetup implements ProbeSpec.Setup {
    static final String ITAB = "go:itab.*" + ManualSpanProbes.OTEL_SDK_TRACE + ".recordingSpan,go.opentelemetry.io/otel/trace.Span";
    static final String NON_RECORDING_ITAB = "go:itab." + ManualSpanProbes.OTEL_SDK_TRACE
            + ".nonRecordingSpan,go.opentelemetry.io/otel/trace.Span";

    @Override
    public Optional<String> skipReason(GoBinary binary) {
        if (!binary.elf().hasRunTimeSymbolAddresses()) {
            return Optional.of("the OpenTelemetry SDK's spans are recognised by a symbol: this binary is stripped or "
                    + "position-independent");
        }
        if (binary.elf().symbol(ITAB).isEmpty()) {
            return Optional.of("no " + ITAB + " symbol: the SDK's spans cannot be recognised");
        }
        return Optional.empty();
    }

    @Override
    public void beforeLoad(GoBinary binary, BpfObject object) {
        ProbeSpec.Setup.setSymbolAddresses(binary, object,
                Map.of("itab_recording_span", ITAB, "itab_non_recording_span", NON_RECORDING_ITAB));
    }
}
