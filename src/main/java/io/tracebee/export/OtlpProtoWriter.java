package io.tracebee.export;

import com.google.protobuf.CodedOutputStream;
import io.tracebee.span.Attributes;
import io.tracebee.span.Span;
import io.tracebee.span.SpanEvent;
import io.tracebee.span.SpanLink;
import io.tracebee.span.StatusCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes an OTLP {@code ExportTraceServiceRequest} straight from spans into its wire bytes, without building
 * the generated messages first (their builders and messages cost ~2 KB and most of the encoding time per span,
 * docs/BENCHMARKS.md). Two passes over the same walk: the first computes every nested message's length, in
 * pre-order, into an int array; the second writes tags, lengths and fields in field-number order, as protobuf-java
 * does, consuming the lengths in the same order. Field presence follows the generated classes: proto3 scalars only
 * when not default, oneof members and set sub-messages always. Not thread-safe: one instance per encoding.
 */
final class OtlpProtoWriter {
    // ExportTraceServiceRequest
    private static final int REQUEST_RESOURCE_SPANS = 1;
    // ResourceSpans, Resource, ScopeSpans, InstrumentationScope
    private static final int RESOURCE_SPANS_RESOURCE = 1;
    private static final int RESOURCE_SPANS_SCOPE_SPANS = 2;
    private static final int RESOURCE_ATTRIBUTES = 1;
    private static final int SCOPE_SPANS_SCOPE = 1;
    private static final int SCOPE_SPANS_SPANS = 2;
    private static final int SCOPE_NAME = 1;
    // Span
    private static final int SPAN_TRACE_ID = 1;
    private static final int SPAN_SPAN_ID = 2;
    private static final int SPAN_TRACE_STATE = 3;
    private static final int SPAN_PARENT_SPAN_ID = 4;
    private static final int SPAN_NAME = 5;
    private static final int SPAN_KIND = 6;
    private static final int SPAN_START = 7;
    private static final int SPAN_END = 8;
    private static final int SPAN_ATTRIBUTES = 9;
    private static final int SPAN_DROPPED_ATTRIBUTES = 10;
    private static final int SPAN_EVENTS = 11;
    private static final int SPAN_DROPPED_EVENTS = 12;
    private static final int SPAN_LINKS = 13;
    private static final int SPAN_DROPPED_LINKS = 14;
    private static final int SPAN_STATUS = 15;
    private static final int SPAN_FLAGS = 16;
    // Span.Event, Span.Link, Status
    private static final int EVENT_TIME = 1;
    private static final int EVENT_NAME = 2;
    private static final int EVENT_ATTRIBUTES = 3;
    private static final int EVENT_DROPPED_ATTRIBUTES = 4;
    private static final int LINK_TRACE_ID = 1;
    private static final int LINK_SPAN_ID = 2;
    private static final int LINK_TRACE_STATE = 3;
    private static final int LINK_ATTRIBUTES = 4;
    private static final int LINK_DROPPED_ATTRIBUTES = 5;
    private static final int LINK_FLAGS = 6;
    private static final int STATUS_MESSAGE = 2;
    private static final int STATUS_CODE = 3;
    // KeyValue, AnyValue, ArrayValue, KeyValueList
    private static final int KV_KEY = 1;
    private static final int KV_VALUE = 2;
    private static final int ANY_STRING = 1;
    private static final int ANY_BOOL = 2;
    private static final int ANY_INT = 3;
    private static final int ANY_DOUBLE = 4;
    private static final int ANY_ARRAY = 5;
    private static final int ANY_KVLIST = 6;
    private static final int ANY_BYTES = 7;
    private static final int LIST_VALUES = 1;

    /** Lengths of the nested messages, in the order the write pass meets them. */
    private int[] lengths = new int[1024];
    private int sized;
    private int written;

