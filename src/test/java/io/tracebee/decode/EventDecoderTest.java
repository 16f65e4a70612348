package io.tracebee.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventDecoderTest {
    private static final byte[] TRACE = bytes(16, 0x11);
    private static final byte[] SPAN = bytes(8, 0x22);
    private static final byte[] NO_PARENT = new byte[8];

    @Test
    void decodesAnHttpServerRecord() {
        byte[] rec = EventBytes.httpServer().pid(4242, 4243).times(1_000, 5_000).goroutine(0xc000123456L).target(9)
                .ids(TRACE, SPAN, 1, NO_PARENT).status(404).proto(1, 1).method("GET").path("/hello/42")
                .pattern("GET /hello/{id}").remote("127.0.0.1:53422").host("localhost:8080").query("a=1&b=2").bytes();

        TracedEvent e = new EventDecoder().decodeOne(rec, 0, rec.length);

        assertThat(e).isInstanceOf(HttpServerEvent.class);
        HttpServerEvent h = (HttpServerEvent) e;
        assertThat(h.header().pid()).isEqualTo(4242);
        assertThat(h.header().tid()).isEqualTo(4243);
        assertThat(h.header().startNs()).isEqualTo(1_000);
        assertThat(h.header().endNs()).isEqualTo(5_000);
        assertThat(h.header().goroutine()).isEqualTo(0xc000123456L);
        assertThat(h.header().target()).isEqualTo(9);
        assertThat(h.header().traceId()).isEqualTo(TRACE);
        assertThat(h.header().spanId()).isEqualTo(SPAN);
        assertThat(h.header().traceFlags()).isEqualTo(1);
        assertThat(h.header().parentSpanId()).isEqualTo(NO_PARENT);
        assertThat(h.status()).isEqualTo(404);
        assertThat(h.method()).isEqualTo("GET");
        assertThat(h.path()).isEqualTo("/hello/42");
        assertThat(h.pathTruncated()).isFalse();
        assertThat(h.pattern()).isEqualTo("GET /hello/{id}");
        assertThat(h.remoteAddr()).isEqualTo("127.0.0.1:53422");
        assertThat(h.host()).isEqualTo("localhost:8080");
        assertThat(h.query()).isEqualTo("a=1&b=2");
        assertThat(h.protoMajor()).isEqualTo(1);
        assertThat(h.protoMinor()).isEqualTo(1);
        assertThat(h.tls()).isFalse();
        assertThat(h.route()).isEmpty();
        assertThat(h.routeSource()).isEqualTo(HttpServerEvent.RouteSource.NONE);
    }

    @Test
    void decodesAFrameworkRoute() {
        byte[] gin = EventBytes.httpServer().path("/users/7").route("/users/:id", EventLayout.ROUTE_GIN).bytes();
        HttpServerEvent g = (HttpServerEvent) new EventDecoder().decodeOne(gin, 0, gin.length);
        assertThat(g.route()).isEqualTo("/users/:id");
        assertThat(g.routeSource()).isEqualTo(HttpServerEvent.RouteSource.GIN);

        byte[] mux = EventBytes.httpServer().route("/items/{id:[0-9]+}", EventLayout.ROUTE_GORILLA).bytes();
        HttpServerEvent m = (HttpServerEvent) new EventDecoder().decodeOne(mux, 0, mux.length);
        assertThat(m.route()).isEqualTo("/items/{id:[0-9]+}");
        assertThat(m.routeSource()).isEqualTo(HttpServerEvent.RouteSource.GORILLA_MUX);

        byte[] unknown = EventBytes.httpServer().route("/x", 99).bytes();
        assertThat(((HttpServerEvent) new EventDecoder().decodeOne(unknown, 0, unknown.length)).routeSource())
                .isEqualTo(HttpServerEvent.RouteSource.NONE);
    }

    @Test
    void decodesConnectionTraceStateAndParentOrigin() {
        byte[] v4local = EventBytes.v4Mapped(127, 0, 0, 1);
        byte[] v6peer = new byte[16];
        v6peer[0] = 0x20;
        v6peer[1] = 0x01;
        v6peer[2] = 0x0d;
        v6peer[3] = (byte) 0xb8;
        v6peer[15] = 7;
        byte[] rec = EventBytes.httpServer().ids(TRACE, SPAN, 1, SPAN).parentOrigin(EventLayout.ORIGIN_HEADER)
                .serverConn(v4local, 8080, v6peer, 53422, 0xF0000001, 123456789L).traceState("vendor=abc,x=1").bytes();

        HttpServerEvent h = (HttpServerEvent) new EventDecoder().decodeOne(rec, 0, rec.length);

        assertThat(h.header().parentOrigin()).isEqualTo(EventLayout.ORIGIN_HEADER);
        assertThat(h.header().parentRemote()).isTrue();
        assertThat(h.traceState()).isEqualTo("vendor=abc,x=1");
        TcpConnection c = h.connection();
        assertThat(c.localAddress()).isEqualTo("127.0.0.1");
        assertThat(c.localPort()).isEqualTo(8080);
        assertThat(c.peerAddress()).isEqualTo("2001:db8::7");
        assertThat(c.peerPort()).isEqualTo(53422);
        assertThat(c.netns()).isEqualTo(0xF0000001L);
        assertThat(c.inode()).isEqualTo(123456789L);
    }

    @Test
    void decodesAGrpcRecord() {
        byte[] rec = EventBytes.grpc(EventLayout.GRPC_CLIENT, "/pkg.Svc/Get", "127.0.0.1:50051", 5, "not here")
                .grpcFlags(EventLayout.GRPC_FLAG_FOREIGN_ERROR).grpcTraceState("a=b")
                .grpcConn(EventBytes.v4Mapped(127, 0, 0, 1), 41000, EventBytes.v4Mapped(127, 0, 0, 1), 50051, 1, 42).bytes();
        GrpcEvent g = (GrpcEvent) new EventDecoder().decodeOne(rec, 0, rec.length);
        assertThat(g.server()).isFalse();
        assertThat(g.method()).isEqualTo("/pkg.Svc/Get");
        assertThat(g.authority()).isEqualTo("127.0.0.1:50051");
        assertThat(g.status()).isEqualTo(5);
        assertThat(g.message()).isEqualTo("not here");
        assertThat(g.foreignError()).isTrue();
        assertThat(g.stream()).isFalse();
        assertThat(g.streamId()).isEqualTo(3);
        assertThat(g.traceState()).isEqualTo("a=b");
        assertThat(g.connection().peerPort()).isEqualTo(50051);

        byte[] unknown = EventBytes.grpc(EventLayout.GRPC_SERVER, "/pkg.Svc/Get", "", EventLayout.GRPC_STATUS_UNKNOWN, "").bytes();
        GrpcEvent s = (GrpcEvent) new EventDecoder().decodeOne(unknown, 0, unknown.length);
        assertThat(s.server()).isTrue();
        assertThat(s.status()).isEqualTo(GrpcEvent.STATUS_UNKNOWN);
        assertThat(s.connection()).isNull();
        assertThat(s.foreignError()).isFalse();

        byte[] stream = EventBytes.grpc(EventLayout.GRPC_CLIENT, "/pkg.Svc/Chat", "", EventLayout.GRPC_STATUS_UNKNOWN, "")
                .grpcFlags(EventLayout.GRPC_FLAG_STREAM | EventLayout.GRPC_FLAG_UNREAD).bytes();
        GrpcEvent st = (GrpcEvent) new EventDecoder().decodeOne(stream, 0, stream.length);
        assertThat(st.stream()).isTrue();
        assertThat(st.statusUnread()).isTrue();
        assertThat(st.foreignError()).isFalse();
    }

    @Test
    void aConnectionTheProbeDidNotReadIsNull() {
        byte[] rec = EventBytes.httpServer().bytes();
        HttpServerEvent h = (HttpServerEvent) new EventDecoder().decodeOne(rec, 0, rec.length);
        assertThat(h.connection()).isNull();
        assertThat(h.header().parentRemote()).isFalse();
        assertThat(h.traceState()).isEmpty();
    }

    @Test
    void decodesRecordsAtOffsetsInABatch() {
        byte[] a = EventBytes.httpServer().pid(1, 1).method("GET").path("/a").flags(EventLayout.HTTP_FLAG_TLS).bytes();
        byte[] b = EventBytes.httpServer().pid(2, 2).method("POST").path("/b").bytes();
        byte[] data = new byte[8 + a.length + b.length + 8];
        System.arraycopy(a, 0, data, 8, a.length);
        System.arraycopy(b, 0, data, 8 + a.length, b.length);

        EventDecoder decoder = new EventDecoder();
        List<TracedEvent> events = decoder.decode(data, new int[] {8, 8 + a.length}, new int[] {a.length, b.length}, 2);

        assertThat(events).hasSize(2);
        assertThat(((HttpServerEvent) events.get(0)).path()).isEqualTo("/a");
        assertThat(((HttpServerEvent) events.get(0)).tls()).isTrue();
        assertThat(((HttpServerEvent) events.get(1)).method()).isEqualTo("POST");
        assertThat(decoder.decoded()).isEqualTo(2);
        assertThat(decoder.decodeErrors()).isZero();
    }

    @Test
    void countsShortAndUnknownRecordsInsteadOfThrowing() {
        EventDecoder decoder = new EventDecoder();
        byte[] shortRec = Arrays.copyOf(EventBytes.httpServer().bytes(), 50);
        byte[] truncatedHttp = Arrays.copyOf(EventBytes.httpServer().bytes(), EventLayout.HTTP_SERVER_SIZE - 1);
        byte[] unknown = EventBytes.httpServer().bytes();
        unknown[0] = 99;

        assertThat(decoder.decodeOne(shortRec, 0, shortRec.length)).isNull();
        assertThat(decoder.decodeOne(truncatedHttp, 0, truncatedHttp.length)).isNull();
        assertThat(decoder.decodeOne(unknown, 0, unknown.length)).isNull();
        assertThat(decoder.decodeErrors()).isEqualTo(3);
    }

    @Test
    void clampsCorruptLengthsToTheirBuffers() {
        byte[] rec = EventBytes.httpServer().method("GET").path("/x")
                .rawLength(EventLayout.HS_METHOD_LEN, 0xffff).rawLength(EventLayout.HS_PATH_LEN, 5000).bytes();
        HttpServerEvent h = (HttpServerEvent) new EventDecoder().decodeOne(rec, 0, rec.length);
        assertThat(h.method()).hasSize(EventLayout.HTTP_METHOD_MAX);
        assertThat(h.path()).startsWith("/x");
        assertThat(h.pathTruncated()).isTrue();
    }

    @Test
    void marksAPathThatFilledItsBufferAsTruncated() {
        String longPath = "/" + "p".repeat(300);
        byte[] rec = EventBytes.httpServer().method("GET").path(longPath).bytes();
        HttpServerEvent h = (HttpServerEvent) new EventDecoder().decodeOne(rec, 0, rec.length);
        assertThat(h.path()).isEqualTo(longPath.substring(0, EventLayout.HTTP_PATH_MAX));
        assertThat(h.pathTruncated()).isTrue();
    }

    static byte[] bytes(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }
}
