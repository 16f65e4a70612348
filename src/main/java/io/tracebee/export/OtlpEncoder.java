package io.tracebee.export;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.tracebee.span.Span;
import java.util.List;

/**
 * Encodes a batch of spans as an OTLP {@code ExportTraceServiceRequest}, grouped by resource and scope. The exporter
 * sends {@link #encodeBytes}: the wire bytes written straight from the spans ({@link OtlpProtoWriter}), no generated
 * message objects in between.
 */
public final class OtlpEncoder {

    /** One writer per thread (the exporters' workers): it keeps its length array between batches. */
    private static final ThreadLocal<OtlpProtoWriter> WRITERS = ThreadLocal.withInitial(OtlpProtoWriter::new);

    private OtlpEncoder() {
    }

    /** The request's protobuf bytes. */
    public static byte[] encodeBytes(List<Span> spans) {
        return WRITERS.get().encode(spans);
    }

    /** The request as the generated message (read back from {@link #encodeBytes}): for tests and inspection. */
    public static ExportTraceServiceRequest encode(List<Span> spans) {
        try {
            return ExportTraceServiceRequest.parseFrom(encodeBytes(spans));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("OTLP writer produced an unreadable request", e);
        }
    }

    static io.opentelemetry.proto.trace.v1.Span encodeSpan(Span span) {
        return encode(List.of(span)).getResourceSpans(0).getScopeSpans(0).getSpans(0);
    }
}
