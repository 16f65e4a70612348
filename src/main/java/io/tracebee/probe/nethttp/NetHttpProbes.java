package io.tracebee.probe.nethttp;

import io.tracebee.probe.ProbeSpec;
import io.tracebee.probe.ProbeSpec.OffsetSpec;
import io.tracebee.probe.ProbeSpec.UprobeSpec;
import java.util.List;

/** The net/http probes (pairs with {@code src/main/bpf/http.bpf.c}). */
public final class NetHttpProbes {
    private NetHttpProbes() {
    }

    public static final ProbeSpec SERVER = new ProbeSpec(
            "net/http",
            "http",
            null,
            List.of(new UprobeSpec("net/http.serverHandler.ServeHTTP",
                    "uprobe_server_handler_serve_http", "uprobe_server_handler_serve_http_return")),
            List.of(
                    new OffsetSpec("off_request_method", "net/http.Request", "Method", null),
                    new OffsetSpec("off_request_url", "net/http.Request", "URL", null),
                    new OffsetSpec("off_request_proto_major", "net/http.Request", "ProtoMajor", null),
                    new OffsetSpec("off_request_proto_minor", "net/http.Request", "ProtoMinor", null),
                    new OffsetSpec("off_request_host", "net/http.Request", "Host", null),
                    new OffsetSpec("off_request_remote_addr", "net/http.Request", "RemoteAddr", null),
                    new OffsetSpec("off_url_path", "net/url.URL", "Path", null),
                    new OffsetSpec("off_request_pattern", "net/http.Request", "Pattern", "has_request_pattern"),
                    new OffsetSpec("off_request_tls", "net/http.Request", "TLS", "has_request_tls"),
                    new OffsetSpec("off_response_status", "net/http.response", "status", "has_response_status")));
}
