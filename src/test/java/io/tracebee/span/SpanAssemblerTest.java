package io.tracebee.span;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.correlate.CorrelatedEvent;
import io.tracebee.decode.EventBytes;
import io.tracebee.decode.EventDecoder;
import io.tracebee.decode.EventLayout;
import io.tracebee.decode.TracedEvent;
import io.tracebee.probe.dbsql.SqlDrivers;
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
        Span s = assembleRaw(EventBytes.db("SELECT title FROM books WHERE author = 'Le Guin'", 0, postgres()).bytes());
        assertThat(s.name()).isEqualTo("SELECT books");
        assertThat(s.kind()).isEqualTo(SpanKind.CLIENT);
        assertThat(s.scope()).isEqualTo(SpanAssembler.SCOPE_DATABASE_SQL);
        assertThat(s.attributes().asMap()).containsEntry("db.system.name", "postgresql")
                .containsEntry("db.operation.name", "SELECT")
                .containsEntry("db.collection.name", "books")
                .containsEntry("db.query.text", "SELECT title FROM books WHERE author = ?");
        assertThat(s.statusCode()).isEqualTo(StatusCode.UNSET);

        Span unknownDriver = assembleRaw(EventBytes.db("SELEC nonsense", EventLayout.DB_FLAG_ERROR, 0).bytes());
        assertThat(unknownDriver.name()).isEqualTo("DB");
        assertThat(unknownDriver.statusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(unknownDriver.statusMessage()).isEmpty();
        assertThat(unknownDriver.attributes().asMap()).containsEntry("error.type", "_OTHER")
                .containsEntry("db.system.name", "other_sql");
    }

    @Test
    void aFailedCallCarriesTheDatabaseStatusCodeAndMessage() {
        Span pg = assembleRaw(EventBytes.db("SELECT * FROM missing", EventLayout.DB_FLAG_ERROR, postgres())
                .dbError(errorType("*github.com/lib/pq.Error"), "42P01", "relation \"missing\" does not exist").bytes());
        assertThat(pg.statusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(pg.statusMessage()).isEqualTo("relation \"missing\" does not exist");
        assertThat(pg.attributes().asMap()).containsEntry("error.type", "42P01")
                .containsEntry("db.response.status_code", "42P01");

        Span noCode = assembleRaw(EventBytes.db("SELEC x", EventLayout.DB_FLAG_ERROR, 2)
                .dbError(errorType("*modernc.org/sqlite.Error"), "", "SQL logic error").bytes());
        assertThat(noCode.attributes().asMap()).containsEntry("error.type", "*sqlite.Error")
                .doesNotContainKey("db.response.status_code");

        Span timeout = assembleRaw(EventBytes.db("SELECT 1", EventLayout.DB_FLAG_ERROR, 2)
                .dbError(errorType("context.deadlineExceededError"), "", "").bytes());
        assertThat(timeout.statusMessage()).isEqualTo("context deadline exceeded");
        assertThat(timeout.attributes().asMap()).containsEntry("error.type", "context.deadlineExceededError");
    }

    @Test
    void statementTextCanBeSwitchedOff() {
        SpanAssembler noText = new SpanAssembler(WallClock.javaClocks(), false);
        TracedEvent e = new EventDecoder().decodeOne(EventBytes.db("SELECT a FROM t", 0, 2).bytes(), 0, EventLayout.DB_SIZE);
        Span s = noText.assemble(new CorrelatedEvent(e, e.header().traceId(), e.header().parentSpanId(), 1, RESOURCE));
        assertThat(s.name()).isEqualTo("SELECT t");
        assertThat(s.attributes().asMap()).doesNotContainKey("db.query.text").containsEntry("db.collection.name", "t");
    }

    @Test
    void redisCommandsAreClientSpansWithRedactedText() {
        Span set = assembleRaw(EventBytes.redis(0, 3, 2, "cache.internal:6380", "set", "user:42", "secret").bytes());
        assertThat(set.name()).isEqualTo("SET");
        assertThat(set.kind()).isEqualTo(SpanKind.CLIENT);
        assertThat(set.scope()).isEqualTo(SpanAssembler.SCOPE_GO_REDIS);
        assertThat(set.attributes().asMap()).containsEntry("db.system.name", "redis")
                .containsEntry("db.operation.name", "SET")
                .containsEntry("db.query.text", "SET user:42 ?")
                .containsEntry("db.namespace", "2")
                .containsEntry("server.address", "cache.internal")
                .containsEntry("server.port", 6380L);

        Span incr = assembleRaw(EventBytes.redis(0, 3, 0, "127.0.0.1:6379", "incrby", "n".getBytes(), 7L).bytes());
        assertThat(incr.attributes().asMap()).containsEntry("db.query.text", "INCRBY n ?");

        Span config = assembleRaw(EventBytes.redis(0, 3, 0, "/run/redis.sock", "config", "get", "maxmemory").bytes());
        assertThat(config.name()).isEqualTo("CONFIG GET");
        assertThat(config.attributes().asMap()).containsEntry("server.address", "/run/redis.sock")
                .containsEntry("network.transport", "unix");
    }

    @Test
    void redisMissesAreNotErrorsButRedisErrorRepliesAre() {
        Span miss = assembleRaw(EventBytes.redis(0, 2, 0, "127.0.0.1:6379", "get", "k").redisError("redis: nil").bytes());
        assertThat(miss.statusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(miss.attributes().asMap()).doesNotContainKey("error.type");

        String text = "WRONGTYPE Operation against a key holding the wrong kind of value";
        Span wrong = assembleRaw(EventBytes.redis(0, 4, 0, "127.0.0.1:6379", "lpush", "k", "a", "b").redisError(text).bytes());
        assertThat(wrong.statusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(wrong.statusMessage()).isEqualTo(text);
        assertThat(wrong.attributes().asMap()).containsEntry("error.type", "WRONGTYPE")
                .containsEntry("db.response.status_code", "WRONGTYPE")
                .containsEntry("db.query.text", "LPUSH k ? ?");
    }

    @Test
    void redisPipelinesAreBatches() {
        int pipeline = EventLayout.REDIS_FLAG_PIPELINE;
        Span same = assembleRaw(EventBytes.redis(pipeline, 3, 0, "127.0.0.1:6379", "get", "get", "get").bytes());
        assertThat(same.name()).isEqualTo("BATCH GET");
        assertThat(same.attributes().asMap()).containsEntry("db.operation.batch.size", 3L).doesNotContainKey("db.query.text");

        Span mixed = assembleRaw(EventBytes.redis(pipeline, 3, 0, "127.0.0.1:6379", "set", "incr", "get").bytes());
        assertThat(mixed.name()).isEqualTo("PIPELINE");
        Span tx = assembleRaw(EventBytes.redis(pipeline | EventLayout.REDIS_FLAG_TX, 5, 0, "127.0.0.1:6379",
                "multi", "set", "incr", "get", "exec").bytes());
        assertThat(tx.name()).isEqualTo("MULTI");
        // more commands than the probe copies: not known to be all the same
        Span long10 = assembleRaw(EventBytes.redis(pipeline, 10, 0, "127.0.0.1:6379",
                "get", "get", "get", "get", "get", "get", "get", "get").bytes());
        assertThat(long10.name()).isEqualTo("PIPELINE");
    }

    private static int postgres() {
        return SqlDrivers.SYSTEMS.indexOf("postgresql");
    }

    private static int errorType(String goType) {
        return SqlDrivers.ERROR_TYPES.stream().map(SqlDrivers.ErrorType::goType).toList().indexOf(goType) + 1;
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

    @Test
    void grpcSpansAreNamedServiceSlashMethod() {
        byte[] local = EventBytes.v4Mapped(127, 0, 0, 1);
        byte[] peer = EventBytes.v4Mapped(127, 0, 0, 1);
        Span server = assemble(EventBytes.grpc(EventLayout.GRPC_SERVER, "/grpc.health.v1.Health/Check", "localhost:50051", 0, "")
                .grpcConn(local, 50051, peer, 41000, 1, 7).grpcTraceState("k=v").parentOrigin(EventLayout.ORIGIN_HEADER));
        assertThat(server.name()).isEqualTo("grpc.health.v1.Health/Check");
        assertThat(server.kind()).isEqualTo(SpanKind.SERVER);
        assertThat(server.statusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(server.scope()).isEqualTo(SpanAssembler.SCOPE_GRPC);
        assertThat(server.traceState()).isEqualTo("k=v");
        assertThat(server.parentRemote()).isTrue();
        assertThat(server.attributes().asMap()).containsEntry("rpc.system", "grpc")
                .containsEntry("rpc.service", "grpc.health.v1.Health")
                .containsEntry("rpc.method", "Check")
                .containsEntry("rpc.grpc.status_code", 0L)
                .containsEntry("server.address", "localhost")
                .containsEntry("server.port", 50051L)
                .containsEntry("network.peer.address", "127.0.0.1")
                .containsEntry("network.peer.port", 41000L)
                .containsEntry("network.local.port", 50051L);

        Span client = assemble(EventBytes.grpc(EventLayout.GRPC_CLIENT, "/pkg.Svc/Get", "10.0.0.1:443", 5, "no such thing")
                .grpcConn(local, 41000, peer, 443, 1, 8));
        assertThat(client.name()).isEqualTo("pkg.Svc/Get");
        assertThat(client.kind()).isEqualTo(SpanKind.CLIENT);
        assertThat(client.statusCode()).as("every non-OK code is an error").isEqualTo(StatusCode.ERROR);
        assertThat(client.statusMessage()).isEqualTo("no such thing");
        assertThat(client.attributes().asMap()).containsEntry("rpc.grpc.status_code", 5L)
                .containsEntry("network.peer.port", 443L).doesNotContainKey("network.local.address");
    }

    @Test
    void grpcServerErrorsAndUnknownStatuses() {
        Span unimplemented = assemble(EventBytes.grpc(EventLayout.GRPC_SERVER, "/pkg.Svc/Nope", "h:1", 12, "unknown method Nope"));
        assertThat(unimplemented.statusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(unimplemented.statusMessage()).isEqualTo("unknown method Nope");
        assertThat(unimplemented.attributes().asMap()).containsEntry("rpc.grpc.status_code", 12L);

        // a server whose status was never seen (e.g. the stream was reset first): no code, not an error
        Span unseen = assemble(EventBytes.grpc(EventLayout.GRPC_SERVER, "/pkg.Svc/Get", "", EventLayout.GRPC_STATUS_UNKNOWN, ""));
        assertThat(unseen.statusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(unseen.attributes().asMap()).doesNotContainKey("rpc.grpc.status_code").doesNotContainKey("server.address");

        // a client that failed with an error it could not read (no symbols): an error without a code
        Span failed = assemble(EventBytes.grpc(EventLayout.GRPC_CLIENT, "/pkg.Svc/Get", "h", EventLayout.GRPC_STATUS_UNKNOWN, ""));
        assertThat(failed.statusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(failed.attributes().asMap()).doesNotContainKey("rpc.grpc.status_code").containsEntry("server.address", "h")
                .doesNotContainKey("server.port");

        // a stream that ended with an error it could not read (no symbols): perhaps io.EOF, so not failed
        Span unread = assemble(EventBytes.grpc(EventLayout.GRPC_CLIENT, "/pkg.Svc/Chat", "h", EventLayout.GRPC_STATUS_UNKNOWN, "")
                .grpcFlags(EventLayout.GRPC_FLAG_STREAM | EventLayout.GRPC_FLAG_UNREAD));
        assertThat(unread.statusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(unread.attributes().asMap()).doesNotContainKey("rpc.grpc.status_code");

        // an interceptor's own error: UNKNOWN, as grpc's status.Code says
        Span foreign = assemble(EventBytes.grpc(EventLayout.GRPC_CLIENT, "/pkg.Svc/Get", "h:1", 2, "")
                .grpcFlags(EventLayout.GRPC_FLAG_FOREIGN_ERROR));
        assertThat(foreign.statusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(foreign.attributes().asMap()).containsEntry("rpc.grpc.status_code", 2L);

        // a method that is not /service/method keeps its raw form as the name
        Span odd = assemble(EventBytes.grpc(EventLayout.GRPC_SERVER, "noslash", "", 0, ""));
        assertThat(odd.name()).isEqualTo("noslash");
        assertThat(odd.attributes().asMap()).doesNotContainKey("rpc.service").doesNotContainKey("rpc.method");
        assertThat(assemble(EventBytes.grpc(EventLayout.GRPC_SERVER, "", "", 0, "")).name()).isEqualTo("grpc");
    }

    private Span assemble(EventBytes bytes) {
        byte[] trace = new byte[16];
        Arrays.fill(trace, (byte) 7);
        return assembleRaw(bytes.ids(trace, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 1, new byte[8]).bytes());
    }
}
