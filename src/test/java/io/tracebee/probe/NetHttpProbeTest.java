package io.tracebee.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.control.Instrumenter.Instrumentation;
import io.tracebee.control.ProbeState;
import io.tracebee.decode.EventLayout;
import io.tracebee.decode.HttpClientEvent;
import io.tracebee.decode.HttpServerEvent;
import io.tracebee.decode.TcpConnection;
import io.tracebee.decode.TracedEvent;
import io.tracebee.e2e.GoServer;
import io.tracebee.probe.nethttp.NetHttpProbes;
import io.tracebee.span.Hex;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Loads and attaches the net/http server probe for real and reads its events off the ring buffer. */
class NetHttpProbeTest {
    @RegisterExtension
    final ProbeHarness harness = new ProbeHarness();
    private SharedMaps maps;
    private List<TracedEvent> events;

    @BeforeEach
    void setUp() {
        maps = harness.maps;
        events = harness.events;
    }

    @ParameterizedTest
    @ValueSource(strings = {"httpserver-go1.23", "httpserver-go1.26", "httpserver-go1.26-stripped"})
    void serverEventsCarryTheRequest(String fixture) throws Exception {
        BpfInstrumenter instrumenter = new BpfInstrumenter(List.of(NetHttpProbes.SERVER), maps,
                new OffsetResolver(OffsetTable.load()));
        try (GoServer server = GoServer.start(fixture)) {
            Instrumentation inst = instrumenter.instrument(Path.of("/proc/" + server.pid() + "/exe"), (int) server.pid(), 77);
            ProbeState state = inst.probes().get(0);
            assertThat(state.state()).as(state.reason()).isEqualTo("attached");
            assertThat(state.uprobes()).isGreaterThanOrEqualTo(2);
            assertThat(state.offsetSource()).isEqualTo(fixture.endsWith("stripped") ? "table" : "dwarf");

            server.get("/hello/7");
            server.get("/status/418");
            HttpServerEvent hello = await("/hello/7");
            assertThat(hello.header().pid()).isEqualTo((int) server.pid());
            assertThat(hello.method()).isEqualTo("GET");
            assertThat(hello.pattern()).isEqualTo("GET /hello/{id}");
            assertThat(hello.status()).isIn(0, 200);
            assertThat(hello.remoteAddr()).startsWith("127.0.0.1:");
            assertThat(hello.host()).isEqualTo(server.address());
            assertThat(hello.protoMajor()).isEqualTo(1);
            assertThat(hello.protoMinor()).isEqualTo(1);
            assertThat(hello.header().endNs()).isGreaterThan(hello.header().startNs());
            assertThat(hello.header().goroutine()).isNotZero();
            assertThat(hello.header().target()).as("the uprobe cookie").isEqualTo(77);
            assertThat(await("/status/418").status()).isEqualTo(418);

            inst.close();
            int before = events.size();
            server.get("/hello/after-close");
            Thread.sleep(300);
            assertThat(events).hasSize(before);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"httpserver-go1.23", "httpserver-go1.26-stripped"})
    void clientCallsAreChildrenOfTheHandlersServerSpan(String fixture) throws Exception {
        BpfInstrumenter instrumenter = new BpfInstrumenter(Probes.ALL, maps, new OffsetResolver(OffsetTable.load()));
        try (GoServer server = GoServer.start(fixture)) {
            Instrumentation inst = instrumenter.instrument(Path.of("/proc/" + server.pid() + "/exe"), (int) server.pid(), 5);
            assertThat(inst.probes()).allSatisfy(p -> assertThat(p.state()).as(p.reason()).isEqualTo("attached"));

            server.get("/call?url=http://" + server.address() + "/hello/inner");
            HttpServerEvent outer = await("/call");
            HttpServerEvent inner = await("/hello/inner");
            HttpClientEvent client = (HttpClientEvent) awaitEvent(e -> e instanceof HttpClientEvent);
            assertThat(client.method()).isEqualTo("GET");
            assertThat(client.scheme()).isEqualTo("http");
            assertThat(client.host()).isEqualTo(server.address());
            assertThat(client.path()).isEqualTo("/hello/inner");
            assertThat(client.status()).isEqualTo(200);
            assertThat(client.transportError()).isFalse();
            assertThat(client.header().goroutine()).isEqualTo(outer.header().goroutine());
            assertThat(client.header().traceId()).isEqualTo(outer.header().traceId());
            assertThat(client.header().parentSpanId()).isEqualTo(outer.header().spanId());
            assertThat(outer.header().parentSpanId()).isEqualTo(new byte[8]);
            // the inner request came over loopback from a traced client: linked in the kernel by connection
            assertThat(inner.header().parentSpanId()).as("server span's parent = the client span that sent it")
                    .isEqualTo(client.header().spanId());
            assertThat(inner.header().traceId()).isEqualTo(outer.header().traceId());
            assertThat(inner.header().parentOrigin()).isEqualTo(EventLayout.ORIGIN_CONN);
            assertThat(outer.header().parentOrigin()).isEqualTo(EventLayout.ORIGIN_LOCAL);
            TcpConnection out = client.connection();
            TcpConnection in = inner.connection();
            assertThat(out).as("client connection read from the socket").isNotNull();
            assertThat(in).as("server connection read from the socket").isNotNull();
            assertThat(out.peerPort()).isEqualTo(in.localPort());
            assertThat(out.localPort()).isEqualTo(in.peerPort());
            assertThat(out.localAddress()).isEqualTo("127.0.0.1");
            assertThat(in.peerAddress()).isEqualTo("127.0.0.1");
            assertThat(out.inode()).as("two sockets, one per end").isNotEqualTo(in.inode());
            assertThat(out.netns()).isEqualTo(in.netns()).isNotZero();
            assertThat(maps.counter(SharedMaps.Counter.LINK_MATCHED)).isPositive();

            // from a goroutine the handler starts: still the handler's child
            events.clear();
            server.get("/callasync?url=http://" + server.address() + "/hello/async");
            HttpServerEvent asyncOuter = await("/callasync");
            HttpClientEvent asyncClient = (HttpClientEvent) awaitEvent(e -> e instanceof HttpClientEvent);
            assertThat(asyncClient.header().goroutine()).as("another goroutine").isNotEqualTo(asyncOuter.header().goroutine());
            assertThat(asyncClient.header().traceId()).isEqualTo(asyncOuter.header().traceId());
            assertThat(asyncClient.header().parentSpanId()).isEqualTo(asyncOuter.header().spanId());

            // a later request on a reused goroutine must not inherit the finished request's span
            events.clear();
            server.get("/call?url=http://" + server.address() + "/hello/again");
            HttpServerEvent again = await("/call");
            HttpClientEvent againClient = (HttpClientEvent) awaitEvent(e -> e instanceof HttpClientEvent);
            assertThat(again.header().parentSpanId()).isEqualTo(new byte[8]);
            assertThat(again.header().traceId()).isNotEqualTo(asyncOuter.header().traceId());
            assertThat(againClient.header().parentSpanId()).isEqualTo(again.header().spanId());

            // a worker goroutine that predates the request, handed a context derived from the request's
            events.clear();
            server.get("/pool?url=http://" + server.address() + "/hello/pooled");
            HttpServerEvent pool = await("/pool");
            HttpClientEvent pooled = (HttpClientEvent) awaitEvent(e -> e instanceof HttpClientEvent);
            assertThat(pooled.path()).isEqualTo("/hello/pooled");
            assertThat(pooled.header().goroutine()).isNotEqualTo(pool.header().goroutine());
            assertThat(pooled.header().traceId()).as("found up the context chain").isEqualTo(pool.header().traceId());
            assertThat(pooled.header().parentSpanId()).isEqualTo(pool.header().spanId());
            // the same worker with the next request's context: that request's child, not the previous one's
            events.clear();
            server.get("/pool?url=http://" + server.address() + "/hello/pooled-again");
            HttpServerEvent poolAgain = await("/pool");
            HttpClientEvent pooledAgain = (HttpClientEvent) awaitEvent(e -> e instanceof HttpClientEvent);
            assertThat(pooledAgain.header().parentSpanId()).isEqualTo(poolAgain.header().spanId());
            assertThat(pooledAgain.header().traceId()).isNotEqualTo(pool.header().traceId());

            events.clear();
            server.get("/call?url=http://127.0.0.1:1/refused");
            HttpClientEvent refused = (HttpClientEvent) awaitEvent(e -> e instanceof HttpClientEvent);
            assertThat(refused.transportError()).isTrue();
            assertThat(refused.status()).isZero();
            assertThat(refused.connection()).as("never connected").isNull();
            assertThat(maps.pendingLinks()).as("every offer was taken or withdrawn").isZero();
            inst.close();
        }
    }

