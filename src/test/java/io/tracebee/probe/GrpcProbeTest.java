package io.tracebee.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.control.Instrumenter.Instrumentation;
import io.tracebee.control.ProbeState;
import io.tracebee.decode.EventLayout;
import io.tracebee.decode.GrpcEvent;
import io.tracebee.decode.HttpClientEvent;
import io.tracebee.decode.HttpServerEvent;
import io.tracebee.decode.TracedEvent;
import io.tracebee.e2e.GoServer;
import io.tracebee.span.Hex;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gRPC probes on a real Go service ({@code src/test/go/grpcserver}) calling its own gRPC server: client
 * and server spans with their status, the server's parent from incoming metadata or — under lockdown, where
 * nothing is written into the calls — from the same-host link by (connection, stream id), also for calls
 * multiplexed on one connection; the handler's own calls as the server span's children; an RPC nested in an
 * RPC by a client interceptor; streaming calls from NewStream to the stream's end, through a client stream
 * interceptor that wraps every stream. Newest grpc (v1.85.0, Go 1.26), v1.76.0 (Go 1.25) and v1.68.1 (Go 1.23, 1.26):
 * the three layouts of handleStream's stream and both loopy-writer hooks.
 */
class GrpcProbeTest {
    private static final String ECHO = "/tracebee.test.Echo/";

    @RegisterExtension
    final ProbeHarness harness = new ProbeHarness();

    private Instrumentation attach(GoServer server) {
        BpfInstrumenter instrumenter = new BpfInstrumenter(Probes.ALL, harness.maps, new OffsetResolver(OffsetTable.load()));
        Instrumentation inst = instrumenter.instrument(Path.of("/proc/" + server.pid() + "/exe"), (int) server.pid(), 5);
        assertThat(inst.probes()).extracting(ProbeState::library).contains("grpc server", "grpc client");
        assertThat(inst.probes()).allSatisfy(p -> assertThat(p.state()).as(p.library() + ": " + p.reason()).isEqualTo("attached"));
        return inst;
    }

