package io.tracebee.span;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.correlate.CorrelatedEvent;
import io.tracebee.decode.EventBytes;
import io.tracebee.decode.EventDecoder;
import io.tracebee.decode.EventLayout;
import io.tracebee.decode.TracedEvent;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SpanAssemblerTest {
    private static final Resource RESOURCE = new Resource(Attributes.builder().put("service.name", "svc").build());
    private final SpanAssembler assembler = new SpanAssembler(WallClock.javaClocks());

    @Test
    void serverSpanFollowsSemanticConventions() {
        Span s = assemble(EventBytes.httpServer().method("GET").path("/hello/42").pattern("GET /hello/{id}")
                .status(200).proto(1, 1).remote("127.0.0.1:53422").host("localhost:8080").query("x=1&sig=s")
                .times(1_000_000, 3_500_000));

        assertThat(s.name()).isEqualTo("GET /hello/{id}");
        assertThat(s.kind()).isEqualTo(SpanKind.SERVER);
        assertThat(s.statusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(s.attributes().asMap()).containsEntry("http.request.method", "GET")
                .containsEntry("url.path", "/hello/42")
                .containsEntry("url.query", "x=1&sig=REDACTED")
                .containsEntry("url.scheme", "http")
                .containsEntry("http.route", "/hello/{id}")
                .containsEntry("http.response.status_code", 200L)
                .containsEntry("network.peer.address", "127.0.0.1")
                .containsEntry("network.peer.port", 53422L)
                .containsEntry("server.address", "localhost")
                .containsEntry("server.port", 8080L)
                .containsEntry("network.protocol.version", "1.1");
        assertThat(s.endEpochNanos() - s.startEpochNanos()).isEqualTo(2_500_000);
        assertThat(s.resource()).isSameAs(RESOURCE);
        assertThat(s.scope()).isEqualTo(SpanAssembler.SCOPE_NET_HTTP);
    }

    @Test
    void theSocketGivesPeerAndLocalAddressesAndARemoteParentIsMarked() {
        byte[] local = new byte[16];
        local[15] = 1; // ::1
        byte[] peer = new byte[16];
        peer[15] = 1;
        Span s = assemble(EventBytes.httpServer().method("GET").path("/").remote("[::1]:40000").host("localhost:8080")
                .serverConn(local, 8080, peer, 40000, 1, 99).parentOrigin(EventLayout.ORIGIN_CONN)
                .traceState("k=v"));
        assertThat(s.attributes().asMap()).containsEntry("network.peer.address", "::1")
                .containsEntry("network.peer.port", 40000L)
                .containsEntry("network.local.address", "::1")
                .containsEntry("network.local.port", 8080L);
        assertThat(s.parentRemote()).isTrue();
        assertThat(s.traceState()).isEqualTo("k=v");
        assertThat(s.otlpFlags()).isEqualTo(1 | Span.FLAG_HAS_IS_REMOTE | Span.FLAG_IS_REMOTE);

        Span client = assemble(EventBytes.httpClient().client(200, "GET", "http", "localhost:8080", "/", "", 0)
                .clientConn(EventBytes.v4Mapped(127, 0, 0, 1), 40000, EventBytes.v4Mapped(127, 0, 0, 1),
                        8080, 1, 98));
        assertThat(client.attributes().asMap()).containsEntry("network.peer.address", "127.0.0.1")
                .containsEntry("network.peer.port", 8080L).doesNotContainKey("network.local.address");
        assertThat(client.parentRemote()).isFalse();
        assertThat(client.otlpFlags()).isEqualTo(1 | Span.FLAG_HAS_IS_REMOTE);
    }

    @Test
    void sqlCallsAreClientSpansNamedByOperationAndTable() {
        Span s = assembleRaw(dbRecord("SELECT title FROM books WHERE author = 'Le Guin'", 0));
        assertThat(s.name()).isEqualTo("SELECT books");
        assertThat(s.kind()).isEqualTo(SpanKind.CLIENT);
        assertThat(s.scope()).isEqualTo(SpanAssembler.SCOPE_DATABASE_SQL);
        assertThat(s.attributes().asMap()).containsEntry("db.operation.name", "SELECT")
                .containsEntry("db.collection.name", "books")
                .containsEntry("db.query.text", "SELECT title FROM books WHERE author = ?");
        assertThat(s.statusCode()).isEqualTo(StatusCode.UNSET);

        Span failed = assembleRaw(dbRecord("SELEC nonsense", EventLayout.DB_FLAG_ERROR));
        assertThat(failed.name()).isEqualTo("DB");
        assertThat(failed.statusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(failed.attributes().asMap()).containsEntry("error.type", "_OTHER");
    }

    private static byte[] dbRecord(String query, int flags) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(EventLayout.DB_SIZE).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        byte[] q = query.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        b.putInt(EventLayout.H_KIND, EventLayout.KIND_DB_SQL).putInt(EventLayout.H_SIZE, EventLayout.DB_SIZE)
                .putShort(EventLayout.DB_QUERY_LEN, (short) q.length).putShort(EventLayout.DB_FLAGS, (short) flags)
                .putInt(EventLayout.DB_QUERY_FULL_LEN, q.length).put(EventLayout.DB_QUERY, q);
        b.put(EventLayout.H_SC + EventLayout.SC_FLAGS, (byte) 1);
        return b.array();
    }

    private Span assembleRaw(byte[] rec) {
        TracedEvent e = new EventDecoder().decodeOne(rec, 0, rec.length);
        return assembler.assemble(new CorrelatedEvent(e, e.header().traceId(), e.header().parentSpanId(),
                e.header().traceFlags(), RESOURCE));
    }

    @Test
    void wallClockTimesAreNearNow() {
        long mono = System.nanoTime();
        Span s = assemble(EventBytes.httpServer().method("GET").path("/").times(mono, mono + 1));
        long nowEpoch = System.currentTimeMillis() * 1_000_000L;
        assertThat(Math.abs(s.startEpochNanos() - nowEpoch)).isLessThan(1_000_000_000L);
    }

    @Test
    void aFrameworkRouteNamesTheSpanAndWinsOverTheServeMuxPattern() {
        Span gin = assemble(EventBytes.httpServer().method("GET").path("/api/users/7").pattern("/api/")
                .route("/api/users/:id", EventLayout.ROUTE_GIN));
        assertThat(gin.name()).isEqualTo("GET /api/users/:id");
        assertThat(gin.attributes().asMap()).containsEntry("http.route", "/api/users/:id");

        Span mux = assemble(EventBytes.httpServer().method("GET").path("/items/7")
                .route("/items/{id:[0-9]+}", EventLayout.ROUTE_GORILLA));
        assertThat(mux.name()).isEqualTo("GET /items/{id:[0-9]+}");
        assertThat(mux.attributes().asMap()).containsEntry("http.route", "/items/{id:[0-9]+}");

        // a router that matched nothing (404, 405) leaves the ServeMux's answer, if there was one
        Span notFound = assemble(EventBytes.httpServer().method("GET").path("/api/nope").pattern("/api/").status(404));
        assertThat(notFound.name()).isEqualTo("GET /api/");
        Span bare = assemble(EventBytes.httpServer().method("DELETE").path("/users/7").status(405));
        assertThat(bare.name()).isEqualTo("DELETE");
        assertThat(bare.attributes().asMap()).doesNotContainKey("http.route");
    }

    @Test
    void noPatternNamesTheSpanByMethodOnly() {
        Span s = assemble(EventBytes.httpServer().method("POST").path("/echo").status(0));
        assertThat(s.name()).isEqualTo("POST");
        assertThat(s.attributes().asMap()).doesNotContainKey("http.route").doesNotContainKey("url.query")
                .containsEntry("http.response.status_code", 200L);
    }

    @Test
    void serverErrorsAreErrorsButClientErrorsAreNot() {
        assertThat(assemble(EventBytes.httpServer().method("GET").path("/x").status(503)).statusCode())
                .isEqualTo(StatusCode.ERROR);
        assertThat(assemble(EventBytes.httpServer().method("GET").path("/x").status(404)).statusCode())
                .isEqualTo(StatusCode.UNSET);
    }

    @Test
    void unknownMethodIsOtherWithTheOriginalKept() {
        Span s = assemble(EventBytes.httpServer().method("PROPFIND").path("/dav").pattern("/dav"));
        assertThat(s.name()).isEqualTo("HTTP /dav");
        assertThat(s.attributes().asMap()).containsEntry("http.request.method", "_OTHER")
                .containsEntry("http.request.method_original", "PROPFIND");
    }

    @Test
    void tlsRequestsAreHttpsWithTheDefaultPort() {
        Span s = assemble(EventBytes.httpServer().method("GET").path("/").host("example.com")
                .flags(EventLayout.HTTP_FLAG_TLS));
        assertThat(s.attributes().asMap()).containsEntry("url.scheme", "https").containsEntry("server.port", 443L);
    }

    @Test
    void clientSpanRedactsCredentialsAndMarksErrors() {
        Span ok = assemble(EventBytes.httpClient().client(200, "GET", "http", "inventory:8080", "/stock", "sku=1", 0));
        assertThat(ok.name()).isEqualTo("GET");
        assertThat(ok.kind()).isEqualTo(SpanKind.CLIENT);
        assertThat(ok.statusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(ok.attributes().asMap()).containsEntry("url.full", "http://inventory:8080/stock?sku=1")
                .containsEntry("server.address", "inventory").containsEntry("server.port", 8080L)
                .containsEntry("http.response.status_code", 200L).containsEntry("network.protocol.version", "1.1");

        Span creds = assemble(EventBytes.httpClient().client(404, "GET", "https", "api.example.com", "", "",
                EventLayout.HTTP_CLIENT_FLAG_USERINFO));
        assertThat(creds.attributes().asMap()).containsEntry("url.full", "https://REDACTED:REDACTED@api.example.com/")
                .containsEntry("server.port", 443L).containsEntry("error.type", "404");
        assertThat(creds.statusCode()).as("4xx is an error on a client span").isEqualTo(StatusCode.ERROR);

        Span failed = assemble(EventBytes.httpClient().client(0, "POST", "http", "127.0.0.1:1", "/x", "",
                EventLayout.HTTP_CLIENT_FLAG_ERROR));
        assertThat(failed.statusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(failed.attributes().asMap()).containsEntry("error.type", "transport_error")
                .doesNotContainKey("http.response.status_code");
    }

    private Span assemble(EventBytes bytes) {
        byte[] trace = new byte[16];
        Arrays.fill(trace, (byte) 7);
        return assembleRaw(bytes.ids(trace, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 1, new byte[8]).bytes());
    }
}
