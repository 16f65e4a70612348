package io.tracebee.probe.nethttp;

import io.tracebee.probe.ProbeSpec;
import io.tracebee.probe.ProbeSpec.OffsetSpec;
import io.tracebee.probe.ProbeSpec.UprobeSpec;
import io.tracebee.probe.goruntime.GoRuntimeProbes;
import java.util.Arrays;
import java.util.List;

/** The net/http probes ({@code src/main/bpf/http_server.bpf.c}, {@code http_client.bpf.c}). */
public final class NetHttpProbes {
    private NetHttpProbes() {
    }

    public static final ProbeSpec SERVER = new ProbeSpec(
            "net/http server",
            "http_server",
            null,
            List.of(new UprobeSpec("net/http.serverHandler.ServeHTTP",
                    "uprobe_server_handler_serve_http", "uprobe_server_handler_serve_http_return")),
            concat(List.of(
                    GoRuntimeProbes.GOID,
                    new OffsetSpec("off_request_method", "net/http.Request", "Method", null),
                    new OffsetSpec("off_request_url", "net/http.Request", "URL", null),
                    new OffsetSpec("off_request_proto_major", "net/http.Request", "ProtoMajor", null),
                    new OffsetSpec("off_request_proto_minor", "net/http.Request", "ProtoMinor", null),
                    new OffsetSpec("off_request_host", "net/http.Request", "Host", null),
                    new OffsetSpec("off_request_remote_addr", "net/http.Request", "RemoteAddr", null),
                    new OffsetSpec("off_url_path", "net/url.URL", "Path", null),
                    new OffsetSpec("off_url_raw_query", "net/url.URL", "RawQuery", null),
                    new OffsetSpec("off_request_pattern", "net/http.Request", "Pattern", "has_request_pattern"),
                    new OffsetSpec("off_request_tls", "net/http.Request", "TLS", "has_request_tls"),
                    new OffsetSpec("off_response_status", "net/http.response", "status", "has_response_status"),
                    requestCtx()),
            headerMap(),
            List.of(
                    // from the ResponseWriter to the socket, for same-host links (tb_conn.h)
                    new OffsetSpec("off_response_conn", "net/http.response", "conn", "has_server_conn"),
                    new OffsetSpec("off_conn_rwc", "net/http.conn", "rwc", "has_server_conn"),
                    new OffsetSpec("off_conn_tls_state", "net/http.conn", "tlsState", "has_server_conn"),
                    tlsConn("has_server_conn"), netConnFd("has_server_conn"), netFdPfd("has_server_conn"),
                    pollFdSysfd("has_server_conn"))));

    /** Client calls ({@code src/main/bpf/http_client.bpf.c}): a child of the calling goroutine's span. */
    public static final ProbeSpec CLIENT = new ProbeSpec(
            "net/http client",
            "http_client",
            null,
            List.of(new UprobeSpec("net/http.(*Transport).roundTrip",
                    "uprobe_transport_round_trip", "uprobe_transport_round_trip_return"),
                    new UprobeSpec("net/http.(*persistConn).roundTrip", "uprobe_persist_conn_round_trip", null)),
            concat(List.of(
                    GoRuntimeProbes.GOID,
                    new OffsetSpec("off_request_method", "net/http.Request", "Method", null),
                    new OffsetSpec("off_request_url", "net/http.Request", "URL", null),
                    new OffsetSpec("off_url_scheme", "net/url.URL", "Scheme", null),
                    new OffsetSpec("off_url_user", "net/url.URL", "User", null),
                    new OffsetSpec("off_url_host", "net/url.URL", "Host", null),
                    new OffsetSpec("off_url_path", "net/url.URL", "Path", null),
                    new OffsetSpec("off_url_raw_query", "net/url.URL", "RawQuery", null),
                    new OffsetSpec("off_response_status_code", "net/http.Response", "StatusCode", null),
                    new OffsetSpec("off_response_proto_major", "net/http.Response", "ProtoMajor", null),
                    new OffsetSpec("off_response_proto_minor", "net/http.Response", "ProtoMinor", null),
                    requestCtx(),
                    new OffsetSpec("off_pconn_conn", "net/http.persistConn", "conn", "has_client_conn"),
                    new OffsetSpec("off_pconn_tls_state", "net/http.persistConn", "tlsState", "has_client_conn"),
                    tlsConn("has_client_conn"), netConnFd("has_client_conn"), netFdPfd("has_client_conn"),
                    pollFdSysfd("has_client_conn")),
                    // the outgoing request's headers: does it carry a traceparent already?
                    headerMap()));

    /**
     * Request.Header, a Go map: Swiss tables from go1.24, buckets before (go_headers.h). Each layout's
     * offsets share one presence flag, so a probe uses the layout whose offsets are all known.
     */
    private static List<OffsetSpec> headerMap() {
        return List.of(
                new OffsetSpec("off_request_header", "net/http.Request", "Header", null),
                new OffsetSpec("off_swiss_dir_ptr", "internal/runtime/maps.Map", "dirPtr", "has_swiss_map"),
                new OffsetSpec("off_swiss_dir_len", "internal/runtime/maps.Map", "dirLen", "has_swiss_map"),
                new OffsetSpec("off_swiss_table_groups", "internal/runtime/maps.table", "groups", "has_swiss_map"),
                new OffsetSpec("off_swiss_groups_data", "internal/runtime/maps.groupsReference", "data", "has_swiss_map"),
                new OffsetSpec("off_swiss_groups_mask", "internal/runtime/maps.groupsReference", "lengthMask",
                        "has_swiss_map"),
                new OffsetSpec("off_hmap_b", "runtime.hmap", "B", "has_bucket_map"),
                new OffsetSpec("off_hmap_buckets", "runtime.hmap", "buckets", "has_bucket_map"),
                new OffsetSpec("off_hmap_oldbuckets", "runtime.hmap", "oldbuckets", "has_bucket_map"));
    }

    @SafeVarargs
    private static List<OffsetSpec> concat(List<OffsetSpec>... parts) {
        return Arrays.stream(parts).flatMap(List::stream).toList();
    }

    /** Request.ctx: servers register their span under it, clients find it up the context chain. */
    private static OffsetSpec requestCtx() {
        return new OffsetSpec("off_request_ctx", "net/http.Request", "ctx", "has_request_ctx");
    }

    // From a net.Conn's data word to its file descriptor (tb_conn.h), shared by every probe that reads sockets.

    public static OffsetSpec tlsConn(String flag) {
        return new OffsetSpec("off_tls_conn_conn", "crypto/tls.Conn", "conn", flag);
    }

    public static OffsetSpec netConnFd(String flag) {
        return new OffsetSpec("off_net_conn_fd", "net.conn", "fd", flag);
    }

    public static OffsetSpec netFdPfd(String flag) {
        return new OffsetSpec("off_netfd_pfd", "net.netFD", "pfd", flag);
    }

    public static OffsetSpec pollFdSysfd(String flag) {
        return new OffsetSpec("off_pollfd_sysfd", "internal/poll.FD", "Sysfd", flag);
    }
}
