package io.tracebee.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * docker/compose.yaml's sidecar, without a container engine: the agent shares a pid namespace of its own with two
 * services (unshare --pid --mount-proc, as {@code pid: service:bookshop} does), holding exactly the capabilities the
 * compose file grants, as root (cap_drop ALL + cap_add). It must see and report the pids of that namespace, carry a
 * trace from one service into the other (traceparent through sock_ops/sk_msg, keyed by those pids), and leave alone
 * a process of the same binary outside the namespace, counting its events.
 */
class SidecarNamespaceIT {
    private static final String FIXTURE = "httpserver-go1.26";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    /** cap_add of the compose file's tracebee service, as setpriv writes capabilities. */
    static String composeCapabilities() throws Exception {
        JsonNode service = DeploymentFiles.composeService("tracebee");
        assertThat(service.path("cap_drop").toString()).as("the sidecar drops every other capability").contains("ALL");
        assertThat(service.path("pid").asText()).isEqualTo("service:bookshop");
        List<String> caps = new ArrayList<>();
        service.path("cap_add").forEach(c -> caps.add("+" + c.asText().toLowerCase(Locale.ROOT)));
        assertThat(caps).isNotEmpty();
        return String.join(",", caps);
    }

    @Test
    void theSidecarTracesItsNamespaceByItsPidsAndNothingOutsideIt() throws Exception {
        String caps = composeCapabilities();
        String binary = Fixtures.file(FIXTURE).toAbsolutePath().toString();
        int front = Fixtures.freePort();
        int back = Fixtures.freePort();
        // pid 1 is the shell, which starts the two services (pids 2 and 3) and becomes the agent
        List<String> wrapper = List.of("unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "--",
                "sh", "-c", binary + " -addr 127.0.0.1:" + front + " & " + binary + " -addr 127.0.0.1:" + back
                        + " & exec setpriv --inh-caps=-all," + caps + " --ambient-caps=-all," + caps
                        + " --bounding-set=-all," + caps + " \"$@\"",
                "sidecar");
        try (GoServer outside = GoServer.start(FIXTURE);
                AgentProcess agent = AgentProcess.startUnder(wrapper, Map.of("OTEL_BSP_SCHEDULE_DELAY", "200"),
                        "--target-exe", binary)) {
            assertThat(agent.output()).contains("runs in a pid namespace of its own")
                    .doesNotContain("are not swept");
            String base = "http://127.0.0.1:" + front;
            get(base + "/call?url=http://127.0.0.1:" + back + "/hello/ns");
            assertThat(outside.get("/hello/outside").statusCode()).isEqualTo(200);

            // an exe target lists the processes its spans came from
            JsonNode target = await(agent, "/targets", t -> t.get(0).path("pids").size() == 2).get(0);
            assertThat(target.path("state").asText()).isEqualTo("attached");
            List<Integer> inside = namespacePids(binary);
            assertThat(inside).hasSize(2);
            List<Integer> listed = new ArrayList<>();
            target.path("pids").forEach(p -> listed.add(p.asInt()));
            assertThat(listed).as("the namespace's own pids, as /proc/<pid>/status NSpid gives them")
                    .containsExactlyInAnyOrderElementsOf(inside);

            JsonNode traces = await(agent, "/api/traces", t -> t.size() >= 1 && t.get(0).path("spanCount").asInt() == 3);
            assertThat(traces).hasSize(1);
            JsonNode trace = await(agent, "/api/traces/" + traces.get(0).path("traceId").asText(), t -> true);
            List<String> spans = new ArrayList<>();
            for (JsonNode s : trace.path("spans")) {
                spans.add(s.path("kind").asText() + " " + s.path("resource").path("process.pid").asInt());
            }
            int frontPid = inside.get(0);
            int backPid = inside.get(1);
            assertThat(spans).as("the front's server span, its client call, the back's server span: one trace")
                    .containsExactlyInAnyOrder("SERVER " + frontPid, "CLIENT " + frontPid, "SERVER " + backPid);
            String metrics = agent.metrics();
            assertThat(metrics).contains("tracebee_context_injections_total{result=\"done\",} 1.0");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!metrics.matches("(?s).*other_pid_namespace\",stage=\"correlate\",} [1-9].*") && System.nanoTime() < deadline) {
                Thread.sleep(100);
                metrics = agent.metrics();
            }
            assertThat(metrics).as("the outside process's request is counted, not traced")
                    .containsPattern("reason=\"other_pid_namespace\",stage=\"correlate\",} [1-9]");
            assertThat(get(agent.baseUri() + "/api/traces").toString()).doesNotContain("/hello/outside");
        }
    }

    /**
     * The pids, in their own namespace, of the processes of binary that run in a pid namespace below this one,
     * in the order they started (the front server first).
     */
    private static List<Integer> namespacePids(String binary) throws Exception {
        List<long[]> found = new ArrayList<>();
        try (java.util.stream.Stream<Path> procs = java.nio.file.Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (!java.nio.file.Files.readSymbolicLink(proc.resolve("exe")).toString().equals(binary)) {
                        continue;
                    }
                    for (String line : java.nio.file.Files.readAllLines(proc.resolve("status"))) {
                        String[] ids = line.startsWith("NSpid:") ? line.substring(6).trim().split("\\s+") : new String[0];
                        if (ids.length == 2) {
                            found.add(new long[] {Long.parseLong(ids[0]), Long.parseLong(ids[1])});
                        }
                    }
                } catch (java.io.IOException gone) {
                    // exited, or a kernel thread
                }
            }
        }
        found.sort((a, b) -> Long.compare(a[0], b[0]));
        return found.stream().map(ids -> (int) ids[1]).toList();
    }

    private static JsonNode get(String uri) throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(uri + ": " + r.body()).isEqualTo(200);
        return r.body().startsWith("[") || r.body().startsWith("{") ? JSON.readTree(r.body()) : JSON.nullNode();
    }

    private static JsonNode await(AgentProcess agent, String path, Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = get(agent.baseUri() + path);
            if (last.size() > 0 && done.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(path + " never got there: " + last + "\n" + agent.metrics() + agent.output());
    }
}
