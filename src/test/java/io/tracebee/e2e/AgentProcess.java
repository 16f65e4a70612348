package io.tracebee.e2e;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The tracebee agent started from its jar, as a user runs it. */
public final class AgentProcess implements AutoCloseable {
    /** HTTP/1.1 (no h2c upgrade attempt) and a timeout on every request: a harness never waits forever. */
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    static {
        // rest-assured has no socket timeout by default
        io.restassured.RestAssured.config = io.restassured.config.RestAssuredConfig.config().httpClient(
                io.restassured.config.HttpClientConfig.httpClientConfig()
                        .setParam("http.connection.timeout", 5_000)
                        .setParam("http.socket.timeout", 10_000));
    }

    private final ManagedProcess process;
    private final int port;

    private AgentProcess(ManagedProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    public static AgentProcess start(Map<String, String> env, String... args) {
        return startUnder(List.of(), env, args);
    }

    /** The agent run through {@code wrapper} (e.g. setpriv, to drop privileges). */
    public static AgentProcess startUnder(List<String> wrapper, Map<String, String> env, String... args) {
        return startUnder(wrapper, Fixtures.agentJar(), env, args);
    }

    /** The same, from the agent jar at {@code jar} (e.g. a copy an unprivileged user can read). */
    public static AgentProcess startUnder(List<String> wrapper, java.nio.file.Path jar, Map<String, String> env,
            String... args) {
        int port = Fixtures.freePort();
        Map<String, String> e = new HashMap<>(env);
        e.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.addAll(List.of(Path.javaBin(), "-Xmx256m", "-jar", jar.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        ManagedProcess p = ManagedProcess.start("tracebee-" + port, cmd, e);
        AgentProcess agent = new AgentProcess(p, port);
        agent.awaitReady();
        return agent;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("tracebee exited:\n" + process.output());
            }
            try {
                HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(baseUri() + "/q/health/ready"))
                        .timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (Exception notYet) {
                // not listening yet
            }
            ManagedProcess.sleep(100);
        }
        throw new AssertionError("tracebee did not become ready:\n" + process.output());
    }

    /** The agent's own tracebee_* metrics, for failure messages. */
    public String metrics() {
        try {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(baseUri() + "/q/metrics"))
                    .header("Accept", "text/plain").timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
            return r.body().lines().filter(l -> l.startsWith("tracebee_")).reduce("", (a, b) -> a + b + "\n");
        } catch (Exception e) {
            return "metrics unavailable: " + e;
        }
    }

    public String baseUri() {
        return "http://127.0.0.1:" + port;
    }

    /** POST /targets for a running process under the given service name; expects 201. */
    public void attach(long pid, String serviceName) {
        RestAssured.given().baseUri(baseUri()).contentType(ContentType.JSON)
                .body(Map.of("pid", pid, "serviceName", serviceName))
                .when().post("/targets").then().statusCode(201);
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public String output() {
        return process.output();
    }

    public ManagedProcess process() {
        return process;
    }

    @Override
    public void close() {
        process.close();
    }

    private static final class Path {
        static String javaBin() {
            return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        }
    }
}