    /**
     * Under lockdown, outgoing requests still carry the client span as W3C traceparent: written by the
     * sk_msg program into the bytes on the wire, not into the process. The callee here is an untraced
     * server that reports what it received. Large headers and bodies arrive intact; a traceparent the
     * application set itself is left alone.
     */
    @Test
    void outgoingRequestsCarryTheClientSpanAsTraceparent() throws Exception {
        HeaderInjection.Status injection = HeaderInjection.start(maps);
        assertThat(injection.on()).as(injection.description()).isTrue();
        BpfInstrumenter instrumenter = new BpfInstrumenter(Probes.ALL, maps, new OffsetResolver(OffsetTable.load()));
        try (GoServer a = GoServer.start("httpserver-go1.26"); GoServer b = GoServer.start("httpserver-go1.23")) {
            Instrumentation inst = instrumenter.instrument(Path.of("/proc/" + a.pid() + "/exe"), (int) a.pid(), 5);
            assertThat(inst.probes()).allSatisfy(p -> assertThat(p.state()).as(p.reason()).isEqualTo("attached"));
            String inspect = "/fetch?url=http://" + b.address() + "/inspect";

            for (int i = 0; i < 20; i++) { // keep-alive: one connection, many requests
                events.clear();
                String body = a.get(inspect).body();
                HttpClientEvent client = (HttpClientEvent) awaitEvent(e -> e instanceof HttpClientEvent);
                assertThat(body).startsWith("tp=00-" + Hex.encode(client.header().traceId()) + "-"
                        + Hex.encode(client.header().spanId()) + "-01;len=0;");
            }
            assertThat(maps.counter(SharedMaps.Counter.INJECT_DONE)).isEqualTo(20);

            events.clear();
            String big = a.get(inspect + "&pad=10000&size=1048576").body();
            HttpClientEvent bigClient = (HttpClientEvent) awaitEvent(e -> e instanceof HttpClientEvent);
            String sha = Hex.encode(java.security.MessageDigest.getInstance("SHA-256").digest("a".repeat(1 << 20).getBytes()));
            assertThat(big).startsWith("tp=00-" + Hex.encode(bigClient.header().traceId()) + "-"
                    + Hex.encode(bigClient.header().spanId()) + "-01;len=1048576;sha=" + sha + ";peer=");

            String own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
            assertThat(a.get(inspect + "&traceparent=" + own).body()).startsWith("tp=" + own + ";");
            assertThat(maps.counter(SharedMaps.Counter.INJECT_EXISTING)).isEqualTo(1);
            assertThat(maps.counter(SharedMaps.Counter.INJECT_DONE)).isEqualTo(21);
            assertThat(maps.counter(SharedMaps.Counter.INJECT_FAILED)).isZero();

            // the agent goes away: the sockhash is freed, the pooled connection keeps working, untouched
            String peer = peer(a.get(inspect).body());
            injection.injection().orElseThrow().close();
            String after = a.get(inspect).body();
            assertThat(after).startsWith("tp=;");
            assertThat(peer(after)).as("the same connection").isEqualTo(peer);
            inst.close();
        }
    }

