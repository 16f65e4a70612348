package io.tracebee.export;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.tracebee.span.Attributes;
import io.tracebee.span.Span;
import io.tracebee.span.SpanEvent;
import io.tracebee.span.SpanLink;
import io.tracebee.span.StatusCode;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Writes an OTLP {@code ExportTraceServiceRequest} straight from spans into its wire bytes, without building
 * the generated messages first (their builders and messages cost ~2 KB and most of the encoding time per span,
 * docs/BENCHMARKS.md). Two passes over the same walk: the first computes every nested message's length, in
 * pre-order, into an int array; the second writes tags, lengths and fields in field-number order, as protobuf-java
 * does, consuming the lengths in the same order. Field presence follows the generated classes: proto3 scalars only
 * when not default, oneof members and set sub-messages always.
 *
 * <p>Strings are encoded once, in the sizing pass, and their bytes copied in the write pass; the text of a span
 * repeats from span to span (attribute keys, methods, routes, hosts), so the writer keeps the UTF-8 of strings it
 * met lately in a small direct-mapped cache and most strings are a hash lookup and a copy. Encoding is
 * {@link String#getBytes(java.nio.charset.Charset)} (invalid surrogates become '?', as protobuf-java writes them).
 * Whole attributes recur too (method, scheme, status code, addresses, ports, protocol version): an attribute whose
 * value is an integer or a short string is written as one {@code KeyValue} body, built once per distinct pair and kept
 * in a second cache, so the two passes handle it as a single blob (one lookup, one copy) instead of four nested
 * fields.
 * Not thread-safe: one instance per thread, reused ({@link OtlpEncoder}).
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

    private static final int LEN = WireFormat.WIRETYPE_LENGTH_DELIMITED;
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int CACHE_SLOTS = 1024;
    /** Longer strings (statements, messages) are not cached: the cache stays small. */
    private static final int CACHE_MAX_CHARS = 128;
    /** What a writer keeps between encodings at most; a bigger array grown for one huge batch is let go. */
    private static final int KEEP_SLOTS = 1 << 18;

    /** Lengths of the nested messages, in the order the write pass meets them. */
    private int[] lengths;
    private int sized;
    private int written;
    private byte[] buf;
    private int pos;
    /** The UTF-8 bytes of every string the sizing pass met, in the order the write pass meets them. */
    private byte[][] stringBytes;
    private int strings;
    private int stringsWritten;
    /** Recently encoded strings by hash: direct-mapped, a newcomer takes its slot. */
    private final String[] cacheKeys = new String[CACHE_SLOTS];
    private final byte[][] cacheBytes = new byte[CACHE_SLOTS][];
    /**
     * Recently written {@code KeyValue} bodies by (key, value) hash: direct-mapped; a pair met once (a client
     * port, an id in a path) does not evict one that was hit since it came, it only takes away that mark.
     */
    private final int[] pairHashes = new int[CACHE_SLOTS];
    private final String[] pairKeys = new String[CACHE_SLOTS];
    private final Object[] pairValues = new Object[CACHE_SLOTS];
    private final byte[][] pairBytes = new byte[CACHE_SLOTS][];
    private final boolean[] pairHit = new boolean[CACHE_SLOTS];

    OtlpProtoWriter() {
        this(4096);
    }

    /** A writer whose length and string arrays start at slots entries (tests make them grow). */
    OtlpProtoWriter(int slots) {
        lengths = new int[slots];
        stringBytes = new byte[slots][];
    }

    byte[] encode(List<Span> spans) {
        List<SpanGroups.ResourceGroup> groups = SpanGroups.group(spans);
        sized = 0;
        strings = 0;
        int total = 0;
        for (SpanGroups.ResourceGroup g : groups) {
            total += message(REQUEST_RESOURCE_SPANS, sizeResourceSpans(g));
        }
        byte[] out = new byte[total];
        buf = out;
        pos = 0;
        written = 0;
        stringsWritten = 0;
        try {
            for (SpanGroups.ResourceGroup g : groups) {
                open(REQUEST_RESOURCE_SPANS);
                writeResourceSpans(g);
            }
        } finally {
            buf = null;
            Arrays.fill(stringBytes, 0, strings, null);
            if (lengths.length > KEEP_SLOTS) {
                lengths = new int[KEEP_SLOTS];
            }
            if (stringBytes.length > KEEP_SLOTS) {
                stringBytes = new byte[KEEP_SLOTS][];
            }
        }
        if (written != sized || stringsWritten != strings || pos != total) {
            throw new IllegalStateException("OTLP writer: " + written + " lengths used of " + sized + ", "
                    + stringsWritten + " strings of " + strings + ", " + pos + " bytes written of " + total);
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

    /** An optional string field: absent when null or empty. */
    private int sizeString(int field, String s) {
        return s == null || s.isEmpty() ? 0 : sizeRequiredString(field, s);
    }

    /** A string field written even when empty (a oneof member). */
    private int sizeRequiredString(int field, String s) {
        byte[] utf8 = utf8(s);
        push(utf8);
        return message(field, utf8.length);
    }

    /** Queues bytes the write pass copies as they are (a string's UTF-8, a KeyValue body). */
    private void push(byte[] bytes) {
        if (strings == stringBytes.length) {
            stringBytes = Arrays.copyOf(stringBytes, strings * 2);
        }
        stringBytes[strings++] = bytes;
    }

    /**
     * The UTF-8 bytes of s: from the cache when this text was met lately (attribute keys, methods, routes, hosts
     * recur in nearly every span), else encoded (an ASCII string is one intrinsic scan and a copy) and cached.
     */
    private byte[] utf8(String s) {
        int h = s.hashCode();
        int i = (h ^ (h >>> 16)) & (CACHE_SLOTS - 1);
        String cached = cacheKeys[i];
        if (cached == s || (cached != null && cached.hashCode() == h && cached.equals(s))) {
            return cacheBytes[i];
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (s.length() <= CACHE_MAX_CHARS) {
            cacheKeys[i] = s;
            cacheBytes[i] = utf8;
        }
        return utf8;
    }

    private static int sizeBytes(int field, byte[] b) {
        return b == null || b.length == 0 ? 0 : message(field, b.length);
    }

    private static int sizeUint32(int field, int v) {
        return v == 0 ? 0 : CodedOutputStream.computeUInt32Size(field, v);
    }

    private static int sizeFixed64(int field, long v) {
        return v == 0 ? 0 : CodedOutputStream.computeFixed64Size(field, v);
    }

    private static int sizeFixed32(int field, int v) {
        return v == 0 ? 0 : CodedOutputStream.computeFixed32Size(field, v);
    }

    private static int sizeEnum(int field, int v) {
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
        int scopeSlot = reserve();
        int size = message(SCOPE_SPANS_SCOPE, done(scopeSlot, sizeString(SCOPE_NAME, scope.scope())));
        for (Span span : scope.spans()) {
            size += message(SCOPE_SPANS_SPANS, sizeSpan(span));
        }
        return done(slot, size);
    }

    private int sizeSpan(Span span) {
        int slot = reserve();
        int size = sizeBytes(SPAN_TRACE_ID, span.traceId()) + sizeBytes(SPAN_SPAN_ID, span.spanId())
                + sizeString(SPAN_TRACE_STATE, span.traceState())
                + (span.parentSpanId() != null && !span.isRoot() ? sizeBytes(SPAN_PARENT_SPAN_ID, span.parentSpanId()) : 0)
                + sizeString(SPAN_NAME, span.name())
                + sizeEnum(SPAN_KIND, span.kind() == null ? 0 : span.kind().otlpNumber())
                + sizeFixed64(SPAN_START, span.startEpochNanos()) + sizeFixed64(SPAN_END, span.endEpochNanos());
        if (span.attributes() != null) {
            size += sizeAttributes(SPAN_ATTRIBUTES, span.attributes());
        }
        size += sizeUint32(SPAN_DROPPED_ATTRIBUTES, span.droppedAttributes());
        for (SpanEvent event : span.events()) {
            size += message(SPAN_EVENTS, sizeEvent(event));
        }
        size += sizeUint32(SPAN_DROPPED_EVENTS, span.droppedEvents());
        for (SpanLink link : span.links()) {
            size += message(SPAN_LINKS, sizeLink(link));
        }
        size += sizeUint32(SPAN_DROPPED_LINKS, span.droppedLinks());
        if (hasStatus(span)) {
            size += message(SPAN_STATUS, sizeStatus(span));
        }
        size += sizeFixed32(SPAN_FLAGS, span.otlpFlags());
        return done(slot, size);
    }

    private int sizeEvent(SpanEvent event) {
        int slot = reserve();
        return done(slot, sizeFixed64(EVENT_TIME, event.epochNanos()) + sizeString(EVENT_NAME, event.name())
                + sizeAttributes(EVENT_ATTRIBUTES, event.attributes())
                + sizeUint32(EVENT_DROPPED_ATTRIBUTES, event.droppedAttributes()));
    }

    private int sizeLink(SpanLink link) {
        int slot = reserve();
        return done(slot, sizeBytes(LINK_TRACE_ID, link.traceId()) + sizeBytes(LINK_SPAN_ID, link.spanId())
                + sizeString(LINK_TRACE_STATE, link.traceState()) + sizeAttributes(LINK_ATTRIBUTES, link.attributes())
                + sizeUint32(LINK_DROPPED_ATTRIBUTES, link.droppedAttributes()) + sizeFixed32(LINK_FLAGS, link.flags()));
    }

    private static boolean hasStatus(Span span) {
        StatusCode code = span.statusCode() == null ? StatusCode.UNSET : span.statusCode();
        return code != StatusCode.UNSET || (span.statusMessage() != null && !span.statusMessage().isEmpty());
    }

    private int sizeStatus(Span span) {
        int slot = reserve();
        StatusCode code = span.statusCode() == null ? StatusCode.UNSET : span.statusCode();
        return done(slot, sizeString(STATUS_MESSAGE, span.statusMessage()) + sizeEnum(STATUS_CODE, code.otlpNumber()));
    }

    private int sizeAttributes(int field, Attributes attributes) {
        int size = 0;
        for (int i = 0, n = attributes.size(); i < n; i++) {
            String key = attributes.key(i);
            Object value = attributes.value(i);
            if (isPair(value)) {
                byte[] body = pair(key, value);
                push(body);
                size += message(field, body.length);
            } else {
                size += message(field, sizeKeyValue(key, value));
            }
        }
        return size;
    }

    /**
     * Attributes whose whole KeyValue is kept as one blob: an integer value (a Long, as Attributes box them) or a
     * string short enough for the string cache (a statement or a full URL is written nested, and kept nowhere).
     */
    private static boolean isPair(Object value) {
        return value instanceof Long || value instanceof String s && s.length() <= CACHE_MAX_CHARS;
    }

    /** The KeyValue body of (key, value), from the pair cache or built (and cached unless its slot is in use). */
    private byte[] pair(String key, Object value) {
        int h = key.hashCode() * 31 + value.hashCode();
        int i = (h ^ (h >>> 16)) & (CACHE_SLOTS - 1);
        String cachedKey = pairKeys[i];
        if (cachedKey != null && pairHashes[i] == h && (cachedKey == key || cachedKey.equals(key))) {
            Object cachedValue = pairValues[i];
            if (cachedValue == value || cachedValue.equals(value)) {
                pairHit[i] = true;
                return pairBytes[i];
            }
        }
        byte[] body = keyValueBody(key, value);
        if (cachedKey == null || !pairHit[i]) {
            pairHashes[i] = h;
            pairKeys[i] = key;
            pairValues[i] = value;
            pairBytes[i] = body;
        }
        pairHit[i] = false;
        return body;
    }

    /** KeyValue{key, value: AnyValue{string_value | int_value}}, as the nested walk writes it. */
    private byte[] keyValueBody(String key, Object value) {
        byte[] k = key.isEmpty() ? null : utf8(key);
        int keySize = k == null ? 0 : message(KV_KEY, k.length);
        byte[] s = value instanceof String str ? utf8(str) : null;
        long v = s == null ? (Long) value : 0;
        int anySize = s != null ? message(ANY_STRING, s.length) : CodedOutputStream.computeInt64Size(ANY_INT, v);
        byte[] body = new byte[keySize + message(KV_VALUE, anySize)];
        byte[] saved = buf;
        int savedPos = pos;
        buf = body;
        pos = 0;
        if (k != null) {
            blob(KV_KEY, k);
        }
        tag(KV_VALUE, LEN);
        varint32(anySize);
        if (s != null) {
            blob(ANY_STRING, s);
        } else {
            tag(ANY_INT, WireFormat.WIRETYPE_VARINT);
            varint64(v);
        }
        buf = saved;
        pos = savedPos;
        return body;
    }

    private int sizeKeyValue(String key, Object value) {
        int slot = reserve();
        int size = sizeString(KV_KEY, key);
        return done(slot, size + message(KV_VALUE, sizeAnyValue(value)));
    }

    private int sizeAnyValue(Object value) {
        int slot = reserve();
        int size;
        if (value instanceof String s) {
            size = sizeRequiredString(ANY_STRING, s);
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
            size = message(ANY_BYTES, b.remaining());
        } else if (value instanceof Attributes map) {
            int listSlot = reserve();
            size = message(ANY_KVLIST, done(listSlot, sizeAttributes(LIST_VALUES, map)));
        } else {
            size = sizeRequiredString(ANY_STRING, String.valueOf(value));
        }
        return done(slot, size);
    }

    // ---- write pass: the same walk, lengths taken in the order they were reserved

    private void tag(int field, int wireType) {
        varint32(field << 3 | wireType);
    }

    private void varint32(int v) {
        while ((v & ~0x7F) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
    }

    private void varint64(long v) {
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
    }

    private void open(int field) {
        tag(field, LEN);
        varint32(lengths[written++]);
    }

    private void string(int field, String s) {
        if (s != null && !s.isEmpty()) {
            requiredString(s, field);
        }
    }

    private void requiredString(String s, int field) {
        blob(field, stringBytes[stringsWritten++]);
    }

    /** A length-delimited field whose body is bytes. */
    private void blob(int field, byte[] bytes) {
        tag(field, LEN);
        varint32(bytes.length);
        System.arraycopy(bytes, 0, buf, pos, bytes.length);
        pos += bytes.length;
    }

    private void bytes(int field, byte[] b) {
        if (b != null && b.length > 0) {
            tag(field, LEN);
            varint32(b.length);
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
        }
    }

    private void uint32(int field, int v) {
        if (v != 0) {
            tag(field, WireFormat.WIRETYPE_VARINT);
            varint32(v);
        }
    }

    private void fixed64(int field, long v) {
        if (v != 0) {
            tag(field, WireFormat.WIRETYPE_FIXED64);
            LONG_LE.set(buf, pos, v);
            pos += 8;
        }
    }

    private void fixed32(int field, int v) {
        if (v != 0) {
            tag(field, WireFormat.WIRETYPE_FIXED32);
            INT_LE.set(buf, pos, v);
            pos += 4;
        }
    }

    /** An enum is an int32: a negative one takes ten bytes, sign-extended. */
    private void enumValue(int field, int v) {
        if (v != 0) {
            tag(field, WireFormat.WIRETYPE_VARINT);
            varint64(v);
        }
    }

    private void writeResourceSpans(SpanGroups.ResourceGroup g) {
        open(RESOURCE_SPANS_RESOURCE);
        writeAttributes(RESOURCE_ATTRIBUTES, g.resource().attributes());
        for (SpanGroups.ScopeGroup scope : g.scopes()) {
            open(RESOURCE_SPANS_SCOPE_SPANS);
            open(SCOPE_SPANS_SCOPE);
            string(SCOPE_NAME, scope.scope());
            for (Span span : scope.spans()) {
                open(SCOPE_SPANS_SPANS);
                writeSpan(span);
            }
        }
    }

    private void writeSpan(Span span) {
        bytes(SPAN_TRACE_ID, span.traceId());
        bytes(SPAN_SPAN_ID, span.spanId());
        string(SPAN_TRACE_STATE, span.traceState());
        if (span.parentSpanId() != null && !span.isRoot()) {
            bytes(SPAN_PARENT_SPAN_ID, span.parentSpanId());
        }
        string(SPAN_NAME, span.name());
        enumValue(SPAN_KIND, span.kind() == null ? 0 : span.kind().otlpNumber());
        fixed64(SPAN_START, span.startEpochNanos());
        fixed64(SPAN_END, span.endEpochNanos());
        if (span.attributes() != null) {
            writeAttributes(SPAN_ATTRIBUTES, span.attributes());
        }
        uint32(SPAN_DROPPED_ATTRIBUTES, span.droppedAttributes());
        for (SpanEvent event : span.events()) {
            open(SPAN_EVENTS);
            fixed64(EVENT_TIME, event.epochNanos());
            string(EVENT_NAME, event.name());
            writeAttributes(EVENT_ATTRIBUTES, event.attributes());
            uint32(EVENT_DROPPED_ATTRIBUTES, event.droppedAttributes());
        }
        uint32(SPAN_DROPPED_EVENTS, span.droppedEvents());
        for (SpanLink link : span.links()) {
            open(SPAN_LINKS);
            bytes(LINK_TRACE_ID, link.traceId());
            bytes(LINK_SPAN_ID, link.spanId());
            string(LINK_TRACE_STATE, link.traceState());
            writeAttributes(LINK_ATTRIBUTES, link.attributes());
            uint32(LINK_DROPPED_ATTRIBUTES, link.droppedAttributes());
            fixed32(LINK_FLAGS, link.flags());
        }
        uint32(SPAN_DROPPED_LINKS, span.droppedLinks());
        if (hasStatus(span)) {
            open(SPAN_STATUS);
            StatusCode code = span.statusCode() == null ? StatusCode.UNSET : span.statusCode();
            string(STATUS_MESSAGE, span.statusMessage());
            enumValue(STATUS_CODE, code.otlpNumber());
        }
        fixed32(SPAN_FLAGS, span.otlpFlags());
    }

    private void writeAttributes(int field, Attributes attributes) {
        for (int i = 0, n = attributes.size(); i < n; i++) {
            Object value = attributes.value(i);
            if (isPair(value)) {
                blob(field, stringBytes[stringsWritten++]);
            } else {
                open(field);
                string(KV_KEY, attributes.key(i));
                open(KV_VALUE);
                writeAnyValue(value);
            }
        }
    }

    private void writeAnyValue(Object value) {
        if (value instanceof String s) {
            requiredString(s, ANY_STRING);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            tag(ANY_INT, WireFormat.WIRETYPE_VARINT);
            varint64(((Number) value).longValue());
        } else if (value instanceof Double || value instanceof Float) {
            tag(ANY_DOUBLE, WireFormat.WIRETYPE_FIXED64);
            LONG_LE.set(buf, pos, Double.doubleToRawLongBits(((Number) value).doubleValue()));
            pos += 8;
        } else if (value instanceof Boolean b) {
            tag(ANY_BOOL, WireFormat.WIRETYPE_VARINT);
            buf[pos++] = (byte) (b ? 1 : 0);
        } else if (value instanceof List<?> list) {
            open(ANY_ARRAY);
            for (Object element : list) {
                open(LIST_VALUES);
                writeAnyValue(element);
            }
        } else if (value instanceof ByteBuffer b) {
            int n = b.remaining();
            tag(ANY_BYTES, LEN);
            varint32(n);
            b.duplicate().get(buf, pos, n);
            pos += n;
        } else if (value instanceof Attributes map) {
            open(ANY_KVLIST);
            writeAttributes(LIST_VALUES, map);
        } else {
            requiredString(String.valueOf(value), ANY_STRING);
        }
    }
}
