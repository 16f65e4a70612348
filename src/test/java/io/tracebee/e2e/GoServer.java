package io.tracebee.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The test HTTP server ({@code src/test/go/httpserver}) built for one Go release, running. */
public final class GoServer implements AutoCloseable {
    private final ManagedProcess process;
    private final String address;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private GoServer(ManagedProcess process, String address) {
        this.process = process;
        this.address = address;
    }

    /** Starts the fixture, e.g. {@code httpserver-go1.26}, on a free loopback port. */
    public static GoServer start(String fixture, String... args) {
        return start(fixture, Map.of(), args);
    }

    /** The same, with extra environment variables. */
    public static GoServer start(String fixture, Map<String, String> env, String... args) {
        return start(fixture, Fixtures.file(fixture), env, args);
    }

    /** A copy of a fixture, wherever it lies (e.g. where an exe glob should find it). */
    public static GoServer start(java.nio.file.Path binary) {
        return start(binary.getFileName().toString(), binary, Map.of());
    }

    private static GoServer start(String name, java.nio.file.Path binary, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "-addr", "127.0.0.1:0"));
        command.addAll(List.of(args));
        ManagedProcess p = ManagedProcess.start(name, command, env);
        String line = p.awaitLine(l -> l.startsWith("listening on "), Duration.ofSeconds(20));
        return new GoServer(p, line.substring("listening on ".length()).trim());
    }

    public long pid() {
        return process.pid();
    }

    public String address() {
        return address;
    }

    public int port() {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create("http://" + address + path)).GET());
    }

    /** A GET with extra request headers, e.g. a W3C traceparent. */
    public HttpResponse<String> get(String path, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + address + path)).GET();
        headers.forEach(b::header);
        return send(b);
    }

    /**
     * GETs path on a thread of its own — once, or over and over — until a request fails: for calls in flight when a
     * test kills the server, whose failure then is expected.
     */
    public Thread getInBackground(String path, boolean repeat) {
        Thread t = new Thread(() -> {
            try {
                do {
                    get(path);
                } while (repeat);
            } catch (RuntimeException e) {
                // the server was killed
            }
        }, "get " + path);
        t.setDaemon(true);
        t.start();
        return t;
    }

    public HttpResponse<String> post(String path, String body) {
        return send(HttpRequest.newBuilder(URI.create("http://" + address + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** A request without a body, with any method (DELETE, PUT...). */
    public HttpResponse<String> request(String method, String path) {
        return send(HttpRequest.newBuilder(URI.create("http://" + address + path))
                .method(method, HttpRequest.BodyPublishers.noBody()));
    }

    private HttpResponse<String> send(HttpRequest.Builder b) {
        try {
            return client.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("request to " + address + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        process.close();
    }
}
