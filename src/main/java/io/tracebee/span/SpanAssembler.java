package io.tracebee.span;

import io.tracebee.correlate.CorrelatedEvent;
import io.tracebee.decode.DbEvent;
import io.tracebee.decode.EventHeader;
import io.tracebee.decode.HttpClientEvent;
import io.tracebee.decode.HttpServerEvent;
import io.tracebee.decode.TcpConnection;
import io.tracebee.decode.TracedEvent;
import java.util.ArrayList;
import java.util.List;

/** Builds OpenTelemetry spans (semantic conventions 1.37) from correlated kernel events. */
public final class SpanAssembler {
    public static final String SCOPE_NET_HTTP = "io.tracebee/net/http";
    public static final String SCOPE_DATABASE_SQL = "io.tracebee/database/sql";

    private final WallClock clock;

    public SpanAssembler(WallClock clock) {
        this.clock = clock;
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
        throw new IllegalArgumentException("no span assembly for " + event.getClass().getSimpleName());
    }

    private Span httpServer(CorrelatedEvent ce, HttpServerEvent e) {
        String method = HttpSemconv.normalizeMethod(e.method());
        String route = HttpSemconv.route(e.route(), e.pattern());
        int status = e.status() == 0 ? 200 : e.status();
        Attributes.Builder a = Attributes.builder()
                .put("http.request.method", method);
        if (!method.equals(e.method())) {
            a.put("http.request.method_original", e.method());
        }
        a.put("url.path", e.path());
        if (!e.query().isEmpty()) {
            a.put("url.query", HttpSemconv.redactQuery(e.query()));
        }
        a.put("url.scheme", e.tls() ? "https" : "http");
        a.put("http.response.status_code", status);
        if (!route.isEmpty()) {
            a.put("http.route", route);
        }
        TcpConnection conn = e.connection();
        if (conn != null) {
            a.put("network.peer.address", conn.peerAddress());
            a.put("network.peer.port", conn.peerPort());
            a.put("network.local.address", conn.localAddress());
            a.put("network.local.port", conn.localPort());
        } else {
            HttpSemconv.HostPort peer = HttpSemconv.HostPort.parse(e.remoteAddr());
            if (peer != null) {
                a.put("network.peer.address", peer.host());
                if (peer.port() != HttpSemconv.HostPort.NO_PORT) {
                    a.put("network.peer.port", peer.port());
                }
            }
        }
        HttpSemconv.HostPort server = HttpSemconv.HostPort.parse(e.host());
        if (server != null) {
            a.put("server.address", server.host());
            a.put("server.port", server.portOrDefault(e.tls()));
        }
        a.put("network.protocol.version", HttpSemconv.protocolVersion(e.protoMajor(), e.protoMinor()));

        String name = route.isEmpty() ? method : method + " " + route;
        if (method.equals("_OTHER")) {
            name = route.isEmpty() ? "HTTP" : "HTTP " + route;
        }
        boolean error = status >= 500;
        return span(ce, name, SpanKind.SERVER, a.build(), error ? StatusCode.ERROR : StatusCode.UNSET, SCOPE_NET_HTTP,
                e.traceState());
    }

    private Span httpClient(CorrelatedEvent ce, HttpClientEvent e) {
        String method = HttpSemconv.normalizeMethod(e.method());
        String scheme = e.scheme().isEmpty() ? "http" : e.scheme();
        Attributes.Builder a = Attributes.builder().put("http.request.method", method);
        if (!method.equals(e.method())) {
            a.put("http.request.method_original", e.method());
        }
        a.put("url.full", HttpSemconv.fullUrl(scheme, e.hadUserInfo(), e.host(), e.path(),
                HttpSemconv.redactQuery(e.query())));
        HttpSemconv.HostPort server = HttpSemconv.HostPort.parse(e.host());
        if (server != null) {
            a.put("server.address", server.host());
            a.put("server.port", server.portOrDefault(scheme.equals("https")));
        }
        TcpConnection conn = e.connection();
        if (conn != null) {
            a.put("network.peer.address", conn.peerAddress());
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
                "");
    }

    private Span db(CorrelatedEvent ce, DbEvent e) {
        SqlSummary sql = SqlSummary.of(e.query());
        Attributes.Builder a = Attributes.builder();
        if (!sql.operation().isEmpty()) {
            a.put("db.operation.name", sql.operation());
        }
        if (!sql.collection().isEmpty()) {
            a.put("db.collection.name", sql.collection());
        }
        // literals replaced by "?": values never leave the process; at most 512 bytes of the statement
        a.put("db.query.text", SqlSummary.sanitize(e.query()));
        StatusCode status = StatusCode.UNSET;
        if (e.error()) {
            a.put("error.type", "_OTHER");
            status = StatusCode.ERROR;
        }
        return span(ce, sql.spanName(), SpanKind.CLIENT, a.build(), status, SCOPE_DATABASE_SQL, "");
    }

    private Span span(CorrelatedEvent ce, String name, SpanKind kind, Attributes attributes, StatusCode status,
            String scope, String traceState) {
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
                "",
                ce.resource(),
                scope,
                traceState,
                h.parentRemote());
    }
}
