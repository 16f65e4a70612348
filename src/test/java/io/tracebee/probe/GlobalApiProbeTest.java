package io.tracebee.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.control.Instrumenter.Instrumentation;
import io.tracebee.control.ProbeState;
import io.tracebee.correlate.CorrelatedEvent;
import io.tracebee.decode.EventLayout;
import io.tracebee.decode.HttpClientEvent;
import io.tracebee.decode.HttpServerEvent;
import io.tracebee.decode.ManualSpanEvent;
import io.tracebee.e2e.GoServer;
import io.tracebee.span.Attributes;
import io.tracebee.span.Hex;
import io.tracebee.span.Resource;
import io.tracebee.span.Span;
import io.tracebee.span.SpanAssembler;
import io.tracebee.span.SpanEvent;
import io.tracebee.span.SpanKind;
import io.tracebee.span.SpanLink;
import io.tracebee.span.StatusCode;
import io.tracebee.span.WallClock;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Spans made through the OpenTelemetry global API with no SDK registered (src/test/go/globalapi: otel v1.47.0,
 * and v1.25.0 from before the API's newSpan hook),
 * under this kernel's lockdown: the global tracer's spans record nothing, so tracebee rebuilds them from the
 * calls made on them — name (and SetName), kind, typed attributes, links at start and added later, events,
 * RecordError, status, explicit timestamps, WithNewRoot — with parents in the automatic trace, and the
 * application's calls made with a span's context are its children.
 */
class GlobalApiProbeTest {
    @RegisterExtension
    final ProbeHarness harness = new ProbeHarness();

    private final SpanAssembler assembler = new SpanAssembler(WallClock.javaClocks());
    private final Resource resource = new Resource(Attributes.builder().put("service.name", "svc").build());

    @ParameterizedTest
    @ValueSource(strings = {"globalapi-go1.26", "globalapi-go1.23-oldest", "globalapi-go1.26-nodwarf"})
    void globalApiSpansAreRebuiltInTheAutomaticTrace(String fixture) throws Exception {
        try (GoServer server = GoServer.start(fixture)) {
            BpfInstrumenter instrumenter = new BpfInstrumenter(Probes.ALL, harness.maps, new OffsetResolver(OffsetTable.load()));
            Instrumentation inst = instrumenter.instrument(Path.of("/proc/" + server.pid() + "/exe"), (int) server.pid(), 5);
            assertThat(inst.probes()).filteredOn(p -> p.library().equals("otel global api")).singleElement()
                    .satisfies(p -> assertThat(p.state()).as(p.reason()).isEqualTo("attached"))
                    .extracting(ProbeState::offsetSource).isEqualTo(fixture.endsWith("-nodwarf") ? "table" : "dwarf");

            for (int round = 0; round < 2; round++) {
                harness.events.clear();
                assertThat(server.get("/global").body()).isEqualTo("ok");
                HttpServerEvent request = (HttpServerEvent) harness.await(e -> e instanceof HttpServerEvent h && h.path().equals("/global"));
                Span handle = span("handle");
                Span child = span("child");
                Span detached = span("detached");
                HttpClientEvent ping = (HttpClientEvent) harness.await(e -> e instanceof HttpClientEvent c && c.path().equals("/ping"));
                HttpServerEvent pinged = (HttpServerEvent) harness.await(e -> e instanceof HttpServerEvent h && h.path().equals("/ping"));

                assertThat(handle.parentSpanId()).as("the request's child").isEqualTo(request.header().spanId());
                assertThat(handle.traceId()).isEqualTo(request.header().traceId());
                assertThat(handle.kind()).isEqualTo(SpanKind.SERVER);
                assertThat(handle.scope()).isEqualTo("tracebee.test/global");
                assertThat(handle.statusCode()).isEqualTo(StatusCode.OK);
                assertThat(handle.startEpochNanos()).as("WithTimestamp")
                        .isEqualTo(epochNanos("2026-11-21T12:00:00.123456789Z"));
                assertThat(handle.attributes().asMap()).containsEntry("app.string", "value").containsEntry("app.int", 42L)
                        .containsEntry("app.float", 1.5).containsEntry("app.bool", true)
                        .containsEntry("app.strings", List.of("a", "bc")).containsEntry("app.ints", List.of(1L, -2L))
                        .containsEntry("app.floats", List.of(0.5)).containsEntry("app.bools", List.of(true, false))
                        .hasSize(8);

                assertThat(child.parentSpanId()).as("started with handle's context").isEqualTo(handle.spanId());
                assertThat(child.traceId()).isEqualTo(handle.traceId());
                assertThat(child.kind()).isEqualTo(SpanKind.INTERNAL);
                assertThat(child.attributes().asMap()).as("set through the context's span")
                        .containsExactlyEntriesOf(Map.of("app.via", "context"));
                assertThat(child.statusCode()).isEqualTo(StatusCode.ERROR);
                assertThat(child.statusMessage()).isEqualTo("failed");
                assertThat(child.events()).extracting(SpanEvent::name).containsExactly("step", "exception");
                assertThat(child.events().get(0).attributes().asMap()).containsExactlyEntriesOf(Map.of("step.n", 1L));
                assertThat(child.events().get(1).attributes().asMap())
                        .containsExactlyInAnyOrderEntriesOf(Map.of("exception.type", "*errors.errorString", "exception.message", "boom"));
                assertThat(child.events().get(0).epochNanos()).isBetween(child.startEpochNanos(), child.events().get(1).epochNanos());
                assertThat(child.endEpochNanos()).isGreaterThanOrEqualTo(child.events().get(1).epochNanos());
                assertThat(child.links()).hasSize(2);
                SpanLink atStart = child.links().get(0);
                assertThat(atStart.traceIdHex()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
                assertThat(atStart.spanIdHex()).isEqualTo("00f067aa0ba902b7");
                assertThat(atStart.flags()).isEqualTo(Span.FLAG_HAS_IS_REMOTE | Span.FLAG_IS_REMOTE);
                assertThat(atStart.attributes().asMap()).containsExactlyEntriesOf(Map.of("link.kind", "start"));
                SpanLink added = child.links().get(1);
                assertThat(added.spanIdHex()).isEqualTo("53995c3f42cd8ad8");
                assertThat(added.flags()).isEqualTo(Span.FLAG_HAS_IS_REMOTE | 1);
                assertThat(added.attributes().asMap()).containsExactlyEntriesOf(Map.of("link.n", 2L));

                assertThat(ping.header().parentSpanId()).as("an automatic span under a global-API span").isEqualTo(child.spanId());
                assertThat(ping.header().traceId()).isEqualTo(handle.traceId());
                assertThat(pinged.header().parentSpanId()).isEqualTo(ping.header().spanId());

                assertThat(detached.parentSpanId()).as("WithNewRoot").isEqualTo(new byte[8]);
                assertThat(detached.traceId()).isNotEqualTo(handle.traceId());
                assertThat(detached.endEpochNanos()).isEqualTo(epochNanos("2026-11-21T12:00:01Z"));
            }

            // a caller that sampled its trace out: nothing of its global-API spans leaves the kernel, and the
            // calls made in them stay sampled out: the request, handle, child, and the /ping call and server
            harness.events.clear();
            long before = harness.maps.counter(SharedMaps.Counter.UNSAMPLED);
            String unsampled = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";
            assertThat(server.get("/global", Map.of("traceparent", unsampled)).body()).isEqualTo("ok");
            assertThat(harness.awaitUnsampled(before + 5)).isEqualTo(before + 5);
            Span detached = span("detached");
            assertThat(detached.parentSpanId()).as("a new root starts a sampled trace").isEqualTo(new byte[8]);
            assertThat(harness.anyOfTrace("0af7651916cd43dd8448eb211c80319c")).isFalse();
            inst.close();
        }
    }

    /** Options, closures and error types are recognised by symbol: a stripped binary skips the probe, saying why. */
    @Test
    void aStrippedBinarySkipsTheProbeAndIsStillTraced() throws Exception {
        try (GoServer server = GoServer.start("globalapi-go1.26-stripped")) {
            BpfInstrumenter instrumenter = new BpfInstrumenter(Probes.ALL, harness.maps, new OffsetResolver(OffsetTable.load()));
            Instrumentation inst = instrumenter.instrument(Path.of("/proc/" + server.pid() + "/exe"), (int) server.pid(), 5);
            assertThat(inst.probes()).filteredOn(p -> p.library().equals("otel global api")).singleElement()
                    .satisfies(p -> assertThat(p.state()).isEqualTo("skipped"))
                    .extracting(ProbeState::reason).asString().contains("stripped");
            assertThat(server.get("/global").body()).isEqualTo("ok");
            HttpServerEvent request = (HttpServerEvent) harness.await(e -> e instanceof HttpServerEvent h && h.path().equals("/global"));
            HttpClientEvent ping = (HttpClientEvent) harness.await(e -> e instanceof HttpClientEvent c && c.path().equals("/ping"));
            assertThat(ping.header().parentSpanId()).as("the request's child, without the manual spans between").isEqualTo(request.header().spanId());
            inst.close();
        }
    }

    private Span span(String name) throws InterruptedException {
        ManualSpanEvent e = (ManualSpanEvent) harness.await(t -> t instanceof ManualSpanEvent m
                && m.source() == EventLayout.MANUAL_GLOBAL_API && name.equals(assemble(m).name()));
        return assemble(e);
    }

    private Span assemble(ManualSpanEvent m) {
        return assembler.assemble(new CorrelatedEvent(m, m.header().traceId(), m.header().parentSpanId(), m.header().traceFlags(), resource));
    }

    private static long epochNanos(String instant) {
        Instant i = Instant.parse(instant);
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
