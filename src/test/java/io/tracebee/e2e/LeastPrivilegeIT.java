package io.tracebee.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as an unprivileged user (nobody) holding only the capabilities README lists, attached to another
 * user's (root's) process: it traces it. Without CAP_SYS_ADMIN it cannot: this kernel (6.18) creates uprobes
 * only for CAP_SYS_ADMIN, and the refusal says so.
 */
class LeastPrivilegeIT {
    static final String CAPS = "+sys_admin,+bpf,+perfmon,+net_admin,+sys_ptrace,+dac_read_search";
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    /** The agent's app directory copied where nobody can read it (the checkout may lie under /root). */
    @TempDir
    static Path readable;

    static Path agentJar() throws IOException {
        Path app = Fixtures.agentJar().toAbsolutePath().getParent();
        Path copy = readable.resolve("quarkus-app");
        if (!Files.exists(copy)) {
            Fixtures.copyTree(app, copy);
            for (Path p = copy; p != null && !p.equals(readable.getParent()); p = p.getParent()) {
                p.toFile().setReadable(true, false);
                p.toFile().setExecutable(true, false);
            }
            try (Stream<Path> files = Files.walk(copy)) {
                files.forEach(f -> {
                    f.toFile().setReadable(true, false);
                    f.toFile().setExecutable(Files.isDirectory(f), false);
                });
            }
        }
        return copy.resolve(Fixtures.agentJar().getFileName().toString());
    }

    static List<String> asNobodyWith(String caps) {
        return List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all," + caps,
                "--ambient-caps=-all," + caps, "--bounding-set=-all," + caps);
    }

    @Test
    void tracesAnotherUsersProcessWithOnlyTheListedCapabilities() throws Exception {
        try (AgentProcess agent = AgentProcess.startUnder(asNobodyWith(CAPS), agentJar(), Map.of("HOME", "/tmp",
                "OTEL_BSP_SCHEDULE_DELAY", "200"));
                GoServer server = GoServer.start("httpserver-go1.26")) {
            assertThat(agent.process().output()).contains("tracebee started");
            HttpResponse<String> attach = post(agent, "{\"pid\": " + server.pid() + ", \"serviceName\": \"least\"}");
            assertThat(attach.statusCode()).as(attach.body()).isEqualTo(201);
            assertThat(server.get("/hello/least").statusCode()).isEqualTo(200);
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            String traces = "[]";
            while (traces.equals("[]") && System.nanoTime() < deadline) {
                traces = CLIENT.send(HttpRequest.newBuilder(URI.create(agent.baseUri() + "/api/traces?service=least")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                Thread.sleep(100);
            }
            assertThat(traces).contains("GET /hello/{id}");
        }
    }

    @Test
    void withoutSysAdminTheRefusalNamesTheCapability() throws Exception {
        try (AgentProcess agent = AgentProcess.startUnder(asNobodyWith(CAPS.replace("+sys_admin,", "")), agentJar(), Map.of("HOME", "/tmp"));
                GoServer server = GoServer.start("httpserver-go1.26")) {
            HttpResponse<String> attach = post(agent, "{\"pid\": " + server.pid() + "}");
            assertThat(attach.statusCode()).isEqualTo(422);
            assertThat(attach.body()).contains("creating uprobes needs CAP_SYS_ADMIN");
        }
    }

    private static HttpResponse<String> post(AgentProcess agent, String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(agent.baseUri() + "/targets"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