    @ParameterizedTest
    @ValueSource(strings = {"grpcserver-go1.26", "grpcserver-go1.25-mid", "grpcserver-go1.23-oldest", "grpcserver-go1.26-oldest"})
    void unaryCallsOnBothSides(String fixture) throws Exception {
        try (GoServer server = GoServer.start(fixture)) {
            Instrumentation inst = attach(server);
            String grpcAddr = server.get("/grpc-addr").body();
            int grpcPort = Integer.parseInt(grpcAddr.substring(grpcAddr.lastIndexOf(':') + 1));
            long matched = harness.maps.counter(SharedMaps.Counter.LINK_MATCHED);

            assertThat(server.get("/call?method=Echo&value=hi").body()).isEqualTo("code=0 value=hi");
            HttpServerEvent call = http("/call");
            GrpcEvent client = client(ECHO + "Echo");
            GrpcEvent srv = server(ECHO + "Echo");
            assertThat(client.status()).isZero();
            assertThat(client.stream()).isFalse();
            assertThat(client.authority()).isEqualTo(grpcAddr);
            assertThat(client.header().parentSpanId()).as("the handler's child").isEqualTo(call.header().spanId());
            assertThat(client.header().traceId()).isEqualTo(call.header().traceId());
            assertThat(client.connection()).isNotNull();
            assertThat(client.connection().peerPort()).isEqualTo(grpcPort);
            assertThat(client.streamId()).isOdd();
            assertThat(srv.status()).isZero();
            assertThat(srv.authority()).isEqualTo(grpcAddr);
            assertThat(srv.connection().localPort()).isEqualTo(grpcPort);
            assertThat(srv.connection().peerPort()).isEqualTo(client.connection().localPort());
            assertThat(srv.streamId()).isEqualTo(client.streamId());
            assertLinked(srv, client);
            assertThat(harness.maps.counter(SharedMaps.Counter.LINK_MATCHED)).isGreaterThan(matched);

            harness.events.clear();
            assertThat(server.get("/call?method=Fail&value=x").body()).isEqualTo("code=5 no such thing: x");
            GrpcEvent failed = client(ECHO + "Fail");
            GrpcEvent failedServer = server(ECHO + "Fail");
            assertThat(failed.status()).isEqualTo(5);
            assertThat(failed.message()).isEqualTo("no such thing: x");
            assertThat(failed.foreignError()).isFalse();
            assertThat(failedServer.status()).isEqualTo(5);
            assertThat(failedServer.message()).isEqualTo("no such thing: x");
            assertLinked(failedServer, failed);

            harness.events.clear();
            assertThat(server.get("/call?method=Nope").body()).startsWith("code=12 ");
            assertThat(client(ECHO + "Nope").status()).isEqualTo(12);
            GrpcEvent unknown = server(ECHO + "Nope");
            assertThat(unknown.status()).as("UNIMPLEMENTED").isEqualTo(12);
            assertLinked(unknown, client(ECHO + "Nope"));

            // metadata wins over the link: the server continues the caller's trace
            harness.events.clear();
            String tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
            assertThat(server.get("/call?method=Echo&value=tp&tp=" + tp + "&ts=vendor%3Dvalue").body()).isEqualTo("code=0 value=tp");
            GrpcEvent continued = server(ECHO + "Echo");
            assertThat(Hex.encode(continued.header().traceId())).isEqualTo("0af7651916cd43dd8448eb211c80319c");
            assertThat(Hex.encode(continued.header().parentSpanId())).isEqualTo("b7ad6b7169203331");
            assertThat(continued.header().parentOrigin()).isEqualTo(EventLayout.ORIGIN_HEADER);
            assertThat(continued.traceState()).isEqualTo("vendor=value");

            // the handler's own HTTP call is the server span's child, through the stream's context
            harness.events.clear();
            String ping = "http://" + server.address() + "/ping";
            assertThat(server.get("/call?method=Fetch&value=" + ping).body()).isEqualTo("code=0 value=pong");
            GrpcEvent fetch = server(ECHO + "Fetch");
            HttpClientEvent fetchCall = (HttpClientEvent) harness.await(e -> e instanceof HttpClientEvent h && h.path().equals("/ping"));
            HttpServerEvent pingServed = http("/ping");
            assertThat(fetchCall.header().parentSpanId()).isEqualTo(fetch.header().spanId());
            assertThat(fetchCall.header().traceId()).isEqualTo(fetch.header().traceId());
            assertThat(pingServed.header().parentSpanId()).isEqualTo(fetchCall.header().spanId());
            assertLinked(fetch, client(ECHO + "Fetch"));

            // an RPC an interceptor makes inside an RPC: a child of the enclosing call, on both sides
            harness.events.clear();
            assertThat(server.get("/call?method=Echo&value=n&nest=1").body()).isEqualTo("code=0 value=n");
            GrpcEvent outer = client(ECHO + "Echo");
            GrpcEvent nested = client("/grpc.health.v1.Health/Check");
            assertThat(nested.header().parentSpanId()).isEqualTo(outer.header().spanId());
            assertThat(nested.header().traceId()).isEqualTo(outer.header().traceId());
            assertThat(outer.header().parentSpanId()).isEqualTo(http("/call").header().spanId());
            assertLinked(server("/grpc.health.v1.Health/Check"), nested);
            assertLinked(server(ECHO + "Echo"), outer);

            assertThat(harness.maps.pendingLinks()).as("every offer was taken or withdrawn").isZero();
            inst.close();
        }
    }

    /**
     * The key case for stream ids: eight calls in flight at once on one connection, each server span the child
     * of exactly its own client span (the methods C0..C7 tell the calls apart without the probes' help).
     */
    @ParameterizedTest
    @ValueSource(strings = {"grpcserver-go1.26", "grpcserver-go1.25-mid", "grpcserver-go1.23-oldest"})
    void multiplexedCallsEachGetTheirOwnParent(String fixture) throws Exception {
        try (GoServer server = GoServer.start(fixture)) {
            Instrumentation inst = attach(server);
            server.get("/call?method=Echo&value=warm-up"); // the connection exists before the burst
            harness.events.clear();
            assertThat(server.get("/concurrent?n=8").body()).isEqualTo("ok");
            HttpServerEvent handler = http("/concurrent");
            Set<Long> inodes = new HashSet<>();
            Set<Long> streams = new HashSet<>();
            for (int i = 0; i < 8; i++) {
                GrpcEvent client = client(ECHO + "C" + i);
                GrpcEvent srv = server(ECHO + "C" + i);
                assertThat(client.header().parentSpanId()).isEqualTo(handler.header().spanId());
                assertLinked(srv, client);
                inodes.add(client.connection().inode());
                streams.add(srv.streamId());
            }
            assertThat(inodes).as("one connection").hasSize(1);
            assertThat(streams).as("eight streams").hasSize(8);
            assertThat(harness.maps.pendingLinks()).isZero();
            inst.close();
        }
    }

