package io.tracebee.decode;

/**
 * One net/http server request as the probe saw it when the handler returned.
 *
 * @param status response status; 0 when the handler wrote nothing (Go then sends 200)
 * @param pattern the Go 1.22+ ServeMux pattern that matched, e.g. "GET /hello/{id}"; empty if none
 * @param route the template of the route a framework router matched, in its syntax (gin "/users/:id",
 *        gorilla/mux "/items/{id:[0-9]+}"); empty if none did
 * @param routeSource which router matched {@code route}
 * @param remoteAddr Request.RemoteAddr, "ip:port"
 * @param host Request.Host, "name[:port]"
 * @param pathTruncated whether the path filled the probe's buffer and may be cut short
 * @param query URL.RawQuery, without the "?"
 * @param tls whether the request arrived over TLS
 * @param connection the request's TCP connection, or null when the probe could not read it (HTTP/2)
 * @param traceState the incoming W3C tracestate, continued with the incoming traceparent; "" if none
 */
public record HttpServerEvent(
        EventHeader header,
        int status,
        int protoMajor,
        int protoMinor,
        String method,
        String path,
        boolean pathTruncated,
        String pattern,
        String route,
        RouteSource routeSource,
        String remoteAddr,
        String host,
        String query,
        boolean tls,
        TcpConnection connection,
        String traceState) implements TracedEvent {

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
