package io.tracebee.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.config.Sampler;
import io.tracebee.control.Instrumenter.Instrumentation;
import io.tracebee.decode.HttpServerEvent;
import io.tracebee.e2e.GoServer;
import io.tracebee.span.Hex;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Each sampler decides in the kernel, where a trace enters the process: a new root by the root sampler; a
 * caller's traceparent followed by the parent-based samplers only; spans inside the process with their parent.
 * A sampled-out span is never sent — the kernel counts it — yet its context still goes out: every decision is
 * read here from the traceparent the traced server's outgoing call carried to an untraced one.
 */
class SamplingProbeTest {
    private static final String SAMPLED = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private static final String UNSAMPLED = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";
    private static final Pattern TP = Pattern.compile("tp=00-(\\p{XDigit}{32})-\\p{XDigit}{16}-(\\p{XDigit}{2});");

    @RegisterExtension
    final ProbeHarness harness = new ProbeHarness();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private GoServer sink;

    @BeforeEach
    void untracedSinkAndInjection() {
        HeaderInjection.Status injection = HeaderInjection.start(harness.maps);
        assertThat(injection.on()).as(injection.description()).isTrue();
        resources.add(injection.injection().get()::close);
        sink = GoServer.start("httpserver-go1.26");
        resources.add(sink);
    }

    @AfterEach
    void close() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @Test
    void alwaysOffSamplesNewTracesOutButFollowsASampledCallerWhenParentBased() throws Exception {
        GoServer server = attached(Sampler.parse("parentbased_always_off", null));
        long before = unsampled();
        Decision root = call(server, Map.of());
        assertThat(root.sampled).as("a new root").isFalse();
        assertThat(call(server, Map.of("traceparent", SAMPLED)).sampled).isTrue();
        assertThat(unsampled() - before).as("the root's server and client spans, counted, not sent").isEqualTo(2);
        assertThat(harness.anyOfTrace(root.traceId)).isFalse();
    }

    @Test
    void aSamplerThatIsNotParentBasedDecidesForCallersToo() throws Exception {
        GoServer off = attached(Sampler.parse("always_off", null));
        assertThat(call(off, Map.of("traceparent", SAMPLED)).sampled).isFalse();
        GoServer on = attached(Sampler.parse("always_on", null));
        assertThat(call(on, Map.of("traceparent", UNSAMPLED)).sampled).isTrue();
    }

    @Test
    void theRatioSamplerDecidesOnTheTraceIdAsTheGoSdkDoes() throws Exception {
        Sampler half = Sampler.parse("traceidratio", "0.5");
        GoServer server = attached(half);
        int sampled = 0;
        for (int i = 0; i < 100; i++) {
            Decision d = call(server, Map.of());
            assertThat(d.sampled).as("trace %s", d.traceId).isEqualTo(half.samples(Hex.decode(d.traceId)));
            sampled += d.sampled ? 1 : 0;
        }
        assertThat(sampled).isBetween(25, 75);
        Decision caller = call(server, Map.of("traceparent", UNSAMPLED));
        assertThat(caller.sampled).as("not parent-based: the caller's trace id decides")
                .isEqualTo(half.samples(Hex.decode("0af7651916cd43dd8448eb211c80319c")));
    }

    private record Decision(String traceId, boolean sampled) {
    }

    /** A request whose handler calls the untraced sink: the decision as its traceparent says, and as sent. */
    private Decision call(GoServer server, Map<String, String> headers) throws InterruptedException {
        harness.events.clear();
        String body = server.get("/fetch?url=http://" + sink.address() + "/inspect", headers).body();
        Matcher m = TP.matcher(body);
        assertThat(m.find()).as(body).isTrue();
        Decision d = new Decision(m.group(1), (Integer.parseInt(m.group(2), 16) & 1) == 1);
        if (d.sampled) {
            HttpServerEvent e = (HttpServerEvent) harness.await(t -> t instanceof HttpServerEvent h && h.path().equals("/fetch"));
            assertThat(Hex.encode(e.header().traceId())).isEqualTo(d.traceId);
        }
        return d;
    }

    private long unsampled() {
        return harness.maps.counter(SharedMaps.Counter.UNSAMPLED);
    }

    private GoServer attached(Sampler sampler) {
        harness.maps.sampler(sampler);
        GoServer server = GoServer.start("httpserver-go1.26");
        resources.add(server);
        BpfInstrumenter instrumenter = new BpfInstrumenter(Probes.ALL, harness.maps, new OffsetResolver(OffsetTable.load()));
        Instrumentation inst = instrumenter.instrument(Path.of("/proc/" + server.pid() + "/exe"), (int) server.pid(), 5);
        resources.add(inst);
        return server;
    }
}