    /**
     * Streaming calls: the client span runs from NewStream to the stream's end — the server's trailers read, a
     * failure, or a cancel grpc's watcher goroutine carries out — through the fixture's stream interceptor, which
     * hands the application its own wrapper instead of grpc's stream.
     */
    @ParameterizedTest
    @ValueSource(strings = {"grpcserver-go1.26", "grpcserver-go1.25-mid", "grpcserver-go1.23-oldest"})
    void streamingCallsEndWhenTheStreamEnds(String fixture) throws Exception {
        try (GoServer server = GoServer.start(fixture)) {
            Instrumentation inst = attach(server);
            String grpcAddr = server.get("/grpc-addr").body();

            assertThat(server.get("/stream?method=Chat&n=3&value=m").body()).isEqualTo("code=0 count=3");
            HttpServerEvent handler = http("/stream");
            GrpcEvent client = client(ECHO + "Chat");
            GrpcEvent srv = server(ECHO + "Chat");
            assertThat(client.stream()).isTrue();
            assertThat(client.status()).as("io.EOF is a normal end").isZero();
            assertThat(client.authority()).isEqualTo(grpcAddr);
            assertThat(client.header().parentSpanId()).isEqualTo(handler.header().spanId());
            assertThat(client.streamId()).isOdd().isEqualTo(srv.streamId());
            assertThat(srv.status()).isZero();
            assertLinked(srv, client);
            assertThat(client.header().startNs()).isLessThan(srv.header().startNs());
            assertThat(client.header().endNs()).as("the client reads the trailers after the handler returned")
                    .isGreaterThan(srv.header().endNs());
            assertThat(client.header().endNs()).isLessThan(handler.header().endNs());

            harness.events.clear();
            assertThat(server.get("/stream?method=ChatFail&n=1&value=f").body()).isEqualTo("code=5 count=0");
            GrpcEvent failed = client(ECHO + "ChatFail");
            assertThat(failed.stream()).isTrue();
            assertThat(failed.status()).isEqualTo(5);
            assertThat(failed.message()).isEqualTo("no such thing: f0");
            assertLinked(server(ECHO + "ChatFail"), failed);

            // cancelled after the first answer: the stream ends on grpc's watcher goroutine, not the caller's
            harness.events.clear();
            assertThat(server.get("/stream?method=Chat&n=2&value=c&cancel=1").body()).isEqualTo("code=1 count=1");
            GrpcEvent cancelled = client(ECHO + "Chat");
            HttpServerEvent cancelHandler = http("/stream");
            assertThat(cancelled.status()).as("CANCELLED").isEqualTo(1);
            assertThat(cancelled.header().parentSpanId()).isEqualTo(cancelHandler.header().spanId());
            assertThat(cancelled.header().goroutine()).isNotEqualTo(cancelHandler.header().goroutine());
            assertLinked(server(ECHO + "Chat"), cancelled);

            // unary calls pass through the same stream code: still one span each, none of them a stream
            harness.events.clear();
            assertThat(server.get("/call?method=Echo&value=u").body()).isEqualTo("code=0 value=u");
            assertThat(client(ECHO + "Echo").stream()).isFalse();
            Thread.sleep(200);
            assertThat(harness.events).filteredOn(e -> e instanceof GrpcEvent g && !g.server()).hasSize(1);

            assertThat(harness.maps.pendingLinks()).as("every offer was taken or withdrawn").isZero();
            inst.close();
        }
    }

