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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

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
        Attributes.Builder a = attributes(span.path("attributes"));
        if (e.truncated()) {
            a.put(TRUNCATED, true);
        }
        List<SpanEvent> events = new ArrayList<>();
        for (JsonNode ev : span.path("events")) {
            events.add(new SpanEvent(ev.path("name").asText(""), ev.path("timeUnixNano").asLong(0),
                    attributes(ev.path("attributes")).build(), ev.path("droppedAttributesCount").asInt(0)));
        }
        List<SpanLink> links = new ArrayList<>();
        for (JsonNode l : span.path("links")) {
            byte[] traceId = id(l.path("traceId").asText(""), 16);
            byte[] spanId = id(l.path("spanId").asText(""), 8);
            if (traceId != null && spanId != null) {
                links.add(new SpanLink(traceId, spanId, l.path("traceState").asText(""),
                        attributes(l.path("attributes")).build(), l.path("droppedAttributesCount").asInt(0),
                        l.path("flags").asInt(0)));
            }
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
                h.parentRemote(), events, links, span.path("droppedAttributesCount").asInt(0),
                span.path("droppedEventsCount").asInt(0), span.path("droppedLinksCount").asInt(0));
    }

    static SpanKind kind(int otlp) {
        for (SpanKind k : SpanKind.values()) {
            if (k.otlpNumber() == otlp && k != SpanKind.UNSPECIFIED) {
                return k;
            }
        }
        return SpanKind.INTERNAL;
    }

    /** A link's hex id of n bytes, or null when it is not one. */
    private static byte[] id(String hex, int n) {
        try {
            byte[] id = Hex.decode(hex);
            return id.length == n ? id : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Attributes.Builder attributes(JsonNode list) {
        Attributes.Builder a = Attributes.builder();
        for (JsonNode kv : list) {
            putValue(a, kv.path("key").asText(""), kv.path("value"));
        }
        return a;
    }

    /**
     * One OTLP/JSON AnyValue (intValue is a decimal string there, bytesValue base64). Arrays are homogeneous,
     * as the OpenTelemetry Go API makes them; an array of mixed or nested values is kept as strings.
     */
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
        } else if (v.has("bytesValue")) {
            a.putBytes(key, Base64.getDecoder().decode(v.get("bytesValue").asText("")));
        } else if (v.has("kvlistValue")) {
            a.put(key, attributes(v.get("kvlistValue").path("values")).build());
        } else if (v.has("arrayValue")) {
            putArray(a, key, v.get("arrayValue").path("values"));
        }
    }

    private static void putArray(Attributes.Builder a, String key, JsonNode values) {
        List<String> strings = new ArrayList<>();
        List<Long> longs = new ArrayList<>();
        List<Double> doubles = new ArrayList<>();
        List<Boolean> bools = new ArrayList<>();
        for (JsonNode v : values) {
            if (v.has("intValue")) {
                longs.add(v.get("intValue").asLong());
            } else if (v.has("doubleValue")) {
                doubles.add(v.get("doubleValue").asDouble());
            } else if (v.has("boolValue")) {
                bools.add(v.get("boolValue").asBoolean());
            } else {
                strings.add(v.has("stringValue") ? v.get("stringValue").asText() : v.toString());
            }
        }
        int n = values.size();
        if (longs.size() == n && n > 0) {
            a.putLongArray(key, longs);
        } else if (doubles.size() == n && n > 0) {
            a.putDoubleArray(key, doubles);
        } else if (bools.size() == n && n > 0) {
            a.putBooleanArray(key, bools);
        } else if (strings.size() == n) {
            a.putStringArray(key, strings);
        } else {
            List<String> mixed = new ArrayList<>();
            values.forEach(v -> mixed.add(v.toString()));
            a.putStringArray(key, mixed);
        }
    }
}
