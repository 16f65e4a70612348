package io.tracebee.decode;

import static io.tracebee.decode.EventLayout.*;

/**
 * One net/http server request as the probe saw it when the handler returned ({@code struct tb_http_server_event}),
 * read in place ({@link RecordView}: valid while its batch is).
 */
public final class HttpServerEvent extends RecordView implements TracedEvent {

    HttpServerEvent(byte[] d, int off, RepeatedStrings repeated) {
        super(d, off, repeated);
    }

    /** Response status; 0 when the handler wrote nothing (Go then sends 200). */
    public int status() {
        return u16(HS_STATUS);
    }

    public int protoMajor() {
        return u8(HS_PROTO_MAJOR);
    }

    public int protoMinor() {
        return u8(HS_PROTO_MINOR);
    }

    public String method() {
        return repeatedAscii(HS_METHOD, HS_METHOD_LEN, HTTP_METHOD_MAX);
    }

    public String path() {
        return utf8(HS_PATH, HS_PATH_LEN, HTTP_PATH_MAX);
    }

    /** Whether the path filled the probe's buffer and may be cut short. */
    public boolean pathTruncated() {
        return length(HS_PATH_LEN, HTTP_PATH_MAX) == HTTP_PATH_MAX;
    }

    /** The Go 1.22+ ServeMux pattern that matched, e.g. "GET /hello/{id}"; empty if none. */
    public String pattern() {
        return repeatedUtf8(HS_PATTERN, HS_PATTERN_LEN, HTTP_PATTERN_MAX);
    }

    /**
     * The template of the route a framework router matched, in its syntax (gin "/users/:id", gorilla/mux
     * "/items/{id:[0-9]+}"); empty if none did.
     */
    public String route() {
        return repeatedUtf8(HS_ROUTE, HS_ROUTE_LEN, HTTP_ROUTE_MAX);
    }

    /** Which router matched {@link #route()}. */
    public RouteSource routeSource() {
        return RouteSource.of(u8(HS_ROUTE_SOURCE));
    }

    /** Request.RemoteAddr, "ip:port". */
    public String remoteAddr() {
        return ascii(HS_REMOTE_ADDR, HS_REMOTE_LEN, HTTP_ADDR_MAX);
    }

    /** Request.Host, "name[:port]". */
    public String host() {
        return repeatedUtf8(HS_HOST, HS_HOST_LEN, HTTP_HOST_MAX);
    }

    /** URL.RawQuery, without the "?". */
    public String query() {
        return utf8(HS_QUERY, HS_QUERY_LEN, HTTP_QUERY_MAX);
    }

    /** Whether the request arrived over TLS. */
    public boolean tls() {
        return (u16(HS_FLAGS) & HTTP_FLAG_TLS) != 0;
    }

    /** The request's TCP connection, or null when the probe could not read it (HTTP/2). */
    public TcpConnection connection() {
        return connection(HS_CONN);
    }

    /** The incoming W3C tracestate, continued with the incoming traceparent; "" if none. */
    public String traceState() {
        return ascii(HS_TRACESTATE, HS_TRACESTATE_LEN, TRACESTATE_MAX);
    }

    /** The router a route template came from, as enum tb_route_source. */
    public enum RouteSource {
        NONE, GIN, GORILLA_MUX;

        /** NONE for codes this agent does not know. */
        public static RouteSource of(int code) {
            return switch (code) {
                case EventLayout.ROUTE_GIN -> GIN;
                case EventLayout.ROUTE_GORILLA -> GORILLA_MUX;
                default -> NONE;
            };
        }
    }
}
