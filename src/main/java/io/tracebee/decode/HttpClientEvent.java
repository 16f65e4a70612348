package io.tracebee.decode;

import static io.tracebee.decode.EventLayout.*;

/**
 * One net/http client call (Transport.roundTrip) as the probe saw it when it returned
 * ({@code struct tb_http_client_event}), read in place ({@link RecordView}: valid while its batch is).
 */
public final class HttpClientEvent extends RecordView implements TracedEvent {

    HttpClientEvent(byte[] d, int off, RepeatedStrings repeated) {
        super(d, off, repeated);
    }

    /** Response status code; 0 when there was no response. */
    public int status() {
        return u16(HC_STATUS);
    }

    public int protoMajor() {
        return u8(HC_PROTO_MAJOR);
    }

    public int protoMinor() {
        return u8(HC_PROTO_MINOR);
    }

    public String method() {
        return repeatedAscii(HC_METHOD, HC_METHOD_LEN, HTTP_METHOD_MAX);
    }

    public String scheme() {
        return repeatedAscii(HC_SCHEME, HC_SCHEME_LEN, HTTP_SCHEME_MAX);
    }

    /** URL.Host, "name[:port]". */
    public String host() {
        return repeatedUtf8(HC_HOST, HC_HOST_LEN, HTTP_HOST_MAX);
    }

    public String path() {
        return utf8(HC_PATH, HC_PATH_LEN, HTTP_PATH_MAX);
    }

    /** URL.RawQuery, without the "?". */
    public String query() {
        return utf8(HC_QUERY, HC_QUERY_LEN, HTTP_QUERY_MAX);
    }

    /** roundTrip returned an error instead of a response. */
    public boolean transportError() {
        return (u16(HC_FLAGS) & HTTP_CLIENT_FLAG_ERROR) != 0;
    }

    /** The URL carried credentials; they were never copied out of the process. */
    public boolean hadUserInfo() {
        return (u16(HC_FLAGS) & HTTP_CLIENT_FLAG_USERINFO) != 0;
    }

    /** The TCP connection the request went out on, or null (HTTP/2, or no connection). */
    public TcpConnection connection() {
        return connection(HC_CONN);
    }
}
