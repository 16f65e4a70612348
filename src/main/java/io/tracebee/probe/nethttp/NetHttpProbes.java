package io.tracebee.probe.nethttp;

import io.tracebee.probe.ProbeSpec;
import io.tracebee.probe.ProbeSpec.OffsetSpec;
import io.tracebee.probe.ProbeSpec.UprobeSpec;
import io.tracebee.probe.goruntime.GoRuntimeProbes;
import java.util.List;

/** The net/http probes (pairs with {@code src/main/bpf/http.bpf.c}). */
public final class NetHttpProbes {
    private NetHttpProbes() {
    }

    public static final ProbeSpec SERVER = new ProbeSpec(
            "net/http server",
            "http_server",
            null,
            List.of(new UprobeSpec("net/http.serverHandler.ServeHTTP",
                    "uprobe_server_handler_serve_http", "uprobe_server_handler_serve_http_return")),
            List.of(
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
                    new OffsetSpec("off_response_status", "net/http.response", "status", "has_response_status")));

    /** Client calls ({@code src/main/bpf/http_client.bpf.c}): a child of the calling goroutine's span. */
    public static final ProbeSpec CLIENT = new ProbeSpec(
            "net/http client",
            "http_client",
            null,
            List.of(new UprobeSpec("net/http.(*Transport).roundTrip",
                    "uprobe_transport_round_trip", "uprobe_transport_round_trip_return")),
            List.of(
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
                    new OffsetSpec("off_response_proto_minor", "net/http.Response", "ProtoMinor", null)));
}
