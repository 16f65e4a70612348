package io.tracebee.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A real OpenTelemetry Collector (built by {@code src/test/build-fixtures.sh} with the official builder)
 * receiving OTLP gRPC and writing what it receives as OTLP JSON lines, which tests read back.
 */
public final class Collector implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int port;
    private final List<Path> outs = new ArrayList<>();
    private ManagedProcess process;

    private Collector(int port) {
        this.port = port;
    }

    public static Collector start() {
        Collector c = new Collector(Fixtures.freePort());
        c.run();
        return c;
    }

    /** Stops the collector, as an outage: its port refuses connections until {@link #restart()}. */
    public void stop() {
        process.close();
    }

    /** Starts it again on the same port; what it received before stays readable. */
    public void restart() {
        if (process.isAlive()) {
            throw new IllegalStateException("the collector is running");
        }
        run();
    }

    private void run() {
        try {
            Path dir = Files.createDirectories(Path.of("target", "e2e-collector"));
            Path out = dir.resolve("spans-" + port + (outs.isEmpty() ? "" : "-" + outs.size()) + ".jsonl");
            Files.deleteIfExists(out);
            outs.add(out);
            Path config = Path.of("src/test/collector/config.yaml").toAbsolutePath();
            process = ManagedProcess.start("otelcol-" + port,
                    List.of(Fixtures.file("otelcol-tracebee").toString(), "--config", config.toString()),
                    Map.of("OTLP_GRPC_PORT", Integer.toString(port), "OTLP_OUT_FILE", out.toAbsolutePath().toString()));
            awaitListening(process, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitListening(ManagedProcess p, int port) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                if (!p.isAlive()) {
                    throw new AssertionError("collector exited:\n" + p.output());
                }
                ManagedProcess.sleep(50);
            }
        }
        throw new AssertionError("collector did not listen on " + port + ":\n" + p.output());
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** Every span the collector has written so far, flattened with its resource. */
    public List<ReceivedSpan> spans() {
        List<ReceivedSpan> spans = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (Path out : outs) {
            if (!Files.exists(out)) {
                continue;
            }
            try {
                lines.addAll(Files.readAllLines(out));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode root;
            try {
                root = JSON.readTree(line);
            } catch (IOException e) {
                continue; // a line still being written
            }
            for (JsonNode rs : root.path("resourceSpans")) {
                Map<String, Object> resource = attributes(rs.path("resource").path("attributes"));
                for (JsonNode ss : rs.path("scopeSpans")) {
                    String scope = ss.path("scope").path("name").asText("");
                    for (JsonNode s : ss.path("spans")) {
                        spans.add(new ReceivedSpan(
                                s.path("traceId").asText(), s.path("spanId").asText(), s.path("parentSpanId").asText(""),
                                s.path("name").asText(), s.path("kind").asInt(),
                                Long.parseLong(s.path("startTimeUnixNano").asText("0")),
                                Long.parseLong(s.path("endTimeUnixNano").asText("0")),
                                attributes(s.path("attributes")), s.path("status").path("code").asInt(0),
                                s.path("status").path("message").asText(""),
                                resource, scope, s.path("flags").asInt(0), s.path("traceState").asText(""),
                                events(s.path("events")), links(s.path("links")),
                                s.path("droppedAttributesCount").asInt(0)));
                    }
                }
            }
        }
        return spans;
    }

    /** Waits until at least {@code count} spans matching the filter arrived; returns them. */
    public List<ReceivedSpan> awaitSpans(Predicate<ReceivedSpan> filter, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ReceivedSpan> got;
        do {
            got = spans().stream().filter(filter).toList();
            if (got.size() >= count) {
                return got;
            }
            ManagedProcess.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("expected " + count + " spans, collector has " + got.size() + ": " + got);
    }

    static Map<String, Object> attributes(JsonNode list) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (JsonNode kv : list) {
            out.put(kv.path("key").asText(), value(kv.path("value")));
        }
        return out;
    }

    /** An OTLP/JSON AnyValue: String, Long, Boolean, Double, or a List of those for an array. */
    private static Object value(JsonNode v) {
        if (v.has("stringValue")) {
            return v.get("stringValue").asText();
        } else if (v.has("intValue")) {
            return Long.parseLong(v.get("intValue").asText());
        } else if (v.has("boolValue")) {
            return v.get("boolValue").asBoolean();
        } else if (v.has("doubleValue")) {
            return v.get("doubleValue").asDouble();
        } else if (v.has("arrayValue")) {
            List<Object> values = new ArrayList<>();
            for (JsonNode e : v.path("arrayValue").path("values")) {
                values.add(value(e));
            }
            return values;
        }
        return v.toString();
    }

    private static List<ReceivedEvent> events(JsonNode list) {
        List<ReceivedEvent> out = new ArrayList<>();
        for (JsonNode e : list) {
            out.add(new ReceivedEvent(e.path("name").asText(), Long.parseLong(e.path("timeUnixNano").asText("0")),
                    attributes(e.path("attributes"))));
        }
        return out;
    }

    private static List<ReceivedLink> links(JsonNode list) {
        List<ReceivedLink> out = new ArrayList<>();
        for (JsonNode l : list) {
            out.add(new ReceivedLink(l.path("traceId").asText(), l.path("spanId").asText(),
                    l.path("traceState").asText(""), attributes(l.path("attributes"))));
        }
        return out;
    }

    @Override
    public void close() {
        process.close();
    }

    /** A span event as the collector wrote it. */
    public record ReceivedEvent(String name, long timeNanos, Map<String, Object> attributes) {
    }

    /** A span link as the collector wrote it. */
    public record ReceivedLink(String traceId, String spanId, String traceState, Map<String, Object> attributes) {
    }

    /** A span as the collector wrote it. */
    public record ReceivedSpan(String traceId, String spanId, String parentSpanId, String name, int kind,
            long startNanos, long endNanos, Map<String, Object> attributes, int statusCode, String statusMessage,
            Map<String, Object> resource, String scope, int flags, String traceState, List<ReceivedEvent> events,
            List<ReceivedLink> links, int droppedAttributes) {

        /** OTLP's "the parent is in another process" flag bit. */
        public boolean parentRemote() {
            return (flags & 0x200) != 0;
        }
    }
}
