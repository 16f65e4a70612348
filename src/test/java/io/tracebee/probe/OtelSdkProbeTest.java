package io.tracebee.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.control.Instrumenter.Instrumentation;
import io.tracebee.control.ProbeState;
import io.tracebee.decode.HttpClientEvent;
import io.tracebee.decode.HttpServerEvent;
import io.tracebee.e2e.GoServer;
import io.tracebee.span.Hex;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An application with its own registered OpenTelemetry Go SDK, under this kernel's lockdown: tracebee reads the
 * SDK span's ids (nothing is written into it) and makes the automatic spans started with its context its
 * children, in the SDK's trace — the HTTP client call and, through the same-host link, the server it reaches —
 * and sampled out with it when the SDK sampled it out.
 */
class OtelSdkProbeTest {
    private static final Pattern IDS = Pattern.compile("trace=(\\p{XDigit}{32}) span=(\\p{XDigit}{16}) sampled=true");

    @RegisterExtension
    final ProbeHarness harness = new ProbeHarness();

    @Test
    void automaticSpansInAnSdkSpanAreItsChildren() throws Exception {
        try (GoServer server = GoServer.start("otelsdk-go1.26")) {
            BpfInstrumenter instrumenter = new BpfInstrumenter(Probes.ALL, harness.maps, new OffsetResolver(OffsetTable.load()));
            Instrumentation inst = instrumenter.instrument(Path.of("/proc/" + server.pid() + "/exe"), (int) server.pid(), 5);
            assertThat(inst.probes()).filteredOn(p -> p.library().equals("otel sdk")).singleElement()
                    .satisfies(p -> assertThat(p.state()).as(p.reason()).isEqualTo("attached"))
                    .extracting(ProbeState::offsetSource).isEqualTo("dwarf");

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
            }

            // a span the SDK sampled out: the calls in it are sampled out with it
            harness.events.clear();
            Matcher out = Pattern.compile("trace=(\\p{XDigit}{32}) span=(\\p{XDigit}{16}) sampled=false")
                    .matcher(server.get("/sdk?sample=0").body());
            assertThat(out.matches()).isTrue();
            HttpClientEvent outPing = (HttpClientEvent) harness.await(e -> e instanceof HttpClientEvent c && c.path().equals("/ping"));
            assertThat(Hex.encode(outPing.header().parentSpanId())).isEqualTo(out.group(2));
            assertThat(outPing.header().traceFlags() & 1).as("not sampled").isZero();
            inst.close();
        }
    }
}
