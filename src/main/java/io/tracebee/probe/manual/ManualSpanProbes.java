package io.tracebee.probe.manual;

import io.tracebee.probe.ProbeSpec;
import io.tracebee.probe.ProbeSpec.UprobeSpec;
import io.tracebee.probe.goruntime.GoRuntimeProbes;
import java.util.List;

/**
 * Spans applications make by hand ({@code src/main/bpf/auto_sdk.bpf.c}): the OpenTelemetry Go Auto SDK
 * (go.opentelemetry.io/auto/sdk), whose ended spans reach the probe as OTLP/JSON. Nothing is written into the
 * process: tracebee gives the spans their ids and parents, and makes the context each span's Start returns
 * stand for it, so the application's calls made with it are its children.
 */
public final class ManualSpanProbes {
    private ManualSpanProbes() {
    }

    static final String AUTO_SDK = "go.opentelemetry.io/auto/sdk";

    public static final ProbeSpec AUTO_SDK_SPANS = new ProbeSpec(
            "otel auto sdk",
            "auto_sdk",
            AUTO_SDK,
            List.of(new UprobeSpec(AUTO_SDK + ".(*tracer).start", "uprobe_autosdk_start", null),
                    new UprobeSpec(AUTO_SDK + ".tracer.Start", null, "uprobe_autosdk_tracer_start_return"),
                    new UprobeSpec(AUTO_SDK + ".(*span).ended", "uprobe_autosdk_ended", null)),
            List.of(GoRuntimeProbes.GOID));
}
