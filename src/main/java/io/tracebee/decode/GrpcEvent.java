package io.tracebee.decode;

/**
 * One google.golang.org/grpc call as a probe saw it when it ended: the server's handling of a stream, or a
 * client's unary or streaming call.
 *
 * @param server the server side ({@code (*Server).handleStream}), else the client's {@code (*ClientConn).Invoke}
 *               or {@code NewStream} to the stream's end
 * @param method the full method as sent in {@code :path}, "/package.Service/Method"
 * @param authority the server side's {@code :authority}, the client's {@code ClientConn} authority: "host[:port]"
 * @param status the gRPC status code, {@link #STATUS_UNKNOWN} when the probe saw none
 * @param message the status message of a non-OK status, "" if none or unread
 * @param flags {@code EventLayout.GRPC_FLAG_*}: see {@link #foreignError()}, {@link #stream()}, {@link #statusUnread()}
 * @param streamId the call's HTTP/2 stream id (a client's last attempt), 0 when unknown
 * @param connection the transport's TCP connection, or null when the probe could not read it
 * @param traceState server: the incoming W3C tracestate, continued with the incoming traceparent; "" if none
 */
public record GrpcEvent(EventHeader header, boolean server, String method, String authority, int status,
        String message, int flags, long streamId, TcpConnection connection, String traceState)
        implements TracedEvent {

    public static final int STATUS_UNKNOWN = EventLayout.GRPC_STATUS_UNKNOWN;

    /** Client: the call failed with an error that is not a gRPC status (reported as UNKNOWN). */
    public boolean foreignError() {
        return (flags & EventLayout.GRPC_FLAG_FOREIGN_ERROR) != 0;
    }

    /** Client: a streaming call, from {@code NewStream} to the stream's end. */
    public boolean stream() {
        return (flags & EventLayout.GRPC_FLAG_STREAM) != 0;
    }

    /**
     * Client: a stream ended with an error the probe could not read (no symbol table): it may be {@code io.EOF},
     * a normal end, so the span is not marked failed.
     */
    public boolean statusUnread() {
        return (flags & EventLayout.GRPC_FLAG_UNREAD) != 0;
    }
}
