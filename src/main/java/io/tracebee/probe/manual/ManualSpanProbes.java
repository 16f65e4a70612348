package io.tracebee.probe.manual;

import io.tracebee.probe.ProbeSpec;
import io.tracebee.probe.ProbeSpec.OffsetSpec;
import io.tracebee.probe.ProbeSpec.UprobeSpec;
import io.tracebee.probe.goruntime.GoRuntimeProbes;
import java.util.ArrayList;
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
    static final String OTEL = "go.opentelemetry.io/otel";
    static final String OTEL_SDK = OTEL + "/sdk";
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
            List.of(GoRuntimeProbes.GOID,
                    new OffsetSpec("off_recording_span_sc", OTEL_SDK_TRACE + ".recordingSpan", "spanContext", null),
                    new OffsetSpec("off_recording_span_parent", OTEL_SDK_TRACE + ".recordingSpan", "parent",
                            "has_recording_span_parent"),
                    new OffsetSpec("off_non_recording_span_sc", OTEL_SDK_TRACE + ".nonRecordingSpan", "sc",
                            "has_non_recording_span"),
                    new OffsetSpec("off_sc_trace_id", OTEL_TRACE + "SpanContext", "traceID", null),
                    new OffsetSpec("off_sc_span_id", OTEL_TRACE + "SpanContext", "spanID", null),
                    new OffsetSpec("off_sc_flags", OTEL_TRACE + "SpanContext", "traceFlags", null)),
            new OtelSdkSetup());

    private static final String GLOBAL = GlobalApiSetup.GLOBAL + ".";
    private static final String ATTRIBUTE = "go.opentelemetry.io/otel/attribute.";

    /**
     * Spans made through the OpenTelemetry global API while no SDK is registered ({@code
     * src/main/bpf/global_api.bpf.c}): rebuilt from the calls made on them, from {@code newSpan}, the hook
     * otel keeps for eBPF (v1.33 and later), to {@code End}.
     */
    public static final ProbeSpec GLOBAL_API_SPANS = globalApi(
            new UprobeSpec(GLOBAL + "(*tracer).newSpan", "uprobe_global_new_span", "uprobe_global_new_span_return"),
            false);

    /** The same for otel before v1.33, whose {@code (*tracer).Start} makes the span itself. */
    public static final ProbeSpec GLOBAL_API_SPANS_BEFORE_1_33 = globalApi(
            new UprobeSpec(GLOBAL + "(*tracer).Start", "uprobe_global_start", "uprobe_global_new_span_return"),
            true);

    private static ProbeSpec globalApi(UprobeSpec start, boolean beforeNewSpan) {
        List<OffsetSpec> offsets = new ArrayList<>(List.of(GoRuntimeProbes.GOID,
                new OffsetSpec("off_tracer_name", GLOBAL + "tracer", "name", null),
                new OffsetSpec("off_kv_value", ATTRIBUTE + "KeyValue", "Value", null),
                new OffsetSpec("off_value_type", ATTRIBUTE + "Value", "vtype", null),
                new OffsetSpec("off_value_numeric", ATTRIBUTE + "Value", "numeric", null),
                new OffsetSpec("off_value_stringly", ATTRIBUTE + "Value", "stringly", null),
                new OffsetSpec("off_value_slice", ATTRIBUTE + "Value", "slice", null),
                new OffsetSpec("off_link_attrs", OTEL_TRACE + "Link", "Attributes", null),
                new OffsetSpec("off_sc_trace_id", OTEL_TRACE + "SpanContext", "traceID", null),
                new OffsetSpec("off_sc_span_id", OTEL_TRACE + "SpanContext", "spanID", null),
                new OffsetSpec("off_sc_flags", OTEL_TRACE + "SpanContext", "traceFlags", null),
                new OffsetSpec("off_sc_remote", OTEL_TRACE + "SpanContext", "remote", null)));
        if (beforeNewSpan) {
            offsets.add(new OffsetSpec("off_tracer_delegate", GLOBAL + "tracer", "delegate", null));
        }
        String span = GLOBAL + "(*nonRecordingSpan).";
        return new ProbeSpec(
                "otel global api",
                "global_api",
                OTEL,
                List.of(start,
                        new UprobeSpec(span + "SetAttributes", "uprobe_global_set_attributes", null, true),
                        new UprobeSpec(span + "SetName", "uprobe_global_set_name", null, true),
                        new UprobeSpec(span + "SetStatus", "uprobe_global_set_status", null, true),
                        new UprobeSpec(span + "AddEvent", "uprobe_global_add_event", null, true),
                        new UprobeSpec(span + "RecordError", "uprobe_global_record_error", null, true),
                        new UprobeSpec(span + "AddLink", "uprobe_global_add_link", null, true),
                        new UprobeSpec(span + "End", "uprobe_global_end", null, true)),
                List.copyOf(offsets),
                new GlobalApiSetup(beforeNewSpan));
    }
}
