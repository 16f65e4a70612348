package io.tracebee.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tracebee.control.Instrumenter.Instrumentation;
import io.tracebee.control.ProbeState;
import io.tracebee.correlate.CorrelatedEvent;
import io.tracebee.decode.EventLayout;
import io.tracebee.decode.HttpClientEvent;
import io.tracebee.decode.HttpServerEvent;
import io.tracebee.decode.ManualSpanEvent;
import io.tracebee.decode.TracedEvent;
import io.tracebee.e2e.GoServer;
import io.tracebee.span.Attributes;
import io.tracebee.span.Hex;
import io.tracebee.span.Resource;
import io.tracebee.span.Span;
import io.tracebee.span.SpanAssembler;
import io.tracebee.span.SpanEvent;
import io.tracebee.span.SpanKind;
import io.tracebee.span.StatusCode;
import io.tracebee.span.WallClock;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Spans made by hand through the OpenTelemetry Go Auto SDK, under this kernel's lockdown (nothing written into
 * the process): each ended span arrives whole as the SDK serialised it, with the ids tracebee gave it, inside
 * the trace of the automatic span it was started in; the application's own calls made with a manual span's
 * context are that span's children; a trace the caller sampled out stays sampled out through manual spans. Newest auto/sdk (v1.2.1, Go 1.26) and the oldest in use (v1.1.0, Go 1.23).
 */
class AutoSdkProbeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final ProbeHarness harness = new ProbeHarness();

    @ParameterizedTest
    @ValueSource(strings = {"autosdk-go1.26", "autosdk-go1.23-oldest"})
    void manualSpansJoinTheAutomaticTrace(String fixture) throws Exception {
        // the SDK's own limit is 128 attributes a span: raised, so that all 200 leave the process (3 chunks)
        try (GoServer server = GoServer.start(fixture, Map.of("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "256"))) {
            BpfInstrumenter instrumenter = new BpfInstrumenter(Probes.ALL, harness.maps, new OffsetResolver(OffsetTable.load()));
            Instrumentation inst = instrumenter.instrument(Path.of("/proc/" + server.pid() + "/exe"), (int) server.pid(), 5);
            assertThat(inst.probes()).extracting(ProbeState::library).contains("otel auto sdk");
            assertThat(inst.probes()).allSatisfy(p -> assertThat(p.state()).as(p.library() + ": " + p.reason()).isEqualTo("attached"));

            assertThat(server.get("/manual").body()).isEqualTo("ok");
            HttpServerEvent handler = (HttpServerEvent) harness.await(e -> e instanceof HttpServerEvent h && h.path().equals("/manual"));
            ManualSpanEvent parent = manual("manual-parent");
            ManualSpanEvent child = manual("manual-child");
            ManualSpanEvent timed = manual("explicit-times");
            ManualSpanEvent many = manual("many-attributes");
            HttpClientEvent ping = (HttpClientEvent) harness.await(e -> e instanceof HttpClientEvent c && c.path().equals("/ping"));

            assertThat(parent.header().parentSpanId()).as("the handler's child").isEqualTo(handler.header().spanId());
            assertThat(parent.header().traceId()).isEqualTo(handler.header().traceId());
            for (ManualSpanEvent m : new ManualSpanEvent[] {child, timed, many}) {
                assertThat(m.header().parentSpanId()).as("started with the parent's context").isEqualTo(parent.header().spanId());
                assertThat(m.header().traceId()).isEqualTo(handler.header().traceId());
                assertThat(m.truncated()).isFalse();
            }
            assertThat(ping.header().parentSpanId()).as("an automatic span under a manual one").isEqualTo(child.header().spanId());
            assertThat(many.body().length).as("more than two chunks").isGreaterThan(2 * EventLayout.MANUAL_CHUNK);
            assertThat(JSON.readTree(many.body()).at("/resourceSpans/0/scopeSpans/0/spans/0/attributes")).hasSize(200);

            SpanAssembler assembler = new SpanAssembler(WallClock.javaClocks());
            Resource resource = new Resource(Attributes.builder().put("service.name", "svc").build());
            Span p = assembler.assemble(new CorrelatedEvent(parent, parent.header().traceId(), parent.header().parentSpanId(), 1, resource));
            assertThat(p.name()).isEqualTo("manual-parent");
            assertThat(p.kind()).isEqualTo(SpanKind.INTERNAL);
            assertThat(p.scope()).isEqualTo("tracebee.test/autosdk");
            assertThat(p.statusCode()).isEqualTo(StatusCode.OK);
            assertThat(p.spanId()).isEqualTo(parent.header().spanId());
            assertThat(p.attributes().asMap()).containsEntry("string", "value").containsEntry("bool", true)
                    .containsEntry("int", 42L).containsEntry("float", 2.5)
                    .containsEntry("strings", List.of("a", "b")).containsEntry("bools", List.of(true, false))
                    .containsEntry("ints", List.of(1L, 2L, 3L)).containsEntry("floats", List.of(0.5, 1.5));
            Span c = assembler.assemble(new CorrelatedEvent(child, child.header().traceId(), child.header().parentSpanId(), 1, resource));
            assertThat(c.kind()).isEqualTo(SpanKind.CLIENT);
            assertThat(c.statusCode()).isEqualTo(StatusCode.ERROR);
            assertThat(c.statusMessage()).isEqualTo("manual failure");
            assertThat(c.events()).extracting(SpanEvent::name).containsExactly("checkpoint", "exception");
            assertThat(c.events().get(0).attributes().asMap()).containsEntry("step", 1L);
            assertThat(c.links()).singleElement().satisfies(l -> {
                assertThat(l.traceIdHex()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
                assertThat(l.spanIdHex()).isEqualTo("b7ad6b7169203331");
                assertThat(l.attributes().asMap()).containsEntry("link.kind", "fixed");
            });
            Span t = assembler.assemble(new CorrelatedEvent(timed, timed.header().traceId(), timed.header().parentSpanId(), 1, resource));
            long start = Instant.parse("2026-01-02T03:04:05Z").getEpochSecond() * 1_000_000_000L;
            assertThat(t.startEpochNanos()).isEqualTo(start);
            assertThat(t.endEpochNanos()).isEqualTo(start + 1_500_000_000L);

            // a caller that sampled its trace out: the manual spans in it are sampled out too, and so are the
            // automatic spans under them; the kernel sends none of them and counts them all
            harness.events.clear();
            long before = harness.maps.counter(SharedMaps.Counter.UNSAMPLED);
            String unsampled = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";
            assertThat(server.get("/manual", Map.of("traceparent", unsampled)).body()).isEqualTo("ok");
            // the request, its four manual spans, and the /ping call in the child and the server it reaches
            assertThat(harness.awaitUnsampled(before + 7)).isEqualTo(before + 7);
            assertThat(server.get("/manual").body()).isEqualTo("ok");
            manual("manual-child");  // a sampled request after: had the other been sent, it would be here first
            assertThat(harness.anyOfTrace("4bf92f3577b34da6a3ce929d0e0e4736")).isFalse();
            inst.close();
        }
    }

    private ManualSpanEvent manual(String name) throws InterruptedException {
        TracedEvent e = harness.await(t -> t instanceof ManualSpanEvent m && name.equals(spanName(m)));
        return (ManualSpanEvent) e;
    }

    private static String spanName(ManualSpanEvent m) {
        try {
            JsonNode span = JSON.readTree(m.body()).at("/resourceSpans/0/scopeSpans/0/spans/0");
            return span.path("name").asText();
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