    /**
     * Attached to a running service whose client already holds a keep-alive connection: that pooled
     * connection is adopted at attach, so its next request carries the header too.
     */
    @Test
    void aRunningServicesPooledConnectionGetsHeadersAfterAttach() throws Exception {
        try (GoServer a = GoServer.start("httpserver-go1.26"); GoServer b = GoServer.start("httpserver-go1.23")) {
            String inspect = "/fetch?url=http://" + b.address() + "/inspect";
            String before = a.get(inspect).body();
            assertThat(before).startsWith("tp=;");

            HeaderInjection.Status injection = HeaderInjection.start(maps);
            assertThat(injection.on()).as(injection.description()).isTrue();
            BpfInstrumenter instrumenter = new BpfInstrumenter(Probes.ALL, maps, new OffsetResolver(OffsetTable.load()));
            Instrumentation inst = instrumenter.instrument(Path.of("/proc/" + a.pid() + "/exe"), (int) a.pid(), 5);

            String after = a.get(inspect).body();
            HttpClientEvent client = (HttpClientEvent) awaitEvent(e -> e instanceof HttpClientEvent);
            assertThat(peer(after)).as("the same pooled connection").isEqualTo(peer(before));
            assertThat(after).startsWith("tp=00-" + Hex.encode(client.header().traceId()) + "-"
                    + Hex.encode(client.header().spanId()) + "-01;");
            inst.close();
        }
    }

