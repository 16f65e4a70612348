package io.tracebee.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.control.Instrumenter.Instrumentation;
import io.tracebee.control.ProbeState;
import io.tracebee.correlate.CorrelatedEvent;
import io.tracebee.correlate.Correlator;
import io.tracebee.decode.HttpClientEvent;
import io.tracebee.decode.HttpServerEvent;
import io.tracebee.decode.TraceAdoptEvent;
import io.tracebee.e2e.GoServer;
import io.tracebee.span.Attributes;
import io.tracebee.span.Hex;
import io.tracebee.span.Resource;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An application with its own registered OpenTelemetry Go SDK (otel/sdk v1.47.0 on Go 1.26, v1.25.0 on Go 1.23), under this kernel's lockdown: tracebee reads the
 * SDK span's ids (nothing is written into it) and makes the automatic spans started with its context its
 * children, in the SDK's trace — the HTTP client call and, through the same-host link, the server it reaches —
 * and sampled out with it when the SDK sampled it out. A request span that began its trace here takes the trace
 * id of the SDK span begun in it, so both land in one trace.
 */
class OtelSdkProbeTest {
    private static final Pattern IDS = Pattern.compile("trace=(\\p{XDigit}{32}) span=(\\p{XDigit}{16}) sampled=true");

    @RegisterExtension
    final ProbeHarness harness = new ProbeHarness();

    @ParameterizedTest
    @ValueSource(strings = {"otelsdk-go1.26", "otelsdk-go1.23-oldest", "otelsdk-go1.26-nodwarf"})
    void automaticSpansInAnSdkSpanAreItsChildren(String fixture) throws Exception {
        try (GoServer server = GoServer.start(fixture)) {
            BpfInstrumenter instrumenter = new BpfInstrumenter(Probes.ALL, harness.maps, new OffsetResolver(OffsetTable.load()));
            Instrumentation inst = instrumenter.instrument(Path.of("/proc/" + server.pid() + "/exe"), (int) server.pid(), 5);
            assertThat(inst.probes()).filteredOn(p -> p.library().equals("otel sdk")).singleElement()
                    .satisfies(p -> assertThat(p.state()).as(p.reason()).isEqualTo("attached"))
                    .extracting(ProbeState::offsetSource).isEqualTo(fixture.endsWith("-nodwarf") ? "table" : "dwarf");

            Correlator correlator = new Correlator((target, pid) -> new Resource(Attributes.builder().put("service.name", "svc").build()));
            for (int i = 0; i < 3; i++) {
                harness.events.clear();
                Matcher ids = IDS.matcher(server.get("/sdk").body());
                assertThat(ids.matches()).isTrue();
                HttpClientEvent ping = (HttpClientEvent) harness.await(e -> e instanceof HttpClientEvent c && c.path().equals("/ping"));
                HttpServerEvent pinged = (HttpServerEvent) harness.await(e -> e instanceof HttpServerEvent h && h.path().equals("/ping"));
                assertThat(Hex.encode(ping.header().parentSpanId())).as("the SDK span's child").isEqualTo(ids.group(2));
                assertThat(Hex.encode(ping.header().traceId())).as("in the SDK's trace").isEqualTo(ids.group(1));
                assertThat(pinged.header().parentSpanId()).isEqualTo(ping.header().spanId());
                assertThat(Hex.encode(pinged.header().traceId())).isEqualTo(ids.group(1));

                // the request's span began its trace here, and so did the SDK span in it: the request's trace
                // takes the SDK's id, so the automatic server span lands in the SDK's trace
                HttpServerEvent request = (HttpServerEvent) harness.await(e -> e instanceof HttpServerEvent h && h.path().equals("/sdk"));
                TraceAdoptEvent adopt = (TraceAdoptEvent) harness.await(e -> e instanceof TraceAdoptEvent);
                assertThat(adopt.header().spanId()).isEqualTo(request.header().spanId());
                assertThat(Hex.encode(adopt.traceId())).isEqualTo(ids.group(1));
                assertThat(request.header().parentSpanId()).as("a local root").isEqualTo(new byte[8]);
                List<CorrelatedEvent> placed = correlator.correlate(List.of(adopt, request));
                assertThat(placed).singleElement().satisfies(c -> assertThat(Hex.encode(c.traceId())).isEqualTo(ids.group(1)));
            }

            // a request that continues a caller's trace is no local root: it keeps the caller's trace
            harness.events.clear();
            String caller = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
            assertThat(IDS.matcher(server.get("/sdk", Map.of("traceparent", caller)).body()).matches()).isTrue();
            HttpServerEvent continued = (HttpServerEvent) harness.await(e -> e instanceof HttpServerEvent h && h.path().equals("/sdk"));
            assertThat(Hex.encode(continued.header().traceId())).isEqualTo("0af7651916cd43dd8448eb211c80319c");
            assertThat(harness.events).noneMatch(e -> e instanceof TraceAdoptEvent);

            // a span the SDK sampled out: the calls in it (the /ping call and the server it reaches) are sampled
            // out with it: counted, not sent
            harness.events.clear();
            long before = harness.maps.counter(SharedMaps.Counter.UNSAMPLED);
            Matcher out = Pattern.compile("trace=(\\p{XDigit}{32}) span=(\\p{XDigit}{16}) sampled=false")
                    .matcher(server.get("/sdk?sample=0").body());
            assertThat(out.matches()).isTrue();
            assertThat(harness.awaitUnsampled(before + 2)).isEqualTo(before + 2);
            harness.await(e -> e instanceof HttpServerEvent h && h.path().equals("/sdk"));  // the request's own span
            assertThat(harness.anyOfTrace(out.group(1))).isFalse();
            inst.close();
        }
    }
}