    byte[] encode(List<Span> spans) {
        List<SpanGroups.ResourceGroup> groups = SpanGroups.group(spans);
        sized = 0;
        int total = 0;
        for (SpanGroups.ResourceGroup g : groups) {
            total += message(REQUEST_RESOURCE_SPANS, sizeResourceSpans(g));
        }
        byte[] out = new byte[total];
        CodedOutputStream o = CodedOutputStream.newInstance(out);
        written = 0;
        try {
            for (SpanGroups.ResourceGroup g : groups) {
                open(o, REQUEST_RESOURCE_SPANS);
                writeResourceSpans(o, g);
            }
            o.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (written != sized) {
            throw new IllegalStateException("OTLP writer: " + written + " messages written, " + sized + " sized");
        }
        return out;
    }

    // ---- sizing pass: reserve a slot in pre-order, fill it once the children are known

    private int reserve() {
        if (sized == lengths.length) {
            lengths = Arrays.copyOf(lengths, sized * 2);
        }
        return sized++;
    }

    private int done(int slot, int size) {
        lengths[slot] = size;
        return size;
    }

    /** A length-delimited field of a message whose body is size bytes. */
    private static int message(int field, int size) {
        return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    }

    private static int string(int field, String s) {
        return s == null || s.isEmpty() ? 0 : CodedOutputStream.computeStringSize(field, s);
    }

    private static int bytes(int field, byte[] b) {
        return b == null || b.length == 0 ? 0 : CodedOutputStream.computeByteArraySize(field, b);
    }

    private static int uint32(int field, int v) {
        return v == 0 ? 0 : CodedOutputStream.computeUInt32Size(field, v);
    }

    private static int fixed64(int field, long v) {
        return v == 0 ? 0 : CodedOutputStream.computeFixed64Size(field, v);
    }

    private static int fixed32(int field, int v) {
        return v == 0 ? 0 : CodedOutputStream.computeFixed32Size(field, v);
    }

    private static int enumValue(int field, int v) {
        return v == 0 ? 0 : CodedOutputStream.computeEnumSize(field, v);
    }

    private int sizeResourceSpans(SpanGroups.ResourceGroup g) {
        int slot = reserve();
        int size = message(RESOURCE_SPANS_RESOURCE, sizeAttributesMessage(g.resource().attributes()));
        for (SpanGroups.ScopeGroup scope : g.scopes()) {
            size += message(RESOURCE_SPANS_SCOPE_SPANS, sizeScopeSpans(scope));
        }
        return done(slot, size);
    }

    /** A message whose only content is attributes as field 1 (Resource, KeyValueList). */
    private int sizeAttributesMessage(Attributes attributes) {
        int slot = reserve();
        return done(slot, sizeAttributes(RESOURCE_ATTRIBUTES, attributes));
    }

    private int sizeScopeSpans(SpanGroups.ScopeGroup scope) {
        int slot = reserve();
        int size = message(SCOPE_SPANS_SCOPE, string(SCOPE_NAME, scope.scope()));
        for (Span span : scope.spans()) {
            size += message(SCOPE_SPANS_SPANS, sizeSpan(span));
        }
        return done(slot, size);
    }

    private int sizeSpan(Span span) {
        int slot = reserve();
        int size = bytes(SPAN_TRACE_ID, span.traceId()) + bytes(SPAN_SPAN_ID, span.spanId())
                + string(SPAN_TRACE_STATE, span.traceState())
                + (span.parentSpanId() != null && !span.isRoot() ? bytes(SPAN_PARENT_SPAN_ID, span.parentSpanId()) : 0)
                + string(SPAN_NAME, span.name())
                + enumValue(SPAN_KIND, span.kind() == null ? 0 : span.kind().otlpNumber())
                + fixed64(SPAN_START, span.startEpochNanos()) + fixed64(SPAN_END, span.endEpochNanos());
        if (span.attributes() != null) {
            size += sizeAttributes(SPAN_ATTRIBUTES, span.attributes());
        }
        size += uint32(SPAN_DROPPED_ATTRIBUTES, span.droppedAttributes());
        for (SpanEvent event : span.events()) {
            size += message(SPAN_EVENTS, sizeEvent(event));
        }
        size += uint32(SPAN_DROPPED_EVENTS, span.droppedEvents());
        for (SpanLink link : span.links()) {
            size += message(SPAN_LINKS, sizeLink(link));
        }
        size += uint32(SPAN_DROPPED_LINKS, span.droppedLinks());
        if (hasStatus(span)) {
            size += message(SPAN_STATUS, sizeStatus(span));
        }
        size += fixed32(SPAN_FLAGS, span.otlpFlags());
        return done(slot, size);
    }

    private int sizeEvent(SpanEvent event) {
        int slot = reserve();
        return done(slot, fixed64(EVENT_TIME, event.epochNanos()) + string(EVENT_NAME, event.name())
                + sizeAttributes(EVENT_ATTRIBUTES, event.attributes())
                + uint32(EVENT_DROPPED_ATTRIBUTES, event.droppedAttributes()));
    }

    private int sizeLink(SpanLink link) {
        int slot = reserve();
        return done(slot, bytes(LINK_TRACE_ID, link.traceId()) + bytes(LINK_SPAN_ID, link.spanId())
                + string(LINK_TRACE_STATE, link.traceState()) + sizeAttributes(LINK_ATTRIBUTES, link.attributes())
                + uint32(LINK_DROPPED_ATTRIBUTES, link.droppedAttributes()) + fixed32(LINK_FLAGS, link.flags()));
    }

    private static boolean hasStatus(Span span) {
        StatusCode code = span.statusCode() == null ? StatusCode.UNSET : span.statusCode();
        return code != StatusCode.UNSET || (span.statusMessage() != null && !span.statusMessage().isEmpty());
    }

    private int sizeStatus(Span span) {
        int slot = reserve();
        StatusCode code = span.statusCode() == null ? StatusCode.UNSET : span.statusCode();
        return done(slot, string(STATUS_MESSAGE, span.statusMessage()) + enumValue(STATUS_CODE, code.otlpNumber()));
    }

    private int sizeAttributes(int field, Attributes attributes) {
        int size = 0;
        for (Map.Entry<String, Object> e : attributes.asMap().entrySet()) {
            size += message(field, sizeKeyValue(e.getKey(), e.getValue()));
        }
        return size;
    }

    private int sizeKeyValue(String key, Object value) {
        int slot = reserve();
        return done(slot, string(KV_KEY, key) + message(KV_VALUE, sizeAnyValue(value)));
    }

    private int sizeAnyValue(Object value) {
        int slot = reserve();
        int size;
        if (value instanceof String s) {
            size = CodedOutputStream.computeStringSize(ANY_STRING, s);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            size = CodedOutputStream.computeInt64Size(ANY_INT, ((Number) value).longValue());
        } else if (value instanceof Double || value instanceof Float) {
            size = CodedOutputStream.computeDoubleSize(ANY_DOUBLE, ((Number) value).doubleValue());
        } else if (value instanceof Boolean b) {
            size = CodedOutputStream.computeBoolSize(ANY_BOOL, b);
        } else if (value instanceof List<?> list) {
            int arraySlot = reserve();
            int array = 0;
            for (Object element : list) {
                array += message(LIST_VALUES, sizeAnyValue(element));
            }
            size = message(ANY_ARRAY, done(arraySlot, array));
        } else if (value instanceof ByteBuffer b) {
            size = CodedOutputStream.computeTagSize(ANY_BYTES) + CodedOutputStream.computeUInt32SizeNoTag(b.remaining())
                    + b.remaining();
        } else if (value instanceof Attributes map) {
            int listSlot = reserve();
            size = message(ANY_KVLIST, done(listSlot, sizeAttributes(LIST_VALUES, map)));
        } else {
            size = CodedOutputStream.computeStringSize(ANY_STRING, String.valueOf(value));
        }
        return done(slot, size);
    }

    // ---- write pass: the same walk, lengths taken in the order they were reserved

    private void open(CodedOutputStream o, int field) throws IOException {
        o.writeTag(field, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
        o.writeUInt32NoTag(lengths[written++]);
    }

    private static void string(CodedOutputStream o, int field, String s) throws IOException {
        if (s != null && !s.isEmpty()) {
            o.writeString(field, s);
        }
    }

    private static void bytes(CodedOutputStream o, int field, byte[] b) throws IOException {
        if (b != null && b.length > 0) {
            o.writeByteArray(field, b);
        }
    }

    private static void uint32(CodedOutputStream o, int field, int v) throws IOException {
        if (v != 0) {
            o.writeUInt32(field, v);
        }
    }

    private static void fixed64(CodedOutputStream o, int field, long v) throws IOException {
        if (v != 0) {
            o.writeFixed64(field, v);
        }
    }

    private static void fixed32(CodedOutputStream o, int field, int v) throws IOException {
        if (v != 0) {
            o.writeFixed32(field, v);
        }
    }

    private static void enumValue(CodedOutputStream o, int field, int v) throws IOException {
        if (v != 0) {
            o.writeEnum(field, v);
        }
    }

    private void writeResourceSpans(CodedOutputStream o, SpanGroups.ResourceGroup g) throws IOException {
        open(o, RESOURCE_SPANS_RESOURCE);
        writeAttributes(o, RESOURCE_ATTRIBUTES, g.resource().attributes());
        for (SpanGroups.ScopeGroup scope : g.scopes()) {
            open(o, RESOURCE_SPANS_SCOPE_SPANS);
            o.writeTag(SCOPE_SPANS_SCOPE, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
            o.writeUInt32NoTag(string(SCOPE_NAME, scope.scope()));
            string(o, SCOPE_NAME, scope.scope());
            for (Span span : scope.spans()) {
                open(o, SCOPE_SPANS_SPANS);
                writeSpan(o, span);
            }
        }
    }

    private void writeSpan(CodedOutputStream o, Span span) throws IOException {
        bytes(o, SPAN_TRACE_ID, span.traceId());
        bytes(o, SPAN_SPAN_ID, span.spanId());
        string(o, SPAN_TRACE_STATE, span.traceState());
        if (span.parentSpanId() != null && !span.isRoot()) {
            bytes(o, SPAN_PARENT_SPAN_ID, span.parentSpanId());
        }
        string(o, SPAN_NAME, span.name());
        enumValue(o, SPAN_KIND, span.kind() == null ? 0 : span.kind().otlpNumber());
        fixed64(o, SPAN_START, span.startEpochNanos());
        fixed64(o, SPAN_END, span.endEpochNanos());
        if (span.attributes() != null) {
            writeAttributes(o, SPAN_ATTRIBUTES, span.attributes());
        }
        uint32(o, SPAN_DROPPED_ATTRIBUTES, span.droppedAttributes());
        for (SpanEvent event : span.events()) {
            open(o, SPAN_EVENTS);
            fixed64(o, EVENT_TIME, event.epochNanos());
            string(o, EVENT_NAME, event.name());
            writeAttributes(o, EVENT_ATTRIBUTES, event.attributes());
            uint32(o, EVENT_DROPPED_ATTRIBUTES, event.droppedAttributes());
        }
        uint32(o, SPAN_DROPPED_EVENTS, span.droppedEvents());
        for (SpanLink link : span.links()) {
            open(o, SPAN_LINKS);
            bytes(o, LINK_TRACE_ID, link.traceId());
            bytes(o, LINK_SPAN_ID, link.spanId());
            string(o, LINK_TRACE_STATE, link.traceState());
            writeAttributes(o, LINK_ATTRIBUTES, link.attributes());
            uint32(o, LINK_DROPPED_ATTRIBUTES, link.droppedAttributes());
            fixed32(o, LINK_FLAGS, link.flags());
        }
        uint32(o, SPAN_DROPPED_LINKS, span.droppedLinks());
        if (hasStatus(span)) {
            open(o, SPAN_STATUS);
            StatusCode code = span.statusCode() == null ? StatusCode.UNSET : span.statusCode();
            string(o, STATUS_MESSAGE, span.statusMessage());
            enumValue(o, STATUS_CODE, code.otlpNumber());
        }
        fixed32(o, SPAN_FLAGS, span.otlpFlags());
    }

    private void writeAttributes(CodedOutputStream o, int field, Attributes attributes) throws IOException {
        for (Map.Entry<String, Object> e : attributes.asMap().entrySet()) {
            open(o, field);
            string(o, KV_KEY, e.getKey());
            open(o, KV_VALUE);
            writeAnyValue(o, e.getValue());
        }
    }

    private void writeAnyValue(CodedOutputStream o, Object value) throws IOException {
        if (value instanceof String s) {
            o.writeString(ANY_STRING, s);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            o.writeInt64(ANY_INT, ((Number) value).longValue());
        } else if (value instanceof Double || value instanceof Float) {
            o.writeDouble(ANY_DOUBLE, ((Number) value).doubleValue());
        } else if (value instanceof Boolean b) {
            o.writeBool(ANY_BOOL, b);
        } else if (value instanceof List<?> list) {
            open(o, ANY_ARRAY);
            for (Object element : list) {
                open(o, LIST_VALUES);
                writeAnyValue(o, element);
            }
        } else if (value instanceof ByteBuffer b) {
            byte[] copy = new byte[b.remaining()];
            b.duplicate().get(copy);
            o.writeByteArray(ANY_BYTES, copy);
        } else if (value instanceof Attributes map) {
            open(o, ANY_KVLIST);
            writeAttributes(o, LIST_VALUES, map);
        } else {
            o.writeString(ANY_STRING, String.valueOf(value));
        }
    }
}