    private static String peer(String inspectBody) {
        return inspectBody.substring(inspectBody.indexOf(";peer=") + 6);
    }

    /** Without kernel reads (lockdown=confidentiality) the probes still load and trace; only socket data is missing. */
    @Test
    void withoutKernelReadsSpansLackOnlyTheConnection() throws Exception {
        BpfInstrumenter instrumenter = new BpfInstrumenter(Probes.ALL, maps.withoutKernelReads(),
                new OffsetResolver(OffsetTable.load()));
        try (GoServer server = GoServer.start("httpserver-go1.26")) {
            Instrumentation inst = instrumenter.instrument(Path.of("/proc/" + server.pid() + "/exe"), (int) server.pid(), 5);
            assertThat(inst.probes()).allSatisfy(p -> assertThat(p.state()).as(p.reason()).isEqualTo("attached"));
            server.get("/call?url=http://" + server.address() + "/hello/no-reads");
            HttpServerEvent outer = await("/call");
            HttpServerEvent inner = await("/hello/no-reads");
            HttpClientEvent client = (HttpClientEvent) awaitEvent(e -> e instanceof HttpClientEvent);
            assertThat(client.header().parentSpanId()).isEqualTo(outer.header().spanId());
            assertThat(outer.connection()).isNull();
            assertThat(client.connection()).isNull();
            assertThat(inner.header().parentSpanId()).as("no same-host link without the socket").isEqualTo(new byte[8]);
            inst.close();
        }
    }

