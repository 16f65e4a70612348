package io.tracebee.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.e2e.Collector.ReceivedEvent;
import io.tracebee.e2e.Collector.ReceivedLink;
import io.tracebee.e2e.Collector.ReceivedSpan;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Spans made by hand, at a real collector, under this kernel's lockdown (nothing written into the process), in
 * each way a Go application makes them:
 * <ul>
 * <li>the OpenTelemetry Go Auto SDK: one trace per request — the automatic HTTP server span, the manual spans
 * in it, and the automatic HTTP client and server spans of a call made inside a manual span — with the
 * application's names, kinds, typed attributes (arrays too), events, links, statuses and explicit timestamps
 * exactly, and a span of 200 attributes whole;</li>
 * <li>the global API with no SDK registered: the same trace shape, rebuilt from the calls on the spans;</li>
 * <li>the application's own registered SDK, which exports its spans itself: the automatic spans inside an SDK
 * span are its children in its trace, and the request's span, a local root, takes that trace's id.</li>
 * </ul>
 */
class ManualSpansIT {
    @RegisterExtension
    static final AgentAndCollector shared = new AgentAndCollector();

    @Test
    void autoSdkSpansAreOneTraceWithTheAutomaticOnes() {
        Collector collector = shared.collector;
        try (GoServer server = GoServer.start("autosdk-go1.26", Map.of("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "256"))) {
            shared.agent.attach(server.pid(), "manual");
            assertThat(server.get("/manual").body()).isEqualTo("ok");

            ReceivedSpan handler = collector.awaitSpans(s -> "GET /manual".equals(s.name()), 1, Duration.ofSeconds(30)).get(0);
            List<ReceivedSpan> trace = Traces.traceOf(collector, handler, 7);
            ReceivedSpan parent = named(trace, "manual-parent");
            ReceivedSpan child = named(trace, "manual-child");
            ReceivedSpan timed = named(trace, "explicit-times");
            ReceivedSpan many = named(trace, "many-attributes");
            ReceivedSpan pingClient = trace.stream().filter(s -> s.kind() == 3 && s.name().equals("GET")).findFirst().orElseThrow();
            ReceivedSpan pingServer = named(trace, "GET /ping");

            assertThat(handler.parentSpanId()).isEmpty();
            assertThat(parent.parentSpanId()).isEqualTo(handler.spanId());
            assertThat(child.parentSpanId()).isEqualTo(parent.spanId());
            assertThat(timed.parentSpanId()).isEqualTo(parent.spanId());
            assertThat(many.parentSpanId()).isEqualTo(parent.spanId());
            assertThat(pingClient.parentSpanId()).as("an automatic span under a manual one").isEqualTo(child.spanId());
            assertThat(pingServer.parentSpanId()).isEqualTo(pingClient.spanId());

            assertThat(parent.scope()).isEqualTo("tracebee.test/autosdk");
            assertThat(parent.resource()).containsEntry("service.name", "manual");
            assertThat(parent.kind()).as("INTERNAL").isEqualTo(1);
            assertThat(parent.statusCode()).as("OK").isEqualTo(1);
            assertThat(parent.attributes()).containsEntry("string", "value").containsEntry("bool", true)
                    .containsEntry("int", 42L).containsEntry("float", 2.5)
                    .containsEntry("strings", List.of("a", "b")).containsEntry("bools", List.of(true, false))
                    .containsEntry("ints", List.of(1L, 2L, 3L)).containsEntry("floats", List.of(0.5, 1.5));

            assertThat(child.kind()).as("CLIENT").isEqualTo(3);
            assertThat(child.statusCode()).as("ERROR").isEqualTo(2);
            assertThat(child.statusMessage()).isEqualTo("manual failure");
            assertThat(child.events()).extracting(ReceivedEvent::name).containsExactly("checkpoint", "exception");
            assertThat(child.events().get(0).attributes()).containsEntry("step", 1L);
            assertThat(child.events().get(1).attributes()).containsEntry("exception.message", "manual failure");
            assertThat(child.links()).hasSize(1);
            ReceivedLink link = child.links().get(0);
            assertThat(link.traceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
            assertThat(link.spanId()).isEqualTo("b7ad6b7169203331");
            assertThat(link.attributes()).containsEntry("link.kind", "fixed");

            long start = Instant.parse("2026-01-02T03:04:05Z").getEpochSecond() * 1_000_000_000L;
            assertThat(timed.startNanos()).isEqualTo(start);
            assertThat(timed.endNanos()).isEqualTo(start + 1_500_000_000L);

            assertThat(many.attributes()).hasSize(200).containsKey("attr.0").containsKey("attr.199");
            assertThat(many.droppedAttributes()).isZero();
        }
    }

    @Test
    void globalApiSpansAreOneTraceWithTheAutomaticOnes() {
        Collector collector = shared.collector;
        try (GoServer server = GoServer.start("globalapi-go1.26")) {
            shared.agent.attach(server.pid(), "global");
            assertThat(server.get("/global").body()).isEqualTo("ok");

            ReceivedSpan request = collector.awaitSpans(s -> "GET /global".equals(s.name()), 1, Duration.ofSeconds(30)).get(0);
            List<ReceivedSpan> trace = Traces.traceOf(collector, request, 5);
            ReceivedSpan handle = named(trace, "handle");
            ReceivedSpan child = named(trace, "child");
            ReceivedSpan pingClient = trace.stream().filter(s -> s.kind() == 3 && s.name().equals("GET")).findFirst().orElseThrow();
            ReceivedSpan pingServer = named(trace, "GET /ping");

            assertThat(request.parentSpanId()).isEmpty();
            assertThat(handle.parentSpanId()).isEqualTo(request.spanId());
            assertThat(child.parentSpanId()).isEqualTo(handle.spanId());
            assertThat(pingClient.parentSpanId()).as("an automatic span under a global-API one").isEqualTo(child.spanId());
            assertThat(pingServer.parentSpanId()).isEqualTo(pingClient.spanId());

            assertThat(handle.scope()).isEqualTo("tracebee.test/global");
            assertThat(handle.resource()).containsEntry("service.name", "global");
            assertThat(handle.kind()).as("SERVER").isEqualTo(2);
            assertThat(handle.statusCode()).as("OK").isEqualTo(1);
            assertThat(handle.startNanos()).isEqualTo(Instant.parse("2026-11-21T12:00:00Z").getEpochSecond() * 1_000_000_000L + 123_456_789);
            assertThat(handle.attributes()).containsEntry("app.string", "value").containsEntry("app.int", 42L)
                    .containsEntry("app.float", 1.5).containsEntry("app.bool", true)
                    .containsEntry("app.strings", List.of("a", "bc")).containsEntry("app.ints", List.of(1L, -2L))
                    .containsEntry("app.floats", List.of(0.5)).containsEntry("app.bools", List.of(true, false));

            assertThat(child.kind()).as("INTERNAL").isEqualTo(1);
            assertThat(child.statusCode()).as("ERROR").isEqualTo(2);
            assertThat(child.statusMessage()).isEqualTo("failed");
            assertThat(child.attributes()).containsEntry("app.via", "context");
            assertThat(child.events()).extracting(ReceivedEvent::name).containsExactly("step", "exception");
            assertThat(child.events().get(1).attributes()).containsEntry("exception.type", "*errors.errorString")
                    .containsEntry("exception.message", "boom");
            assertThat(child.links()).extracting(ReceivedLink::spanId).containsExactly("00f067aa0ba902b7", "53995c3f42cd8ad8");
            assertThat(child.links().get(0).attributes()).containsEntry("link.kind", "start");

            ReceivedSpan detached = collector.awaitSpans(s -> "detached".equals(s.name()), 1, Duration.ofSeconds(30)).get(0);
            assertThat(detached.parentSpanId()).isEmpty();
            assertThat(detached.traceId()).isNotEqualTo(request.traceId());
        }
    }

    @Test
    void automaticSpansInAnSdkSpanJoinTheSdkTrace() {
        Collector collector = shared.collector;
        try (GoServer server = GoServer.start("otelsdk-go1.26")) {
            shared.agent.attach(server.pid(), "sdk");
            String[] ids = server.get("/sdk").body().split("[ =]");  // trace=<id> span=<id> sampled=true
            String sdkTrace = ids[1];
            String sdkSpan = ids[3];

            ReceivedSpan request = collector.awaitSpans(s -> "GET /sdk".equals(s.name()), 1, Duration.ofSeconds(30)).get(0);
            assertThat(request.traceId()).as("the request's trace took the SDK's id").isEqualTo(sdkTrace);
            assertThat(request.parentSpanId()).isEmpty();
            List<ReceivedSpan> trace = Traces.traceOf(collector, request, 3);
            ReceivedSpan pingClient = trace.stream().filter(s -> s.kind() == 3).findFirst().orElseThrow();
            ReceivedSpan pingServer = named(trace, "GET /ping");
            assertThat(pingClient.parentSpanId()).as("a child of the SDK span").isEqualTo(sdkSpan);
            assertThat(pingServer.parentSpanId()).isEqualTo(pingClient.spanId());
        }
    }

    private static ReceivedSpan named(List<ReceivedSpan> trace, String name) {
        return trace.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no span " + name + " in " + trace));
    }
}
