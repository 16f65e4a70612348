package io.tracebee.export;

import io.tracebee.config.Knob;
import io.tracebee.config.Settings;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * Settings of the OTLP/gRPC exporter, with OpenTelemetry environment-variable semantics in
 * {@link #fromEnv(Map)}.
 *
 * @param endpoint normalised to {@code http://host:port} (plaintext) or {@code https://host:port} (TLS)
 * @param headers sent as gRPC metadata on every call (keys lower-case)
 * @param timeout deadline of one call
 * @param compression {@code "gzip"} or {@code "none"}
 * @param certificate PEM file of trusted CAs for TLS, or null for the JDK's trust store
 * @param clientCertificate PEM client certificate for mTLS, or null
 * @param clientKey PEM (PKCS#8) client key for mTLS, or null
 * @param retry retry and backoff policy
 */
public record OtlpExporterConfig(
        URI endpoint,
        Map<String, String> headers,
        Duration timeout,
        String compression,
        Path certificate,
        Path clientCertificate,
        Path clientKey,
        RetryPolicy retry) {
    private static final Logger LOG = Logger.getLogger(OtlpExporterConfig.class);

    public static final String DEFAULT_ENDPOINT = Knob.OTLP_ENDPOINT.defaultValue();
    public static final Duration DEFAULT_TIMEOUT = Settings.of(Map.of()).getMillis(Knob.OTLP_TIMEOUT);

    public OtlpExporterConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        if (!"http".equals(endpoint.getScheme()) && !"https".equals(endpoint.getScheme())) {
            throw new IllegalArgumentException("OTLP endpoint must be http:// or https://: " + endpoint);
        }
        headers = headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        compression = compression == null ? "none" : compression;
        if (!compression.equals("gzip") && !compression.equals("none")) {
            throw new IllegalArgumentException("OTLP compression must be gzip or none: " + compression);
        }
        retry = retry == null ? RetryPolicy.defaults() : retry;
    }

    /** Plaintext, no headers, default timeout and retries. */
    public static OtlpExporterConfig of(String endpoint) {
        return new OtlpExporterConfig(parseEndpoint(endpoint, false), Map.of(), DEFAULT_TIMEOUT, "none",
                null, null, null, RetryPolicy.defaults());
    }

    /**
     * Reads {@code OTEL_EXPORTER_OTLP_[TRACES_]{ENDPOINT,HEADERS,TIMEOUT,COMPRESSION,INSECURE,CERTIFICATE,
     * CLIENT_CERTIFICATE,CLIENT_KEY}} as {@link Settings} reads them; the {@code TRACES_} variant wins over the
     * generic one.
     */
    public static OtlpExporterConfig fromEnv(Map<String, String> env) {
        Settings s = Settings.of(env);
        boolean insecure = s.getOrDefault(s.forTraces(Knob.OTLP_INSECURE)).equals("true");
        return new OtlpExporterConfig(
                parseEndpoint(s.getOrDefault(s.forTraces(Knob.OTLP_ENDPOINT)), insecure),
                parseHeaders(s.get(s.forTraces(Knob.OTLP_HEADERS)).orElse(null)),
                BatchConfig.noLimitIfZero(s.getMillis(s.forTraces(Knob.OTLP_TIMEOUT))),
                s.getOrDefault(s.forTraces(Knob.OTLP_COMPRESSION)),
                s.get(s.forTraces(Knob.OTLP_CERTIFICATE)).map(Path::of).orElse(null),
                s.get(s.forTraces(Knob.OTLP_CLIENT_CERTIFICATE)).map(Path::of).orElse(null),
                s.get(s.forTraces(Knob.OTLP_CLIENT_KEY)).map(Path::of).orElse(null),
                RetryPolicy.defaults());
    }

    public boolean tls() {
        return "https".equals(endpoint.getScheme());
    }

    public String host() {
        return endpoint.getHost();
    }

    public int port() {
        return endpoint.getPort();
    }

    public OtlpExporterConfig withHeaders(Map<String, String> headers) {
        return new OtlpExporterConfig(endpoint, headers, timeout, compression, certificate, clientCertificate,
                clientKey, retry);
    }

    public OtlpExporterConfig withTimeout(Duration timeout) {
        return new OtlpExporterConfig(endpoint, headers, timeout, compression, certificate, clientCertificate,
                clientKey, retry);
    }

    public OtlpExporterConfig withRetry(RetryPolicy retry) {
        return new OtlpExporterConfig(endpoint, headers, timeout, compression, certificate, clientCertificate,
                clientKey, retry);
    }

    public OtlpExporterConfig withCompression(String compression) {
        return new OtlpExporterConfig(endpoint, headers, timeout, compression, certificate, clientCertificate,
                clientKey, retry);
    }

    /**
     * {@code http://h:p} is plaintext, {@code https://h:p} TLS; without a scheme TLS is used unless
     * {@code insecure} (the OTel spec's OTEL_EXPORTER_OTLP_INSECURE). A missing port is 4317, or 443 for
     * https. Any path is ignored: gRPC has fixed method paths.
     */
    public static URI parseEndpoint(String endpoint, boolean insecure) {
        String text = endpoint.trim();
        if (!text.contains("://")) {
            text = (insecure ? "http://" : "https://") + text;
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Invalid OTLP endpoint: " + endpoint, e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("OTLP endpoint must be http:// or https://: " + endpoint);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("OTLP endpoint has no host: " + endpoint);
        }
        int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 4317;
        try {
            return new URI(scheme, null, uri.getHost(), port, null, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Invalid OTLP endpoint: " + endpoint, e);
        }
    }

    /**
     * Parses {@code k=v,k2=v2} (W3C-baggage-like, values URL-decoded); malformed entries are skipped
     * with a warning that does not show the value (it is often a credential).
     */
    public static Map<String, String> parseHeaders(String text) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return headers;
        }
        for (String entry : text.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            String key = eq < 0 ? entry.trim() : entry.substring(0, eq).trim();
            if (eq <= 0 || key.isEmpty()) {
                LOG.warnf("Ignoring malformed OTLP header entry (no key=value): %s", key);
                continue;
            }
            try {
                String value = URLDecoder.decode(entry.substring(eq + 1).trim(), StandardCharsets.UTF_8);
                headers.put(key.toLowerCase(Locale.ROOT), value);
            } catch (IllegalArgumentException e) {
                LOG.warnf("Ignoring OTLP header %s: value is not URL-encoded properly", key);
            }
        }
        return headers;
    }

    /** Header values are redacted: they usually carry credentials. */
    @Override
    public String toString() {
        return "OtlpExporterConfig[endpoint=" + endpoint + ", headers=" + headers.keySet() + ", timeout=" + timeout
                + ", compression=" + compression + ", certificate=" + certificate + ", clientCertificate="
                + clientCertificate + ", retry=" + retry + "]";
    }
}