    /**
     * A request's W3C traceparent is continued: read from http.Header in the kernel, both map layouts
     * (buckets before go1.24, Swiss tables after), small maps (one group) and large ones (tables of
     * several groups), sampled flag kept, tracestate carried, malformed values ignored and counted.
     */
    @ParameterizedTest
    @ValueSource(strings = {"httpserver-go1.23", "httpserver-go1.24", "httpserver-go1.26-stripped"})
    void incomingTraceparentIsContinued(String fixture) throws Exception {
        BpfInstrumenter instrumenter = new BpfInstrumenter(Probes.ALL, maps, new OffsetResolver(OffsetTable.load()));
        try (GoServer server = GoServer.start(fixture)) {
            Instrumentation inst = instrumenter.instrument(Path.of("/proc/" + server.pid() + "/exe"), (int) server.pid(), 5);
            assertThat(inst.probes()).allSatisfy(p -> assertThat(p.state()).as(p.reason()).isEqualTo("attached"));

            server.get("/hello/small", Map.of(
                    "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                    "tracestate", "vendor=abc,other=x"));
            HttpServerEvent small = await("/hello/small");
            assertThat(Hex.encode(small.header().traceId())).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
            assertThat(Hex.encode(small.header().parentSpanId())).isEqualTo("00f067aa0ba902b7");
            assertThat(small.header().parentOrigin()).isEqualTo(EventLayout.ORIGIN_HEADER);
            assertThat(small.header().traceFlags()).isEqualTo(1);
            assertThat(small.traceState()).isEqualTo("vendor=abc,other=x");

            // 40 more headers: a Swiss map of several groups in a table; 8 buckets before go1.24
            Map<String, String> many = new HashMap<>();
            for (int i = 0; i < 40; i++) {
                many.put("X-Filler-" + i, "value-" + i);
            }
            many.put("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03");
            server.get("/hello/large", many);
            HttpServerEvent large = await("/hello/large");
            assertThat(Hex.encode(large.header().traceId())).isEqualTo("0af7651916cd43dd8448eb211c80319c");
            assertThat(Hex.encode(large.header().parentSpanId())).isEqualTo("b7ad6b7169203331");
            assertThat(large.header().traceFlags()).as("the caller's flags, random bit too").isEqualTo(3);
            assertThat(large.traceState()).isEmpty();

            // a caller that sampled its trace out: the span is tracked but not sent (the kernel counts it)
            long before = maps.counter(SharedMaps.Counter.UNSAMPLED);
            server.get("/hello/unsampled", Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (maps.counter(SharedMaps.Counter.UNSAMPLED) == before && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(maps.counter(SharedMaps.Counter.UNSAMPLED)).isEqualTo(before + 1);
            assertThat(events).noneMatch(e -> e instanceof HttpServerEvent h && h.path().equals("/hello/unsampled"));

            // the handler's own client call stays in the caller's trace
            server.get("/call?url=http://" + server.address() + "/hello/x", Map.of(
                    "traceparent", "00-11111111111111111111111111111111-2222222222222222-01"));
            HttpServerEvent call = await("/call");
            HttpClientEvent client = (HttpClientEvent) awaitEvent(e -> e instanceof HttpClientEvent);
            assertThat(Hex.encode(client.header().traceId())).isEqualTo("11111111111111111111111111111111");
            assertThat(client.header().parentSpanId()).isEqualTo(call.header().spanId());

            long bad = maps.counter(SharedMaps.Counter.TRACEPARENT_BAD);
            for (String malformed : List.of(
                    "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // uppercase
                    "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // zero trace id
                    "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // zero span id
                    "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // forbidden version
                    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x", // version 00 with extra
                    "00-4bf92f3577b34da6a3ce929d0e0e4736")) {                   // short
                events.clear();
                server.get("/hello/bad", Map.of("traceparent", malformed));
                HttpServerEvent e = await("/hello/bad");
                assertThat(e.header().parentSpanId()).as(malformed).isEqualTo(new byte[8]);
                assertThat(e.header().parentOrigin()).isEqualTo(EventLayout.ORIGIN_LOCAL);
                assertThat(Hex.encode(e.header().traceId())).isNotEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
            }
            assertThat(maps.counter(SharedMaps.Counter.TRACEPARENT_BAD) - bad).isEqualTo(6);

            // a later version may carry more fields: read as version 00
            server.get("/hello/future", Map.of("traceparent",
                    "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future"));
            assertThat(Hex.encode(await("/hello/future").header().parentSpanId())).isEqualTo("00f067aa0ba902b7");
            inst.close();
        }
    }

    private TracedEvent awaitEvent(java.util.function.Predicate<TracedEvent> match) throws InterruptedException {
        return harness.await(match);
    }

    private HttpServerEvent await(String path) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            for (TracedEvent e : events) {
                if (e instanceof HttpServerEvent h && h.path().equals(path)) {
                    return h;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no event for " + path + "; got " + events);
    }
}
