package io.tracebee.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.bpf.BpfTestSupport;
import io.tracebee.control.Instrumenter.Instrumentation;
import io.tracebee.control.ProbeState;
import io.tracebee.decode.EventDecoder;
import io.tracebee.decode.HttpClientEvent;
import io.tracebee.decode.HttpServerEvent;
import io.tracebee.decode.TracedEvent;
import io.tracebee.e2e.GoServer;
import io.tracebee.probe.nethttp.NetHttpProbes;
import io.tracebee.ringbuf.RingBufferSource;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Loads and attaches the net/http server probe for real and reads its events off the ring buffer. */
class NetHttpProbeTest {
    private SharedMaps maps;
    private RingBufferSource source;
    private final List<TracedEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        BpfTestSupport.assumeBpf();
        maps = SharedMaps.create(1 << 20);
        source = RingBufferSource.open(maps.ringBufferFd(), RingBufferSource.Options.defaults());
        EventDecoder decoder = new EventDecoder();
        source.batches().subscribe().with(b -> {
            events.addAll(decoder.decode(b.data(), b.offsets(), b.lengths(), b.count()));
            b.release();
        });
        source.start();
    }

    @AfterEach
    void tearDown() {
        if (source != null) {
            source.close();
        }
        if (maps != null) {
            maps.close();
        }
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
            assertThat(inner.header().parentSpanId()).as("cross-process linking is not done in the kernel")
                    .isEqualTo(new byte[8]);

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

            events.clear();
            server.get("/call?url=http://127.0.0.1:1/refused");
            HttpClientEvent refused = (HttpClientEvent) awaitEvent(e -> e instanceof HttpClientEvent);
            assertThat(refused.transportError()).isTrue();
            assertThat(refused.status()).isZero();
            inst.close();
        }
    }

    private TracedEvent awaitEvent(java.util.function.Predicate<TracedEvent> match) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            for (TracedEvent e : events) {
                if (match.test(e)) {
                    return e;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no matching event; got " + events);
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
