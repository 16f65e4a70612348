package io.tracebee.decode;

import static io.tracebee.decode.EventLayout.*;

/**
 * One google.golang.org/grpc call as a probe saw it when it ended ({@code struct tb_grpc_event}): the server's
 * handling of a stream, or a client's unary or streaming call. Read in place ({@link RecordView}: valid while its
 * batch is).
 */
public final class GrpcEvent extends RecordView implements TracedEvent {

    public static final int STATUS_UNKNOWN = EventLayout.GRPC_STATUS_UNKNOWN;

    GrpcEvent(byte[] d, int off, RepeatedStrings repeated) {
        super(d, off, repeated);
    }

    /**
     * The server side ({@code (*Server).handleStream}), else the client's {@code (*ClientConn).Invoke} or
     * {@code NewStream} to the stream's end.
     */
    public boolean server() {
        return d[off + GRPC_SIDE] == GRPC_SERVER;
    }

    /** The full method as sent in {@code :path}, "/package.Service/Method". */
    public String method() {
        return repeatedUtf8(GRPC_METHOD, GRPC_METHOD_LEN, GRPC_METHOD_MAX);
    }

    /** The server side's {@code :authority}, the client's {@code ClientConn} authority: "host[:port]". */
    public String authority() {
        return repeatedUtf8(GRPC_AUTHORITY, GRPC_AUTHORITY_LEN, GRPC_AUTHORITY_MAX);
    }

    /** The gRPC status code, {@link #STATUS_UNKNOWN} when the probe saw none. */
    public int status() {
        return i32(GRPC_STATUS);
    }

    /** The status message of a non-OK status, "" if none or unread. */
    public String message() {
        return utf8(GRPC_MESSAGE, GRPC_MESSAGE_LEN, GRPC_MESSAGE_MAX);
    }

    /** {@code EventLayout.GRPC_FLAG_*}: see {@link #foreignError()}, {@link #stream()}, {@link #statusUnread()}. */
    public int flags() {
        return u8(GRPC_FLAGS);
    }

    /** The call's HTTP/2 stream id (a client's last attempt), 0 when unknown. */
    public long streamId() {
        return Integer.toUnsignedLong(i32(GRPC_STREAM_ID));
    }

    /** The transport's TCP connection, or null when the probe could not read it. */
    public TcpConnection connection() {
        return connection(GRPC_CONN);
    }

    /** Server: the incoming W3C tracestate, continued with the incoming traceparent; "" if none. */
    public String traceState() {
        return ascii(GRPC_TRACESTATE, GRPC_TRACESTATE_LEN, TRACESTATE_MAX);
    }

    /** Client: the call failed with an error that is not a gRPC status (reported as UNKNOWN). */
    public boolean foreignError() {
        return (flags() & EventLayout.GRPC_FLAG_FOREIGN_ERROR) != 0;
    }

    /** Client: a streaming call, from {@code NewStream} to the stream's end. */
    public boolean stream() {
        return (flags() & EventLayout.GRPC_FLAG_STREAM) != 0;
    }

    /**
     * Client: a stream ended with an error the probe could not read (no symbol table): it may be {@code io.EOF},
     * a normal end, so the span is not marked failed.
     */
    public boolean statusUnread() {
        return (flags() & EventLayout.GRPC_FLAG_UNREAD) != 0;
    }
}
