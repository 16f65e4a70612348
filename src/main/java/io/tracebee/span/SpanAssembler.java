package io.tracebee.span;

import io.tracebee.correlate.CorrelatedEvent;
import io.tracebee.decode.DbEvent;
import io.tracebee.decode.EventHeader;
import io.tracebee.decode.EventLayout;
import io.tracebee.decode.GrpcEvent;
import io.tracebee.decode.HttpClientEvent;
import io.tracebee.decode.HttpServerEvent;
import io.tracebee.decode.KafkaConsumerEvent;
import io.tracebee.decode.KafkaProducerEvent;
import io.tracebee.decode.ManualSpanEvent;
import io.tracebee.decode.RedisEvent;
import io.tracebee.decode.TcpConnection;
import io.tracebee.decode.TracedEvent;
import io.tracebee.probe.dbsql.SqlDrivers;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds OpenTelemetry spans (semantic conventions 1.37) from correlated kernel events. Not thread-safe: it keeps
 * what it derived from recurring inputs (host/port pairs, address text, span names); the agent runs one on its
 * pipeline thread, as the events it reads (views over a batch) require anyway.
 */
public final class SpanAssembler {
    public static final String SCOPE_NET_HTTP = "io.tracebee/net/http";
    public static final String SCOPE_DATABASE_SQL = "io.tracebee/database/sql";
    public static final String SCOPE_GO_REDIS = "io.tracebee/go-redis";
    public static final String SCOPE_KAFKA_GO = "io.tracebee/github.com/segmentio/kafka-go";
    public static final String SCOPE_GRPC = "io.tracebee/google.golang.org/grpc";

    private final WallClock clock;
    private final boolean dbQueryText;
    /* Derived once per distinct input (they recur in nearly every span): no parsing, no new strings. */
    private final Recent<String, Optional<HttpSemconv.HostPort>> hostPorts =
            Recent.ofText(256, s -> Optional.ofNullable(HttpSemconv.HostPort.parse(s)));
    private final Recent<byte[], String> addresses =
            new Recent<>(256, java.util.Arrays::hashCode, java.util.Arrays::equals, TcpConnection::text);
    private String lastMethod = "";
    private String lastRoute = "";
    private String lastName = "";

    /** An assembler that reports statements' (literal-free) text. */
    public SpanAssembler(WallClock clock) {
        this(clock, true);
    }

    /** @param dbQueryText whether database spans carry {@code db.query.text} */
    public SpanAssembler(WallClock clock, boolean dbQueryText) {
        this.clock = clock;
        this.dbQueryText = dbQueryText;
    }

    public List<Span> assemble(List<CorrelatedEvent> events) {
        List<Span> spans = new ArrayList<>(events.size());
        for (CorrelatedEvent e : events) {
            spans.add(assemble(e));
        }
        return spans;
    }

    public Span assemble(CorrelatedEvent ce) {
        TracedEvent event = ce.event();
        if (event instanceof HttpServerEvent http) {
            return httpServer(ce, http);
        }
        if (event instanceof HttpClientEvent http) {
            return httpClient(ce, http);
        }
        if (event instanceof DbEvent db) {
            return db(ce, db);
        }
        if (event instanceof RedisEvent redis) {
            return redis(ce, redis);
        }
        if (event instanceof KafkaProducerEvent kafka) {
            return kafkaProducer(ce, kafka);
        }
        if (event instanceof KafkaConsumerEvent kafka) {
            return kafkaConsumer(ce, kafka);
        }
        if (event instanceof GrpcEvent grpc) {
            return grpc(ce, grpc);
        }
        if (event instanceof ManualSpanEvent manual) {
            return manual.source() == EventLayout.MANUAL_GLOBAL_API ? GlobalApiSpans.fromRecords(ce, manual, clock)
                    : ManualSpans.fromAutoSdk(ce, manual, clock);
        }
        throw new IllegalArgumentException("no span assembly for " + event.getClass().getSimpleName());
    }

    /*
     * The events are views over their records: a text field is decoded (and a String made) on every call, so each is
     * read once here.
     */

