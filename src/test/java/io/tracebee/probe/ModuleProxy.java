package io.tracebee.probe;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The released versions of a Go module, as a Go module proxy lists them ({@code <proxy>/<escaped path>/@v/list}).
 * The proxy is the first http(s) entry of {@code GOPROXY}, else {@code https://proxy.golang.org}.
 */
final class ModuleProxy {
    private static final String DEFAULT = "https://proxy.golang.org";

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(30)).followRedirects(HttpClient.Redirect.NORMAL).build();

    ModuleProxy(URI base) {
        this.base = base;
    }

    /** The proxy {@code go} itself would ask first. */
    static ModuleProxy fromEnvironment() {
        String goproxy = Optional.ofNullable(System.getenv("GOPROXY")).filter(s -> !s.isBlank()).orElse(DEFAULT);
        for (String entry : goproxy.split("[,|]")) {
            if (entry.startsWith("https://") || entry.startsWith("http://")) {
                return new ModuleProxy(URI.create(entry.endsWith("/") ? entry : entry + "/"));
            }
        }
        throw new IllegalStateException("GOPROXY=" + goproxy + " names no http(s) proxy to list module versions from");
    }

    /**
     * A module path as proxy URLs spell it: every uppercase letter becomes '!' and its lowercase
     * ({@code github.com/Azure/azure-sdk} becomes {@code github.com/!azure/azure-sdk}), so that the paths
     * stay distinct on case-insensitive file systems.
     */
    static String escape(String modulePath) {
        StringBuilder sb = new StringBuilder(modulePath.length() + 4);
        for (int i = 0; i < modulePath.length(); i++) {
            char c = modulePath.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                sb.append('!').append((char) (c - 'A' + 'a'));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Every version the proxy lists (tags; never pseudo-versions), in version order. */
    List<ModuleVersion> versions(String modulePath) throws IOException, InterruptedException {
        URI uri = base.resolve(escape(modulePath) + "/@v/list");
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(2)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + uri + " answered " + response.statusCode() + ": "
                    + response.body().strip().lines().findFirst().orElse(""));
        }
        return parseList(response.body());
    }

    /** The body of {@code @v/list}: one version a line; lines that are not module versions are ignored. */
    static List<ModuleVersion> parseList(String body) {
        return body.lines().map(String::strip).map(ModuleVersion::tryParse).flatMap(Optional::stream)
                .sorted().toList();
    }
}
