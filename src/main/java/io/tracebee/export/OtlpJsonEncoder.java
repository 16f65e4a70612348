package io.tracebee.export;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import io.tracebee.span.Attributes;
import io.tracebee.span.Hex;
import io.tracebee.span.Span;
import io.tracebee.span.SpanEvent;
import io.tracebee.span.SpanLink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Writes spans as OTLP JSON byte-for-byte the way the OpenTelemetry Collector's pdata marshaler (and
 * so its file exporter) does: lowerCamelCase keys, hex ids, enums as integers, 64-bit integers as
 * strings, bytes as base64, zero values omitted except the always-present {@code resource}, {@code scope}
 * and {@code status} objects.
 *
 * <p>protobuf's JsonFormat is not used because it writes ids as base64.
 */
public final class OtlpJsonEncoder {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .disable(StreamWriteFeature.FLUSH_PASSED_TO_STREAM)
            // Characters outside the BMP as 4-byte UTF-8, not as escaped surrogate pairs.
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .build();

    private OtlpJsonEncoder() {
    }

    /** One {@code {"resourceSpans":[...]}} object, without a trailing newline. */
    public static String encode(List<Span> spans) {
        return new String(encodeToBytes(spans), StandardCharsets.UTF_8);
    }

    public static byte[] encodeToBytes(List<Span> spans) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + 512 * spans.size());
        try {
            write(spans, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes one {@code {"resourceSpans":[...]}} object to {@code out} (UTF-8, no trailing newline). */
    public static void write(List<Span> spans, OutputStream out) throws IOException {
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.setCharacterEscapes(GoEscapes.INSTANCE);
            g.writeStartObject();
            List<SpanGroups.ResourceGroup> groups = SpanGroups.group(spans);
            if (!groups.isEmpty()) {
                g.writeArrayFieldStart("resourceSpans");
                for (SpanGroups.ResourceGroup group : groups) {
                    g.writeStartObject();
                    g.writeObjectFieldStart("resource");
                    writeAttributes(g, group.resource().attributes());
                    g.writeEndObject();
                    g.writeArrayFieldStart("scopeSpans");
                    for (SpanGroups.ScopeGroup scope : group.scopes()) {
                        g.writeStartObject();
                        g.writeObjectFieldStart("scope");
                        if (!scope.scope().isEmpty()) {
                            g.writeStringField("name", scope.scope());
                        }
                        g.writeEndObject();
                        g.writeArrayFieldStart("spans");
                        for (Span span : scope.spans()) {
                            writeSpan(g, span);
                        }
                        g.writeEndArray();
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }
    }

    private static void writeSpan(JsonGenerator g, Span span) throws IOException {
        g.writeStartObject();
        writeId(g, "traceId", span.traceId());
        writeId(g, "spanId", span.spanId());
        if (span.traceState() != null && !span.traceState().isEmpty()) {
            g.writeStringField("traceState", span.traceState());
        }
        writeId(g, "parentSpanId", span.parentSpanId());
        g.writeNumberField("flags", span.otlpFlags());
        if (span.name() != null && !span.name().isEmpty()) {
            g.writeStringField("name", span.name());
        }
        if (span.kind() != null && span.kind().otlpNumber() != 0) {
            g.writeNumberField("kind", span.kind().otlpNumber());
        }
        if (span.startEpochNanos() != 0) {
            g.writeStringField("startTimeUnixNano", Long.toUnsignedString(span.startEpochNanos()));
        }
        if (span.endEpochNanos() != 0) {
            g.writeStringField("endTimeUnixNano", Long.toUnsignedString(span.endEpochNanos()));
        }
        if (span.attributes() != null) {
            writeAttributes(g, span.attributes());
        }
        writeCount(g, "droppedAttributesCount", span.droppedAttributes());
        writeArray(g, "events", span.events(), OtlpJsonEncoder::writeEvent);
        writeCount(g, "droppedEventsCount", span.droppedEvents());
        writeArray(g, "links", span.links(), OtlpJsonEncoder::writeLink);
        writeCount(g, "droppedLinksCount", span.droppedLinks());
        g.writeObjectFieldStart("status");
        if (span.statusMessage() != null && !span.statusMessage().isEmpty()) {
            g.writeStringField("message", span.statusMessage());
        }
        if (span.statusCode() != null && span.statusCode().otlpNumber() != 0) {
            g.writeNumberField("code", span.statusCode().otlpNumber());
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private interface ElementWriter<T> {
        void write(JsonGenerator g, T element) throws IOException;
    }

    /** A repeated message field, left out when empty. */
    private static <T> void writeArray(JsonGenerator g, String field, List<T> elements, ElementWriter<T> writer)
            throws IOException {
        if (elements.isEmpty()) {
            return;
        }
        g.writeArrayFieldStart(field);
        for (T element : elements) {
            writer.write(g, element);
        }
        g.writeEndArray();
    }

    private static void writeEvent(JsonGenerator g, SpanEvent event) throws IOException {
        g.writeStartObject();
        if (event.epochNanos() != 0) {
            g.writeStringField("timeUnixNano", Long.toUnsignedString(event.epochNanos()));
        }
        if (!event.name().isEmpty()) {
            g.writeStringField("name", event.name());
        }
        writeAttributes(g, event.attributes());
        writeCount(g, "droppedAttributesCount", event.droppedAttributes());
        g.writeEndObject();
    }

    private static void writeLink(JsonGenerator g, SpanLink link) throws IOException {
        g.writeStartObject();
        writeId(g, "traceId", link.traceId());
        writeId(g, "spanId", link.spanId());
        if (!link.traceState().isEmpty()) {
            g.writeStringField("traceState", link.traceState());
        }
        writeAttributes(g, link.attributes());
        writeCount(g, "droppedAttributesCount", link.droppedAttributes());
        writeCount(g, "flags", link.flags());
        g.writeEndObject();
    }

    /** An OTLP uint32 field, left out when zero. */
    private static void writeCount(JsonGenerator g, String field, int unsigned) throws IOException {
        if (unsigned != 0) {
            g.writeNumberField(field, Integer.toUnsignedLong(unsigned));
        }
    }

    private static void writeId(JsonGenerator g, String field, byte[] id) throws IOException {
        if (id == null) {
            return;
        }
        for (byte b : id) {
            if (b != 0) {
                g.writeStringField(field, Hex.encode(id));
                return;
            }
        }
    }

    private static void writeAttributes(JsonGenerator g, Attributes attributes) throws IOException {
        writeKeyValues(g, "attributes", attributes);
    }

    private static void writeKeyValues(JsonGenerator g, String field, Attributes attributes) throws IOException {
        if (attributes.size() == 0) {
            return;
        }
        g.writeArrayFieldStart(field);
        for (int i = 0, n = attributes.size(); i < n; i++) {
            g.writeStartObject();
            if (!attributes.key(i).isEmpty()) {
                g.writeStringField("key", attributes.key(i));
            }
            g.writeObjectFieldStart("value");
            writeValue(g, attributes.value(i));
            g.writeEndObject();
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void writeValue(JsonGenerator g, Object value) throws IOException {
        if (value instanceof String s) {
            g.writeStringField("stringValue", s);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            g.writeStringField("intValue", Long.toString(((Number) value).longValue()));
        } else if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            g.writeFieldName("doubleValue");
            if (Double.isNaN(d)) {
                g.writeString("NaN");
            } else if (Double.isInfinite(d)) {
                g.writeString(d > 0 ? "Infinity" : "-Infinity");
            } else {
                g.writeNumber(goFloat(d));
            }
        } else if (value instanceof Boolean b) {
            g.writeBooleanField("boolValue", b);
        } else if (value instanceof List<?> list) {
            g.writeObjectFieldStart("arrayValue");
            if (!list.isEmpty()) {
                g.writeArrayFieldStart("values");
                for (Object element : list) {
                    g.writeStartObject();
                    writeValue(g, element);
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        } else if (value instanceof ByteBuffer bytes) {
            byte[] copy = new byte[bytes.remaining()];
            bytes.duplicate().get(copy);
            g.writeStringField("bytesValue", Base64.getEncoder().encodeToString(copy));
        } else if (value instanceof Attributes map) {
            g.writeObjectFieldStart("kvlistValue");
            writeKeyValues(g, "values", map);
            g.writeEndObject();
        } else {
            g.writeStringField("stringValue", String.valueOf(value));
        }
    }

    /**
     * Formats a finite double like Go's {@code strconv.AppendFloat(v, 'f' or 'e', -1, 64)} as used by
     * json-iterator: shortest round-trip digits, plain notation unless {@code |v| < 1e-6} or
     * {@code |v| >= 1e21}, exponents of at least two digits ({@code 1.5e-07}).
     */
    static String goFloat(double v) {
        if (v == 0) {
            return Double.doubleToRawLongBits(v) < 0 ? "-0" : "0";
        }
        BigDecimal decimal = shortest(v);
        double abs = Math.abs(v);
        if (abs >= 1e-6 && abs < 1e21) {
            return decimal.toPlainString();
        }
        String digits = decimal.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - decimal.scale();
        StringBuilder out = new StringBuilder(digits.length() + 8);
        if (v < 0) {
            out.append('-');
        }
        out.append(digits.charAt(0));
        if (digits.length() > 1) {
            out.append('.').append(digits, 1, digits.length());
        }
        out.append('e').append(exponent < 0 ? '-' : '+');
        int absExponent = Math.abs(exponent);
        if (absExponent < 10) {
            out.append('0');
        }
        out.append(absExponent);
        return out.toString();
    }

    /**
     * The shortest decimal that reads back as {@code v}, nearest to it among equally short ones (what
     * Go's {@code strconv} produces). Double.toString is not always shortest before JDK 19.
     */
    private static BigDecimal shortest(double v) {
        BigDecimal exact = new BigDecimal(v);
        for (int digits = 1; digits < 17; digits++) {
            BigDecimal rounded = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
            if (rounded.doubleValue() == v) {
                return rounded.stripTrailingZeros();
            }
        }
        return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros();
    }

    /** json-iterator escapes control characters other than newline, CR and tab as unicode escapes with lower-case hex. */
    private static final class GoEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        static final GoEscapes INSTANCE = new GoEscapes();
        private final int[] codes;

        private GoEscapes() {
            codes = standardAsciiEscapesForJSON();
            for (int c = 0; c < 0x20; c++) {
                codes[c] = c == '\n' || c == '\r' || c == '\t' ? codes[c] : ESCAPE_CUSTOM;
            }
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return codes;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            // Jackson also asks about every non-ASCII character: null means "write it as UTF-8".
            return ch < 0x20 ? new SerializedString(String.format("\\u%04x", ch)) : null;
        }
    }
}