    private Span httpServer(CorrelatedEvent ce, HttpServerEvent e) {
        String sent = e.method();
        String method = HttpSemconv.normalizeMethod(sent);
        String route = HttpSemconv.route(e.route(), e.pattern());
        int status = e.status() == 0 ? 200 : e.status();
        boolean tls = e.tls();
        Attributes.Builder a = Attributes.builder()
                .put("http.request.method", method);
        if (!method.equals(sent)) {
            a.put("http.request.method_original", sent);
        }
        a.put("url.path", e.path());
        String query = e.query();
        if (!query.isEmpty()) {
            a.put("url.query", HttpSemconv.redactQuery(query));
        }
        a.put("url.scheme", tls ? "https" : "http");
        a.put("http.response.status_code", status);
        if (!route.isEmpty()) {
            a.put("http.route", route);
        }
        TcpConnection conn = e.connection();
        if (conn != null) {
            a.put("network.peer.address", addresses.get(conn.peer()));
            a.put("network.peer.port", conn.peerPort());
            a.put("network.local.address", addresses.get(conn.local()));
            a.put("network.local.port", conn.localPort());
        } else {
            HttpSemconv.HostPort peer = hostPort(e.remoteAddr());
            if (peer != null) {
                a.put("network.peer.address", peer.host());
                if (peer.port() != HttpSemconv.HostPort.NO_PORT) {
                    a.put("network.peer.port", peer.port());
                }
            }
        }
        HttpSemconv.HostPort server = hostPort(e.host());
        if (server != null) {
            a.put("server.address", server.host());
            a.put("server.port", server.portOrDefault(tls));
        }
        a.put("network.protocol.version", HttpSemconv.protocolVersion(e.protoMajor(), e.protoMinor()));

        String name = serverSpanName(method.equals("_OTHER") ? "HTTP" : method, route);
        boolean error = status >= 500;
        return span(ce, name, SpanKind.SERVER, a.build(), error ? StatusCode.ERROR : StatusCode.UNSET, SCOPE_NET_HTTP,
                e.traceState(), "");
    }

    private Span httpClient(CorrelatedEvent ce, HttpClientEvent e) {
        String sent = e.method();
        String method = HttpSemconv.normalizeMethod(sent);
        String scheme = e.scheme();
        if (scheme.isEmpty()) {
            scheme = "http";
        }
        String host = e.host();
        Attributes.Builder a = Attributes.builder().put("http.request.method", method);
        if (!method.equals(sent)) {
            a.put("http.request.method_original", sent);
        }
        a.put("url.full", HttpSemconv.fullUrl(scheme, e.hadUserInfo(), host, e.path(),
                HttpSemconv.redactQuery(e.query())));
        HttpSemconv.HostPort server = hostPort(host);
        if (server != null) {
            a.put("server.address", server.host());
            a.put("server.port", server.portOrDefault(scheme.equals("https")));
        }
        TcpConnection conn = e.connection();
        if (conn != null) {
            a.put("network.peer.address", addresses.get(conn.peer()));
            a.put("network.peer.port", conn.peerPort());
        }
        StatusCode status = StatusCode.UNSET;
        if (e.transportError()) {
            a.put("error.type", "transport_error");
            status = StatusCode.ERROR;
        } else if (e.status() > 0) {
            a.put("http.response.status_code", e.status());
            a.put("network.protocol.version", HttpSemconv.protocolVersion(e.protoMajor(), e.protoMinor()));
            if (e.status() >= 400) {
                a.put("error.type", Integer.toString(e.status()));
                status = StatusCode.ERROR;
            }
        }
        return span(ce, method.equals("_OTHER") ? "HTTP" : method, SpanKind.CLIENT, a.build(), status, SCOPE_NET_HTTP,
                "", "");
    }

