package io.tracebee.control;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.tracebee.config.Knob;
import io.tracebee.config.Settings;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Who may use the agent's HTTP API. tracebee runs privileged, and its control plane attaches probes to any
 * process: by default it listens on 127.0.0.1 only. Listening on any other address requires a bearer token
 * ({@code TRACEBEE_API_TOKEN}, or the first line of the file {@code TRACEBEE_API_TOKEN_FILE} names); without one
 * the agent refuses to start. With a token, every request but the health checks ({@code /q/health}, which
 * orchestrators probe without credentials) must carry {@code Authorization: Bearer <token>} — the control plane,
 * the trace view and the metrics alike — or gets 401 problem+json. The token is compared in constant time and
 * never logged.
 */
@ApplicationScoped
public class ApiAccess {
    private static final Logger LOG = Logger.getLogger(ApiAccess.class);

    @Inject
    Settings settings;

    private volatile byte[] token;

    void start(@Observes StartupEvent event) {
        String host = settings.getOrDefault(Knob.HTTP_HOST);
        token = configuredToken(settings).map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(null);
        String refusal = refusal(host, token != null);
        if (refusal != null) {
            throw new IllegalStateException(refusal);
        }
        LOG.infof("HTTP API on %s: %s", host, token != null ? "bearer token required (but for /q/health)" : "loopback only, no token");
    }

    void register(@Observes Filters filters) {
        filters.register(this::check, 1000);
    }

    private void check(RoutingContext rc) {
        byte[] expected = token;
        if (expected == null || rc.normalizedPath().startsWith("/q/health")) {
            rc.next();
            return;
        }
        String auth = rc.request().getHeader("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
                && MessageDigest.isEqual(expected, auth.substring(7).trim().getBytes(StandardCharsets.UTF_8))) {
            rc.next();
            return;
        }
        LOG.warnf("refused %s %s from %s: %s", rc.request().method(), rc.normalizedPath(), rc.request().remoteAddress(),
                auth == null ? "no bearer token" : "wrong token");
        String detail = auth == null ? "this agent requires Authorization: Bearer <token>" : "the bearer token is not this agent's";
        rc.response().setStatusCode(401).putHeader("Content-Type", ProblemMapper.PROBLEM_JSON.toString())
                .putHeader("WWW-Authenticate", "Bearer realm=\"tracebee\"")
                .end(new JsonObject(ProblemMapper.body(401, "unauthorized", "Unauthorized", detail, rc.normalizedPath())).encode());
    }

    /** Why the agent must not start with this host and token, or null. */
    static String refusal(String host, boolean hasToken) {
        if (hasToken || isLoopback(host)) {
            return null;
        }
        return "refusing to listen on " + host + " without a token: the control plane attaches probes to any process. "
                + "Set " + Knob.API_TOKEN.env() + " (or " + Knob.API_TOKEN_FILE.env() + " to a file holding it), or "
                + "listen on 127.0.0.1";
    }

    static boolean isLoopback(String host) {
        if (host.equals("localhost")) {
            return true;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The token from the environment, else from the file named there; an empty or unreadable file is an error. */
    static Optional<String> configuredToken(Settings settings) {
        Optional<String> direct = settings.get(Knob.API_TOKEN);
        if (direct.isPresent()) {
            return direct;
        }
        Optional<String> file = settings.get(Knob.API_TOKEN_FILE);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            String t = Files.readAllLines(Path.of(file.get()), StandardCharsets.UTF_8).stream().findFirst().orElse("").trim();
            if (t.isEmpty()) {
                throw new IllegalStateException(Knob.API_TOKEN_FILE.env() + " names " + file.get()
                        + ", whose first line is empty");
            }
            return Optional.of(t);
        } catch (IOException e) {
            throw new IllegalStateException(Knob.API_TOKEN_FILE.env() + " names " + file.get()
                    + ", which cannot be read: " + e);
        }
    }
}