    /**
     * Under lockdown, an outgoing call still carries its client span as {@code traceparent} metadata: the sk_msg
     * program appends an HPACK field to the stream's HEADERS frame on the wire. The callee here is an untraced
     * process (no same-host link can help) that answers the traceparent metadata it received. Two clients: one
     * attached before it dialled (frames followed from the connection preface), one that already held its
     * connection (frames followed from the first message whose frames chain to its end). A 1 MiB request in
     * between, whose DATA frames cross writes, leaves the framing in step; a traceparent the application set is
     * left alone; a HEADERS frame with no room for it below 16384 bytes (or one split into CONTINUATION) goes out
     * untouched.
     */
    @Test
    void outgoingCallsCarryTraceparentInTheirHeadersFrame() throws Exception {
        HeaderInjection.Status injection = HeaderInjection.start(harness.maps);
        assertThat(injection.on()).as(injection.description()).isTrue();
        try (GoServer callee = GoServer.start("grpcserver-go1.23-oldest")) {
            String upstream = callee.get("/grpc-addr").body();
            try (GoServer dialled = GoServer.start("grpcserver-go1.26", "-upstream", upstream);
                    GoServer connected = GoServer.start("grpcserver-go1.25-mid", "-upstream", upstream)) {
                assertThat(connected.get("/call?method=Headers&value=x").body()).isEqualTo("code=0 value=tp=");
                Instrumentation a = attach(dialled);
                Instrumentation b = attach(connected);
                for (GoServer caller : List.of(dialled, connected)) {
                    for (int i = 0; i < 5; i++) {
                        harness.events.clear();
                        String body = caller.get("/call?method=Headers&value=x").body();
                        assertThat(body).as(counters()).isEqualTo("code=0 value=tp=" + traceparent(client(ECHO + "Headers")));
                    }
                    harness.events.clear();
                    assertThat(caller.get("/call?method=Headers&size=1048576").body())
                            .isEqualTo("code=0 value=tp=" + traceparent(client(ECHO + "Headers")));
                    harness.events.clear();
                    assertThat(caller.get("/call?method=Headers&value=after").body())
                            .isEqualTo("code=0 value=tp=" + traceparent(client(ECHO + "Headers")));
                }
                long done = harness.maps.counter(SharedMaps.Counter.INJECT_DONE);
                assertThat(done).isEqualTo(14);

                String own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
                assertThat(dialled.get("/call?method=Headers&value=x&tp=" + own).body()).isEqualTo("code=0 value=tp=" + own);
                assertThat(harness.maps.counter(SharedMaps.Counter.INJECT_EXISTING)).isEqualTo(1);

                assertThat(dialled.get("/call?method=Headers&value=x&pad=16300").body()).isEqualTo("code=0 value=tp=");
                assertThat(harness.maps.counter(SharedMaps.Counter.INJECT_FAILED)).as("no room in the frame").isEqualTo(1);
                assertThat(dialled.get("/call?method=Echo&value=still").body()).as("the connection is intact")
                        .isEqualTo("code=0 value=still");
                client(ECHO + "Echo"); // every earlier call's span is in before the next is looked for
                harness.events.clear();
                assertThat(dialled.get("/call?method=Headers&value=x").body())
                        .isEqualTo("code=0 value=tp=" + traceparent(client(ECHO + "Headers")));
                assertThat(harness.maps.counter(SharedMaps.Counter.INJECT_DONE)).as("still, and this one").isEqualTo(done + 2);
                a.close();
                b.close();
            }
        }
    }

    /** TLS leaves the process as ciphertext: with injection on, nothing is offered and nothing is touched. */
    @Test
    void injectionLeavesTlsConnectionsAlone() throws Exception {
        HeaderInjection.Status injection = HeaderInjection.start(harness.maps);
        assertThat(injection.on()).as(injection.description()).isTrue();
        try (GoServer server = GoServer.start("grpcserver-go1.26", "-tls")) { // calls its own server: one certificate
            Instrumentation inst = attach(server);
            for (int i = 0; i < 3; i++) {
                assertThat(server.get("/call?method=Headers&value=x").body()).isEqualTo("code=0 value=tp=");
                assertLinked(server(ECHO + "Headers"), client(ECHO + "Headers"));
                harness.events.clear();
            }
            assertThat(server.get("/stream?method=Chat&n=2&value=t").body()).isEqualTo("code=0 count=2");
            assertThat(harness.maps.counter(SharedMaps.Counter.INJECT_DONE)).isZero();
            assertThat(harness.maps.counter(SharedMaps.Counter.INJECT_FAILED)).isZero();
            inst.close();
        }
    }

    private String counters() {
        StringBuilder b = new StringBuilder();
        for (SharedMaps.Counter c : SharedMaps.Counter.values()) {
            b.append(c).append('=').append(harness.maps.counter(c)).append(' ');
        }
        return b.toString();
    }

