package io.tracebee.probe.manual;

import io.tracebee.probe.ProbeSpec;
import io.tracebee.probe.ProbeSpec.OffsetSpec;
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
    static final String OTEL_SDK = "go.opentelemetry.io/otel/sdk";
    static final String OTEL_SDK_TRACE = OTEL_SDK + "/trace";
    private static final String OTEL_TRACE = "go.opentelemetry.io/otel/trace.";

    public static final ProbeSpec AUTO_SDK_SPANS = new ProbeSpec(
            "otel auto sdk",
            "auto_sdk",
            AUTO_SDK,
            List.of(new UprobeSpec(AUTO_SDK + ".(*tracer).start", "uprobe_autosdk_start", null),
                    new UprobeSpec(AUTO_SDK + ".tracer.Start", null, "uprobe_autosdk_tracer_start_return"),
                    new UprobeSpec(AUTO_SDK + ".(*span).ended", "uprobe_autosdk_ended", null)),
            List.of(GoRuntimeProbes.GOID));

    /**
     * The application's own registered SDK ({@code src/main/bpf/otel_sdk.bpf.c}): the context each recording
     * span's Start returns stands for that span, so automatic spans started with it are its children.
     */
    public static final ProbeSpec OTEL_SDK_SPANS = new ProbeSpec(
            "otel sdk",
            "otel_sdk",
            OTEL_SDK,
            List.of(new UprobeSpec(OTEL_SDK_TRACE + ".(*tracer).Start", null, "uprobe_otelsdk_start_return"),
                    new UprobeSpec(OTEL_SDK_TRACE + ".(*recordingSpan).End", "uprobe_otelsdk_end", null),
                    new UprobeSpec(OTEL_SDK_TRACE + ".(*nonRecordingSpan).End", "uprobe_otelsdk_end", null, true)),
            List.of(new OffsetSpec("off_recording_span_sc", OTEL_SDK_TRACE + ".recordingSpan", "spanContext", null),
                    new OffsetSpec("off_non_recording_span_sc", OTEL_SDK_TRACE + ".nonRecordingSpan", "sc",
                            "has_non_recording_span"),
                    new OffsetSpec("off_sc_trace_id", OTEL_TRACE + "SpanContext", "traceID", null),
                    new OffsetSpec("off_sc_span_id", OTEL_TRACE + "SpanContext", "spanID", null),
                    new OffsetSpec("off_sc_flags", OTEL_TRACE + "SpanContext", "traceFlags", null)),
            new OtelSdkSetup());
}
