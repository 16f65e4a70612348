package io.tracebee.probe.grpc;

import io.tracebee.probe.ProbeSpec;
import io.tracebee.probe.ProbeSpec.OffsetSpec;
import io.tracebee.probe.ProbeSpec.UprobeSpec;
import io.tracebee.probe.goruntime.GoRuntimeProbes;
import io.tracebee.probe.nethttp.NetHttpProbes;
import java.util.ArrayList;
import java.util.List;

/**
 * The google.golang.org/grpc probes ({@code src/main/bpf/grpc_server.bpf.c}, {@code grpc_client.bpf.c}):
 * server spans per stream, client spans per unary call and per stream, and same-host links by (connection,
 * HTTP/2 stream id).
 */
public final class GrpcProbes {
    private GrpcProbes() {
    }

    static final String MODULE = "google.golang.org/grpc";
    private static final String GRPC = MODULE + ".";
    private static final String TRANSPORT = MODULE + "/internal/transport.";
    private static final String STATUS = MODULE + "/internal/status.";
    private static final String CREDENTIALS = MODULE + "/internal/credentials.";
    private static final String RPC_STATUS = "google.golang.org/genproto/googleapis/rpc/status.";
    private static final String HTTP2 = "golang.org/x/net/http2.";
    private static final String HPACK = "golang.org/x/net/http2/hpack.";

    public static final ProbeSpec SERVER = new ProbeSpec(
            "grpc server",
            "grpc_server",
            MODULE,
            // writeStatus replaced WriteStatus in v1.69 (the exported one became an inlined ServerStream method)
            List.of(new UprobeSpec(TRANSPORT + "(*http2Server).operateHeaders", "uprobe_grpc_operate_headers", null),
                    new UprobeSpec(GRPC + "(*Server).handleStream", "uprobe_grpc_handle_stream",
                            "uprobe_grpc_handle_stream_return"),
                    new UprobeSpec(TRANSPORT + "(*http2Server).WriteStatus", "uprobe_grpc_write_status", null, true),
                    new UprobeSpec(TRANSPORT + "(*http2Server).writeStatus", "uprobe_grpc_write_status", null, true)),
            concat(List.of(
                    GoRuntimeProbes.GOID,
                    new OffsetSpec("off_meta_headers_frame", HTTP2 + "MetaHeadersFrame", "HeadersFrame", null),
                    new OffsetSpec("off_meta_fields", HTTP2 + "MetaHeadersFrame", "Fields", null),
                    new OffsetSpec("off_meta_truncated", HTTP2 + "MetaHeadersFrame", "Truncated", null),
                    new OffsetSpec("off_headers_frame_header", HTTP2 + "HeadersFrame", "FrameHeader", null),
                    new OffsetSpec("off_frame_stream_id", HTTP2 + "FrameHeader", "StreamID", null),
                    new OffsetSpec("off_field_value", HPACK + "HeaderField", "Value", null),
                    new OffsetSpec("off_stream_id", TRANSPORT + "Stream", "id", null),
                    new OffsetSpec("off_stream_ctx", TRANSPORT + "Stream", "ctx", null),
                    new OffsetSpec("off_server_stream_stream", TRANSPORT + "ServerStream", "Stream", "has_server_stream"),
                    new OffsetSpec("off_server_conn", TRANSPORT + "http2Server", "conn", "has_server_conn"),
                    NetHttpProbes.netConnFd("has_server_conn"),
                    NetHttpProbes.netFdPfd("has_server_conn"),
                    NetHttpProbes.pollFdSysfd("has_server_conn")),
                    common()),
            new GrpcSetup(true));

    public static final ProbeSpec CLIENT = new ProbeSpec(
            "grpc client",
            "grpc_client",
            MODULE,
            // the loopy writer's hook for a new stream changed in the patch release v1.82.1
            List.of(new UprobeSpec(GRPC + "(*ClientConn).Invoke", "uprobe_grpc_invoke", "uprobe_grpc_invoke_return"),
                    new UprobeSpec(GRPC + "(*ClientConn).NewStream", "uprobe_grpc_new_stream",
                            "uprobe_grpc_new_stream_return"),
                    new UprobeSpec(GRPC + "newClientStreamWithParams", null, "uprobe_grpc_new_client_stream_return"),
                    new UprobeSpec(GRPC + "(*clientStream).finish", "uprobe_grpc_stream_finish", null),
                    new UprobeSpec(TRANSPORT + "(*http2Client).createHeaderFields", null,
                            "uprobe_grpc_create_header_fields_return", true),
                    new UprobeSpec(TRANSPORT + "(*loopyWriter).originateStream", "uprobe_grpc_originate_stream", null, true),
                    new UprobeSpec(TRANSPORT + "(*loopyWriter).clientHeaderHandler", "uprobe_grpc_client_header_handler",
                            null, true)),
            concat(List.of(
                    GoRuntimeProbes.GOID,
                    new OffsetSpec("off_client_conn_authority", GRPC + "ClientConn", "authority",
                            "has_client_conn_authority"),
                    new OffsetSpec("off_status_error_status", STATUS + "Error", "s", "has_status_error"),
                    new OffsetSpec("off_loopy_conn", TRANSPORT + "loopyWriter", "conn", "has_loopy_conn"),
                    NetHttpProbes.netConnFd("has_loopy_conn"),
                    NetHttpProbes.netFdPfd("has_loopy_conn"),
                    NetHttpProbes.pollFdSysfd("has_loopy_conn"),
                    new OffsetSpec("off_header_frame_stream_id", TRANSPORT + "headerFrame", "streamID", "has_header_frame"),
                    new OffsetSpec("off_header_frame_hf", TRANSPORT + "headerFrame", "hf", "has_header_frame"),
                    new OffsetSpec("off_client_headers_stream_id", TRANSPORT + "clientHeaders", "streamID",
                            "has_client_headers"),
                    new OffsetSpec("off_client_headers_hf", TRANSPORT + "clientHeaders", "hf", "has_client_headers")),
                    common()),
            new GrpcSetup(false));

    /**
     * Both sides (tb_grpc.h): a header field's name, a status's code and message, and grpc's TLS wrapper around
     * the raw connection.
     */
    private static List<OffsetSpec> common() {
        return List.of(
                new OffsetSpec("off_field_name", HPACK + "HeaderField", "Name", null),
                new OffsetSpec("off_status_s", STATUS + "Status", "s", "has_status"),
                new OffsetSpec("off_rpc_status_code", RPC_STATUS + "Status", "Code", "has_status"),
                new OffsetSpec("off_rpc_status_message", RPC_STATUS + "Status", "Message", "has_status"),
                new OffsetSpec("off_syscall_conn_sys", CREDENTIALS + "syscallConn", "sysConn", "has_syscall_conn"),
                new OffsetSpec("off_itab_type", "internal/abi.ITab", "Type", "has_syscall_conn"));
    }

    private static List<OffsetSpec> concat(List<OffsetSpec> a, List<OffsetSpec> b) {
        List<OffsetSpec> out = new ArrayList<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }
}
