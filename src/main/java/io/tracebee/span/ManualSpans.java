package io.tracebee.span;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tracebee.correlate.CorrelatedEvent;
import io.tracebee.decode.EventHeader;
import io.tracebee.decode.ManualSpanEvent;
import java.io.IOException;

/**
 * Spans the application made by hand, from the OTLP/JSON its SDK serialised (the OpenTelemetry Go Auto SDK's
 * {@code telemetry.Traces}: one resource, one scope, one span). The ids and the parent are tracebee's (the
 * event header's, through correlation): under lockdown the SDK never learns them. Name, kind, timestamps,
 * attributes and status are the application's, exactly.
 *
 * <p>A body the kernel cut short (longer than it sends) is read as far as it goes: the fields before the cut
 * are kept — the SDK writes name, kind and times before attributes, events and links — and the span carries
 * {@code tracebee.span.truncated=true}. Never a lost span.
 */
final class ManualSpans {
    static final String TRUNCATED = "tracebee.span.truncated";
    private static final JsonFactory JSON = new JsonFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ManualSpans() {
    }

    /** The JSON tree of body, as much of it as parses: a cut ends the tree where it was cut. */
    static JsonNode parse(byte[] body) {
        try (JsonParser p = JSON.createParser(body)) {
            JsonToken t = p.nextToken();
            return t == null ? NODES.objectNode() : value(p, t);
        } catch (IOException e) {
            return NODES.objectNode();  // unreachable: value() keeps what it read
        }
    }

    private static JsonNode value(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT -> {
                ObjectNode o = NODES.objectNode();
                try {
                    for (JsonToken k = p.nextToken(); k == JsonToken.FIELD_NAME; k = p.nextToken()) {
                        String name = p.currentName();
                        JsonToken v = p.nextToken();
                        if (v == null) {
                            break;
                        }
                        o.set(name, value(p, v));
                    }
                } catch (IOException cut) {
                    // keep the fields read so far
                }
                return o;
            }
            case START_ARRAY -> {
                ArrayNode a = NODES.arrayNode();
                try {
                    for (JsonToken v = p.nextToken(); v != null && v != JsonToken.END_ARRAY; v = p.nextToken()) {
                        a.add(value(p, v));
                    }
                } catch (IOException cut) {
                    // keep the elements read so far
                }
                return a;
            }
            case VALUE_STRING -> {
                return NODES.textNode(p.getText());
            }
            case VALUE_NUMBER_INT -> {
                return NODES.numberNode(p.getBigIntegerValue());
            }
            case VALUE_NUMBER_FLOAT -> {
                return NODES.numberNode(p.getDoubleValue());
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return NODES.booleanNode(t == JsonToken.VALUE_TRUE);
            }
            default -> {
                return NODES.nullNode();
            }
        }
    }

    static Span fromAutoSdk(CorrelatedEvent ce, ManualSpanEvent e, WallClock clock) {
        JsonNode scopeSpans = parse(e.body()).path("resourceSpans").path(0).path("scopeSpans").path(0);
        JsonNode span = scopeSpans.path("spans").path(0);
        EventHeader h = e.header();
        long start = span.path("startTimeUnixNano").asLong(0);
        long end = span.path("endTimeUnixNano").asLong(0);
        if (start == 0) {
            start = clock.toEpochNanos(h.startNs());
        }
        if (end == 0) {
            end = clock.toEpochNanos(h.endNs());
        }
        Attributes.Builder a = Attributes.builder();
        for (JsonNode kv : span.path("attributes")) {
            putValue(a, kv.path("key").asText(""), kv.path("value"));
        }
        if (e.truncated()) {
            a.put(TRUNCATED, true);
        }
        JsonNode status = span.path("status");
        StatusCode code = switch (status.path("code").asInt(0)) {
            case 1 -> StatusCode.OK;
            case 2 -> StatusCode.ERROR;
            default -> StatusCode.UNSET;
        };
        String scope = scopeSpans.path("scope").path("name").asText("");
        return new Span(ce.traceId(), h.spanId(), ce.parentSpanId(), ce.traceFlags(),
                span.path("name").asText(""), kind(span.path("kind").asInt(0)), start, end, a.build(), code,
                code == StatusCode.ERROR ? status.path("message").asText("") : "", ce.resource(), scope, "",
                h.parentRemote());
    }

    private static SpanKind kind(int otlp) {
        for (SpanKind k : SpanKind.values()) {
            if (k.otlpNumber() == otlp && k != SpanKind.UNSPECIFIED) {
                return k;
            }
        }
        return SpanKind.INTERNAL;
    }

    /** One OTLP/JSON AnyValue: scalars as they are (intValue is a decimal string in OTLP/JSON). */
    private static void putValue(Attributes.Builder a, String key, JsonNode v) {
        if (key.isEmpty()) {
            return;
        }
        if (v.has("stringValue")) {
            a.put(key, v.get("stringValue").asText());
        } else if (v.has("intValue")) {
            a.put(key, v.get("intValue").asLong());
        } else if (v.has("doubleValue")) {
            a.put(key, v.get("doubleValue").asDouble());
        } else if (v.has("boolValue")) {
            a.put(key, v.get("boolValue").asBoolean());
        }
    }
}