    private static String traceparent(GrpcEvent client) {
        return "00-" + Hex.encode(client.header().traceId()) + "-" + Hex.encode(client.header().spanId()) + "-01";
    }

    /** Over TLS the transport's connection is grpc's wrapper around the TLS one: the link still finds the socket. */
    @Test
    void linksThroughTls() throws Exception {
        try (GoServer server = GoServer.start("grpcserver-go1.26", "-tls")) {
            Instrumentation inst = attach(server);
            assertThat(server.get("/call?method=Echo&value=tls").body()).isEqualTo("code=0 value=tls");
            GrpcEvent client = client(ECHO + "Echo");
            GrpcEvent srv = server(ECHO + "Echo");
            assertThat(client.connection()).isNotNull();
            assertThat(srv.connection()).isNotNull();
            assertLinked(srv, client);
            inst.close();
        }
    }

    /**
     * A stripped binary: struct offsets from the tables (grpc, golang.org/x/net and genproto by module version),
     * but no symbols, hence no itabs: connections are not read, so there is no link (the server span starts a
     * trace unless metadata carries one) and a failed client call is an error without a code; the server still
     * reports its status.
     */
    @Test
    void strippedBinariesUseTheOffsetsTables() throws Exception {
        try (GoServer server = GoServer.start("grpcserver-go1.26-stripped")) {
            Instrumentation inst = attach(server);
            assertThat(inst.probes()).filteredOn(p -> p.library().startsWith("grpc"))
                    .allSatisfy(p -> assertThat(p.offsetSource()).isEqualTo("table"));
            assertThat(server.get("/call?method=Fail&value=s").body()).isEqualTo("code=5 no such thing: s");
            GrpcEvent client = client(ECHO + "Fail");
            GrpcEvent srv = server(ECHO + "Fail");
            assertThat(client.header().parentSpanId()).isEqualTo(http("/call").header().spanId());
            assertThat(client.status()).isEqualTo(GrpcEvent.STATUS_UNKNOWN);
            assertThat(client.connection()).isNull();
            assertThat(srv.status()).isEqualTo(5);
            assertThat(srv.message()).isEqualTo("no such thing: s");
            assertThat(srv.header().parentSpanId()).isEqualTo(new byte[8]);
            assertThat(srv.connection()).isNull();

            harness.events.clear();
            String tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
            assertThat(server.get("/call?method=Echo&value=tp&tp=" + tp).body()).isEqualTo("code=0 value=tp");
            assertThat(Hex.encode(server(ECHO + "Echo").header().parentSpanId())).isEqualTo("b7ad6b7169203331");

            // without io.EOF's symbol a stream's end cannot be read: no code, and not marked failed
            harness.events.clear();
            assertThat(server.get("/stream?method=Chat&n=2&value=s").body()).isEqualTo("code=0 count=2");
            GrpcEvent stream = client(ECHO + "Chat");
            assertThat(stream.stream()).isTrue();
            assertThat(stream.status()).isEqualTo(GrpcEvent.STATUS_UNKNOWN);
            assertThat(stream.statusUnread()).isTrue();
            assertThat(stream.header().parentSpanId()).isEqualTo(http("/stream").header().spanId());
            inst.close();
        }
    }

    private static void assertLinked(GrpcEvent server, GrpcEvent client) {
        assertThat(server.server()).isTrue();
        assertThat(client.server()).isFalse();
        assertThat(server.header().parentSpanId()).as("server %s's parent", server.method()).isEqualTo(client.header().spanId());
        assertThat(server.header().traceId()).isEqualTo(client.header().traceId());
        assertThat(server.header().parentOrigin()).isEqualTo(EventLayout.ORIGIN_CONN);
    }

    private HttpServerEvent http(String path) throws InterruptedException {
        return (HttpServerEvent) harness.await(e -> e instanceof HttpServerEvent h && h.path().equals(path));
    }

    private GrpcEvent client(String method) throws InterruptedException {
        return grpc(g -> !g.server() && g.method().equals(method));
    }

    private GrpcEvent server(String method) throws InterruptedException {
        return grpc(g -> g.server() && g.method().equals(method));
    }

    private GrpcEvent grpc(Predicate<GrpcEvent> match) throws InterruptedException {
        TracedEvent e = harness.await(t -> t instanceof GrpcEvent g && match.test(g));
        return (GrpcEvent) e;
    }
}