    private Span db(CorrelatedEvent ce, DbEvent e) {
        String query = e.query();
        SqlSummary sql = SqlSummary.of(query);
        Attributes.Builder a = Attributes.builder();
        a.put("db.system.name", e.system() < SqlDrivers.SYSTEMS.size() ? SqlDrivers.SYSTEMS.get(e.system()) : "other_sql");
        if (!sql.operation().isEmpty()) {
            a.put("db.operation.name", sql.operation());
        }
        if (!sql.collection().isEmpty()) {
            a.put("db.collection.name", sql.collection());
        }
        if (dbQueryText) {
            // literals replaced by "?": values never leave the process; at most 512 bytes of the statement
            a.put("db.query.text", SqlSummary.sanitize(query));
        }
        StatusCode status = StatusCode.UNSET;
        String message = "";
        if (e.error()) {
            status = StatusCode.ERROR;
            Optional<SqlDrivers.ErrorType> type = SqlDrivers.errorType(e.errorType());
            String code = e.errorCode();
            if (!code.isEmpty()) {
                a.put("db.response.status_code", code);
            }
            a.put("error.type", !code.isEmpty() ? code : type.map(SqlDrivers.ErrorType::shortName).orElse("_OTHER"));
            String text = e.errorMessage();
            message = !text.isEmpty() ? text : type.map(SqlDrivers.ErrorType::fixedMessage).orElse("");
        }
        return span(ce, sql.spanName(), SpanKind.CLIENT, a.build(), status, SCOPE_DATABASE_SQL, "", message);
    }

    private Span redis(CorrelatedEvent ce, RedisEvent e) {
        List<RedisEvent.Arg> args = e.args();
        String operation = RedisSemconv.operation(e, args);
        Attributes.Builder a = Attributes.builder().put("db.system.name", "redis");
        if (!operation.isEmpty()) {
            a.put("db.operation.name", operation);
        }
        if (e.pipeline() && e.argc() > 1) {
            a.put("db.operation.batch.size", e.argc());
        }
        String text = dbQueryText ? RedisSemconv.queryText(e, args, operation) : "";
        if (!text.isEmpty()) {
            a.put("db.query.text", text);
        }
        if (e.db() >= 0) {
            a.put("db.namespace", Long.toString(e.db()));
        }
        String address = e.address();
        if (address.startsWith("/")) {
            a.put("server.address", address).put("network.transport", "unix");
        } else {
            HttpSemconv.HostPort server = hostPort(address);
            if (server != null) {
                a.put("server.address", server.host());
                if (server.port() != HttpSemconv.HostPort.NO_PORT) {
                    a.put("server.port", server.port());
                }
            }
        }
        StatusCode status = StatusCode.UNSET;
        String message = "";
        String errorText = e.error() ? e.errorText() : "";
        if (e.error() && !errorText.equals(RedisSemconv.NIL)) {
            status = StatusCode.ERROR;
            message = errorText;
            String code = RedisSemconv.errorCode(errorText);
            if (!code.isEmpty()) {
                a.put("db.response.status_code", code);
            }
            a.put("error.type", code.isEmpty() ? "_OTHER" : code);
        }
        return span(ce, operation.isEmpty() ? "redis" : operation, SpanKind.CLIENT, a.build(), status, SCOPE_GO_REDIS,
                "", message);
    }

    /** One message of a WriteMessages call; partition and offset only when known by the time it returned. */
    private Span kafkaProducer(CorrelatedEvent ce, KafkaProducerEvent e) {
        String topic = e.topic();
        Attributes.Builder a = kafkaMessage("send", "publish", topic, e.key(), e.keyLength(), e.valueLength(),
                e.partition(), e.offset(), e.tombstone());
        if (e.batchCount() > 1) {
            a.put("messaging.batch.message_count", e.batchCount());
        }
        StatusCode status = StatusCode.UNSET;
        if (e.error()) {
            a.put("error.type", "_OTHER");
            status = StatusCode.ERROR;
        }
        return span(ce, MessagingSemconv.spanName(topic, "publish"), SpanKind.PRODUCER, a.build(), status,
                SCOPE_KAFKA_GO, "", "");
    }

