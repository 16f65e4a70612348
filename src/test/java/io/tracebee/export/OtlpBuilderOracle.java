package io.tracebee.export;


import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Status;
import io.tracebee.span.Attributes;
import io.tracebee.span.Span;
import io.tracebee.span.SpanEvent;
import io.tracebee.span.SpanLink;
import io.tracebee.span.StatusCode;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * The protobuf-java builders' encoding of a batch (what OtlpEncoder did before it wrote the bytes itself): the oracle
 * {@link OtlpProtoWriterTest} compares the writer with, byte for byte.
 */
public final class OtlpBuilderOracle {

    private OtlpBuilderOracle() {
    }

    public static ExportTraceServiceRequest encode(List<Span> spans) {
        ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
        for (SpanGroups.ResourceGroup group : SpanGroups.group(spans)) {
            ResourceSpans.Builder resourceSpans = ResourceSpans.newBuilder();
            io.opentelemetry.proto.resource.v1.Resource.Builder resource = resourceSpans.getResourceBuilder();
            addAttributes(group.resource().attributes(), resource::addAttributes);
            for (SpanGroups.ScopeGroup scopeGroup : group.scopes()) {
                ScopeSpans.Builder scopeSpans = ScopeSpans.newBuilder()
                        .setScope(InstrumentationScope.newBuilder().setName(scopeGroup.scope()));
                for (Span span : scopeGroup.spans()) {
                    scopeSpans.addSpans(encodeSpan(span));
                }
                resourceSpans.addScopeSpans(scopeSpans);
            }
            request.addResourceSpans(resourceSpans);
        }
        return request.build();
    }

    static io.opentelemetry.proto.trace.v1.Span encodeSpan(Span span) {
        io.opentelemetry.proto.trace.v1.Span.Builder out = io.opentelemetry.proto.trace.v1.Span.newBuilder()
                .setTraceId(ByteString.copyFrom(span.traceId()))
                .setSpanId(ByteString.copyFrom(span.spanId()))
                .setFlags(span.otlpFlags())
                .setName(span.name() == null ? "" : span.name())
                .setKindValue(span.kind() == null ? 0 : span.kind().otlpNumber())
                .setStartTimeUnixNano(span.startEpochNanos())
                .setEndTimeUnixNano(span.endEpochNanos());
        if (span.traceState() != null && !span.traceState().isEmpty()) {
            out.setTraceState(span.traceState());
        }
        if (span.parentSpanId() != null && !span.isRoot()) {
            out.setParentSpanId(ByteString.copyFrom(span.parentSpanId()));
        }
        if (span.attributes() != null) {
            addAttributes(span.attributes(), out::addAttributes);
        }
        out.setDroppedAttributesCount(span.droppedAttributes());
        for (SpanEvent event : span.events()) {
            io.opentelemetry.proto.trace.v1.Span.Event.Builder e = out.addEventsBuilder()
                    .setTimeUnixNano(event.epochNanos())
                    .setName(event.name())
                    .setDroppedAttributesCount(event.droppedAttributes());
            addAttributes(event.attributes(), e::addAttributes);
        }
        out.setDroppedEventsCount(span.droppedEvents());
        for (SpanLink link : span.links()) {
            io.opentelemetry.proto.trace.v1.Span.Link.Builder l = out.addLinksBuilder()
                    .setTraceId(ByteString.copyFrom(link.traceId()))
                    .setSpanId(ByteString.copyFrom(link.spanId()))
                    .setTraceState(link.traceState())
                    .setDroppedAttributesCount(link.droppedAttributes())
                    .setFlags(link.flags());
            addAttributes(link.attributes(), l::addAttributes);
        }
        out.setDroppedLinksCount(span.droppedLinks());
        StatusCode code = span.statusCode() == null ? StatusCode.UNSET : span.statusCode();
        String message = span.statusMessage() == null ? "" : span.statusMessage();
        if (code != StatusCode.UNSET || !message.isEmpty()) {
            out.setStatus(Status.newBuilder().setCodeValue(code.otlpNumber()).setMessage(message));
        }
        return out.build();
    }

    private static void addAttributes(Attributes attributes, java.util.function.Consumer<KeyValue> sink) {
        for (Map.Entry<String, Object> e : attributes.asMap().entrySet()) {
            sink.accept(KeyValue.newBuilder().setKey(e.getKey()).setValue(anyValue(e.getValue())).build());
        }
    }

    static AnyValue anyValue(Object value) {
        AnyValue.Builder v = AnyValue.newBuilder();
        if (value instanceof String s) {
            v.setStringValue(s);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            v.setIntValue(((Number) value).longValue());
        } else if (value instanceof Double || value instanceof Float) {
            v.setDoubleValue(((Number) value).doubleValue());
        } else if (value instanceof Boolean b) {
            v.setBoolValue(b);
        } else if (value instanceof List<?> list) {
            ArrayValue.Builder array = v.getArrayValueBuilder();
            for (Object element : list) {
                array.addValues(anyValue(element));
            }
        } else if (value instanceof ByteBuffer bytes) {
            v.setBytesValue(ByteString.copyFrom(bytes.duplicate()));
        } else if (value instanceof Attributes map) {
            KeyValueList.Builder kvlist = v.getKvlistValueBuilder();
            addAttributes(map, kvlist::addValues);
        } else {
            v.setStringValue(String.valueOf(value));
        }
        return v.build();
    }
}
