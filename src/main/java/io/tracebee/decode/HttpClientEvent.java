package io.tracebee.decode;

/**
 * One net/http client call (Transport.roundTrip) as the probe saw it when it returned.
 *
 * @param status response status code; 0 when there was no response
 * @param transportError roundTrip returned an error instead of a response
 * @param hadUserInfo the URL carried credentials; they were never copied out of the process
 * @param host URL.Host, "name[:port]"
 * @param query URL.RawQuery, without the "?"
 * @param connection the TCP connection the request went out on, or null (HTTP/2, or no connection)
 */
public record HttpClientEvent(
        EventHeader header,
        int status,
        int protoMajor,
        int protoMinor,
        String method,
        String scheme,
        String host,
        String path,
        String query,
        boolean transportError,
        boolean hadUserInfo,
        TcpConnection connection) implements TracedEvent {
}