    /** One message FetchMessage returned; its parent (the producer, when known) was decided in the kernel. */
    private Span kafkaConsumer(CorrelatedEvent ce, KafkaConsumerEvent e) {
        String topic = e.topic();
        String group = e.group();
        Attributes.Builder a = kafkaMessage("receive", "receive", topic, e.key(), e.keyLength(), e.valueLength(),
                e.partition(), e.offset(), e.tombstone());
        if (!group.isEmpty()) {
            a.put("messaging.consumer.group.name", group);
        }
        return span(ce, MessagingSemconv.spanName(topic, "receive"), SpanKind.CONSUMER, a.build(), StatusCode.UNSET,
                SCOPE_KAFKA_GO, e.traceState(), "");
    }

    private static Attributes.Builder kafkaMessage(String type, String operation, String topic, byte[] key,
            int keyLength, int valueLength, int partition, long offset, boolean tombstone) {
        Attributes.Builder a = Attributes.builder()
                .put("messaging.system", MessagingSemconv.SYSTEM_KAFKA)
                .put("messaging.operation.type", type)
                .put("messaging.operation.name", operation)
                .put("messaging.destination.name", topic)
                .put("messaging.kafka.message.key", MessagingSemconv.messageKey(key, keyLength))
                .put("messaging.message.body.size", valueLength);
        if (partition >= 0) {
            a.put("messaging.destination.partition.id", Integer.toString(partition));
        }
        if (offset >= 0) {
            a.put("messaging.kafka.offset", offset);
        }
        if (tombstone) {
            a.put("messaging.kafka.message.tombstone", true);
        }
        return a;
    }

    private Span grpc(CorrelatedEvent ce, GrpcEvent e) {
        Attributes.Builder a = Attributes.builder().put("rpc.system", "grpc");
        String fullMethod = e.method();
        GrpcSemconv.Method method = GrpcSemconv.Method.parse(fullMethod);
        if (method != null) {
            a.put("rpc.service", method.service()).put("rpc.method", method.method());
        }
        boolean known = e.status() != GrpcEvent.STATUS_UNKNOWN;
        if (known) {
            a.put("rpc.grpc.status_code", e.status());
        }
        HttpSemconv.HostPort server = hostPort(e.authority());
        if (server != null) {
            a.put("server.address", server.host());
            if (server.port() != HttpSemconv.HostPort.NO_PORT) {
                a.put("server.port", server.port());
            }
        }
        TcpConnection conn = e.connection();
        if (conn != null) {
            a.put("network.peer.address", addresses.get(conn.peer()));
            a.put("network.peer.port", conn.peerPort());
            if (e.server()) {
                a.put("network.local.address", addresses.get(conn.local()));
                a.put("network.local.port", conn.localPort());
            }
        }
        // a client reports an unknown status only for a call that failed with an error it could not read; a
        // stream's unread error may be io.EOF, its normal end
        boolean error = known ? GrpcSemconv.isError(e.status()) : !e.server() && !e.statusUnread();
        return span(ce, GrpcSemconv.spanName(fullMethod), e.server() ? SpanKind.SERVER : SpanKind.CLIENT, a.build(),
                error ? StatusCode.ERROR : StatusCode.UNSET, SCOPE_GRPC, e.traceState(), error ? e.message() : "");
    }

    private HttpSemconv.HostPort hostPort(String hostPort) {
        return hostPort == null || hostPort.isEmpty() ? null : hostPorts.get(hostPort).orElse(null);
    }

    /** "METHOD route", or the method alone without a route; the last name again for the same pair. */
    private String serverSpanName(String method, String route) {
        if (route.isEmpty()) {
            return method;
        }
        if (!method.equals(lastMethod) || !route.equals(lastRoute)) {
            lastMethod = method;
            lastRoute = route;
            lastName = method + " " + route;
        }
        return lastName;
    }

    private Span span(CorrelatedEvent ce, String name, SpanKind kind, Attributes attributes, StatusCode status,
            String scope, String traceState, String statusMessage) {
        EventHeader h = ce.event().header();
        return new Span(
                ce.traceId(),
                h.spanId(),
                ce.parentSpanId(),
                ce.traceFlags(),
                name,
                kind,
                clock.toEpochNanos(h.startNs()),
                clock.toEpochNanos(h.endNs()),
                attributes,
                status,
                statusMessage,
                ce.resource(),
                scope,
                traceState,
                h.parentRemote());
    }
}
