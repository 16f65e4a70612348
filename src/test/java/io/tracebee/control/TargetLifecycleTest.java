package io.tracebee.control;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.tracebee.bpf.BpfTestSupport;
import io.tracebee.e2e.GoServer;
import io.tracebee.e2e.Fixtures;
import io.tracebee.e2e.SilentServer;
import io.tracebee.pipeline.Agent;
import io.tracebee.pipeline.ProcessStateJanitor;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Targets follow their processes through the scheduler's tracepoints: a pid target whose process exits is
 * detached and shows {@code exited}; an exe glob attaches to every matching binary running now and to one
 * started later, and a restarted process of a binary it has is traced without attaching again; DELETE is
 * idempotent. A traced process that dies mid-request leaves nothing behind in the kernel maps or the pipeline.
 */
@QuarkusTest
class TargetLifecycleTest {
    @Inject
    Agent agent;

    @BeforeEach
    void needsBpf() {
        BpfTestSupport.assumeBpf();
    }

    @Test
    void aPidTargetWhoseProcessExitsIsDetached() {
        String id;
        try (GoServer server = GoServer.start("httpserver-go1.26")) {
            id = attach("{\"pid\": " + server.pid() + "}");
            given().when().get("/targets/" + id).then().statusCode(200).body("state", equalTo("attached"));
        }
        JsonPath exited = await(id, t -> t.getString("state").equals("exited"));
        assertThat(exited.getList("probes.state", String.class)).contains("detached").doesNotContain("attached");
        given().when().delete("/targets/" + id).then().statusCode(204);
        given().when().delete("/targets/" + id).then().statusCode(204);  // DELETE is idempotent
        given().when().get("/targets/" + id).then().statusCode(404);
    }

    @Test
    void anExeGlobFollowsMatchingBinariesAsTheyStart(@TempDir Path dir) throws IOException {
        Path a = copy("httpserver-go1.26", dir.resolve("svc-a/server"));
        Path b = copy("httpserver-go1.25", dir.resolve("svc-b/server"));
        copy("httpserver-go1.26", dir.resolve("svc-c/other"));  // does not match
        String glob = dir + "/*/server";
        try (GoServer first = GoServer.start(a)) {
            String id = attach("{\"exeGlob\": \"" + glob + "\", \"serviceName\": \"fleet\"}");
            JsonPath t = JsonPath.from(given().when().get("/targets/" + id).then().statusCode(200).extract().asString());
            assertThat(t.getString("state")).isEqualTo("attached");
            assertThat(t.getString("exeGlob")).isEqualTo(glob);
            assertThat(t.getList("binaries", String.class)).containsExactly(a.toString());
            assertThat(t.getList("pids", Integer.class)).contains((int) first.pid());

            given().contentType(ContentType.JSON).body("{\"exeGlob\": \"" + glob + "\"}").when().post("/targets")
                    .then().statusCode(409).body("type", equalTo("https://tracebee.io/problems/duplicate-target"));
            // one binary, one target: a pid or the file itself under another target would double every span
            given().contentType(ContentType.JSON).body("{\"pid\": " + first.pid() + "}").when().post("/targets")
                    .then().statusCode(409).body("detail", containsString("already traces"));
            given().contentType(ContentType.JSON).body("{\"exe\": \"" + a + "\"}").when().post("/targets")
                    .then().statusCode(409).body("detail", containsString("already traced by target " + id));

            try (GoServer second = GoServer.start(b); GoServer unmatched = GoServer.start(dir.resolve("svc-c/other"))) {
                JsonPath later = await(id, j -> j.getList("binaries", String.class).contains(b.toString()));
                assertThat(later.getList("binaries", String.class)).containsExactly(a.toString(), b.toString());
                assertThat(later.getList("pids", Integer.class)).contains((int) second.pid()).doesNotContain((int) unmatched.pid());
            }
            long restarted;
            first.close();
            try (GoServer again = GoServer.start(a)) {
                restarted = again.pid();
                JsonPath after = await(id, j -> j.getList("pids", Integer.class).contains((int) again.pid()));
                assertThat(after.getList("binaries", String.class)).as("the same file: not attached again")
                        .containsExactly(a.toString(), b.toString());
            }
            assertThat(restarted).isNotEqualTo(first.pid());
            given().when().delete("/targets/" + id).then().statusCode(204);
        }
    }

    /**
     * A service killed and restarted 100 times under an exe glob, and every tenth round another one's life as a
     * pid target: every life under the glob is traced, every pid target ends exited, and the agent holds no more
     * descriptors — BPF links, programs and maps included — than before.
     */
    @Test
    void aHundredRestartsAreAllTracedAndLeakNothing(@TempDir Path dir) throws IOException {
        Path bin = copy("httpserver-go1.26", dir.resolve("svc/server"));
        Path alone = copy("httpserver-go1.26", dir.resolve("pid/server.bin"));  // outside the glob: for pid targets
        warmUp(alone);
        Map<String, Long> before = descriptors();
        String glob;
        long start = System.nanoTime();
        try (GoServer first = GoServer.start(bin)) {
            // the running binary is attached before the answer; a binary first seen at its exec would be traced
            // only once its attach completed, seconds later here
            glob = attach("{\"exeGlob\": \"" + dir + "/*/server\", \"serviceName\": \"restarts\"}");
            assertThat(first.get("/hello/0").statusCode()).isEqualTo(200);
        }
        for (int i = 1; i < 100; i++) {
            try (GoServer life = GoServer.start(bin)) {
                assertThat(life.get("/hello/" + i).statusCode()).isEqualTo(200);
            }
            if (i % 10 == 0) {
                // every tenth round, a pid target's life too: its attach and detach take a fraction of a second (BENCHMARKS)
                String pidTarget;
                try (GoServer other = GoServer.start(alone)) {
                    pidTarget = attach("{\"pid\": " + other.pid() + "}");
                    assertThat(other.get("/hello/pid").statusCode()).isEqualTo(200);
                }
                await(pidTarget, t -> t.getString("state").equals("exited"));
                given().when().delete("/targets/" + pidTarget).then().statusCode(204);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        JsonPath g = await(glob, t -> t.getList("pids", Integer.class).size() >= 100);
        assertThat(g.getList("binaries", String.class)).as("one file, attached once").containsExactly(bin.toString());
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int traced = 0;
        while (traced < 100 && System.nanoTime() < deadline) {
            traced = given().queryParam("service", "restarts").queryParam("limit", 1000).when().get("/api/traces")
                    .then().statusCode(200).extract().jsonPath().getList("traceId").size();
        }
        assertThat(traced).as("every life traced").isEqualTo(100);
        given().when().delete("/targets/" + glob).then().statusCode(204);
        Map<String, Long> after = descriptors();
        // the kernel objects the agent holds: BPF programs, maps and links, and the perf events of uprobes. (The
        // JVM's other descriptors are not counted: this test's own HTTP clients, one per server, await collection.)
        assertThat(after).as("descriptors by kind, after 100 lives in %.1f s (before: %s)", seconds, before)
                .containsEntry("bpf", before.get("bpf")).containsEntry("perf", before.get("perf"));
    }

    /**
     * A pid target SIGKILLed while a request is in flight (its handler waits on a call to a server that never
     * answers): once the exit is seen, no per-process map holds an entry of the pid, the decoder holds nothing for
     * it, and the purge is counted.
     */
    @Test
    void aPidTargetKilledMidRequestLeavesNoState() throws Exception {
        ProcessStateJanitor janitor = agent.janitor();
        try (SilentServer silent = SilentServer.start(); GoServer server = GoServer.start("httpserver-go1.26")) {
            int pid = (int) server.pid();
            String id = attach("{\"pid\": " + pid + "}");
            long purgedBefore = janitor.kernelPurged();
            server.getInBackground("/fetch?url=" + silent.url(), false);
            Map<String, Integer> held = awaitInFlight(janitor, pid);

            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            await(id, t -> t.getString("state").equals("exited"));
            awaitNoEntries(janitor, pid);
            assertThat(janitor.pipelineEntriesOf(pid)).isZero();
            assertThat(janitor.kernelPurged() - purgedBefore).as("entries purged; held mid-request: %s", held)
                    .isPositive();
            assertThat(metric("tracebee_process_state_purged_total{where=\"kernel\",}")).isPositive();
            assertThat(metric("tracebee_process_state_purged_total{where=\"pipeline\",}")).isNotNegative();
            given().when().delete("/targets/" + id).then().statusCode(204);
        }
    }

    /**
     * A process killed with global-API spans open (stopped mid-traffic first, so the decoder is seen holding them)
     * leaves none in the pipeline: the decoder drops them on its own thread, and counts them.
     */
    @Test
    void aPidTargetKilledWithManualSpansOpenLeavesNoneInThePipeline() throws Exception {
        ProcessStateJanitor janitor = agent.janitor();
        try (GoServer server = GoServer.start("globalapi-go1.26")) {
            int pid = (int) server.pid();
            String id = attach("{\"pid\": " + pid + "}");
            long purgedBefore = janitor.pipelinePurged();
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                clients.add(server.getInBackground("/global", true));
            }
            int held = 0;
            for (int attempt = 0; attempt < 50 && held == 0; attempt++) {
                signal("STOP", pid);  // frozen mid-traffic: the records sent so far reach the decoder
                Thread.sleep(200);
                held = janitor.pipelineEntriesOf(pid);
                if (held == 0) {
                    signal("CONT", pid);
                    Thread.sleep(20);
                }
            }
            assertThat(held).as("open spans seen in the decoder").isPositive();

            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            await(id, t -> t.getString("state").equals("exited"));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (janitor.pipelineEntriesOf(pid) > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(janitor.pipelineEntriesOf(pid)).isZero();
            assertThat(janitor.pipelinePurged() - purgedBefore).isGreaterThanOrEqualTo(held);
            assertThat(metric("tracebee_process_state_purged_total{where=\"pipeline\",}")).isPositive();
            awaitNoEntries(janitor, pid);
            for (Thread c : clients) {
                c.join(10_000);
            }
            given().when().delete("/targets/" + id).then().statusCode(204);
        }
    }


    private static void signal(String signal, int pid) throws IOException, InterruptedException {
        assertThat(new ProcessBuilder("kill", "-" + signal, Integer.toString(pid)).start().waitFor()).isZero();
    }

    /**
     * The processes of an exe target come and go without their exits being watched: one killed mid-request keeps
     * its entries (its target's probe objects stay loaded) until the janitor's sweep, run here directly rather than
     * after its 30 s, finds it gone from /proc.
     */
    @Test
    void theJanitorSweepsAKilledProcessOfAnExeTarget(@TempDir Path dir) throws Exception {
        ProcessStateJanitor janitor = agent.janitor();
        Path bin = copy("httpserver-go1.26", dir.resolve("exe/server"));
        try (SilentServer silent = SilentServer.start(); GoServer server = GoServer.start(bin)) {
            int pid = (int) server.pid();
            String id = attach("{\"exe\": \"" + bin + "\"}");
            long purgedBefore = janitor.kernelPurged();
            server.getInBackground("/fetch?url=" + silent.url(), false);
            awaitInFlight(janitor, pid);

            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
            assertThat(given().when().get("/targets/" + id).then().extract().path("state").toString()).isEqualTo("attached");
            assertThat(Files.exists(Path.of("/proc/" + pid))).isFalse();
            janitor.sweep();
            assertThat(janitor.kernelEntriesOf(pid)).isEmpty();
            assertThat(janitor.pipelineEntriesOf(pid)).isZero();
            assertThat(janitor.kernelPurged() - purgedBefore).isPositive();
            given().when().delete("/targets/" + id).then().statusCode(204);
        }
    }

    /** The pid's entries once its handler and its client call are both in flight (up to 10 s). */
    private static Map<String, Integer> awaitInFlight(ProcessStateJanitor janitor, int pid) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Map<String, Integer> held = Map.of();
        while (System.nanoTime() < deadline) {
            held = janitor.kernelEntriesOf(pid);
            if (held.containsKey("http_server_calls") && held.containsKey("http_client_calls")) {
                return held;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("pid " + pid + " never had a call in flight: " + held);
    }

    /** Waits (up to 10 s) for the exit's purge, which runs right after the detach on the control plane's thread. */
    private static void awaitNoEntries(ProcessStateJanitor janitor, int pid) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!janitor.kernelEntriesOf(pid).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(janitor.kernelEntriesOf(pid)).as("entries of pid %d", pid).isEmpty();
    }

    private static double metric(String series) {
        return value(given().header("Accept", "text/plain").when().get("/q/metrics").then().statusCode(200).extract()
                .asString(), series);
    }

    /** The self-metrics tell what happened: refusals by reason, targets by state, records by kind, program runs. */
    @Test
    void selfMetricsCountWhatHappened() throws Exception {
        given().contentType(ContentType.JSON).body("{\"exe\": \"/bin/ls\"}").when().post("/targets").then().statusCode(422);
        try (GoServer server = GoServer.start("httpserver-go1.26")) {
            String id = attach("{\"pid\": " + server.pid() + "}");
            for (int i = 0; i < 5; i++) {
                server.get("/hello/" + i);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            String metrics = "";
            while (System.nanoTime() < deadline) {
                metrics = given().header("Accept", "text/plain").when().get("/q/metrics").then().statusCode(200).extract().asString();
                if (value(metrics, "tracebee_events_by_kind_total{kind=\"http_server\",}") >= 5) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(value(metrics, "tracebee_attach_failures_total{reason=\"not-go\",}")).isGreaterThanOrEqualTo(1);
            assertThat(value(metrics, "tracebee_targets{state=\"attached\",}")).isGreaterThanOrEqualTo(1);
            assertThat(value(metrics, "tracebee_events_by_kind_total{kind=\"http_server\",}")).isGreaterThanOrEqualTo(5);
            assertThat(value(metrics, "tracebee_bpf_program_runs_total{program=\"uprobe_server_handler_serve_http\",}"))
                    .isGreaterThanOrEqualTo(5);
            assertThat(value(metrics, "tracebee_bpf_program_run_seconds_total{program=\"uprobe_server_handler_serve_http\",}"))
                    .isGreaterThan(0);
            given().when().delete("/targets/" + id).then().statusCode(204);
            String after = given().header("Accept", "text/plain").when().get("/q/metrics").then().extract().asString();
            assertThat(value(after, "tracebee_bpf_program_runs_total{program=\"uprobe_server_handler_serve_http\",}"))
                    .as("a detached target's runs stay counted").isGreaterThanOrEqualTo(5);
        }
    }

    private static double value(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .findFirst().orElse(-1);
    }

    /** Attaches to and detaches from one life first, so that what the agent creates once is not counted. */
    private static void warmUp(Path bin) {
        try (GoServer life = GoServer.start(bin)) {
            String id = attach("{\"pid\": " + life.pid() + "}");
            life.get("/hello/0");
            given().when().delete("/targets/" + id).then().statusCode(204);
        }
    }

    /** The process's open descriptors: all of them, its BPF maps, programs and links, and its perf events. */
    private static Map<String, Long> descriptors() {
        long all = 0;
        long bpf = 0;
        long perf = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                all++;
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    bpf += target.startsWith("anon_inode:bpf") ? 1 : 0;
                    perf += target.equals("anon_inode:[perf_event]") ? 1 : 0;
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return Map.of("all", all, "bpf", bpf, "perf", perf);
    }

    private static String attach(String body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/targets")
                .then().statusCode(201).extract().path("id");
    }

    /** The target's view once it satisfies {@code done}; fails after 10 s. */
    private static JsonPath await(String id, Predicate<JsonPath> done) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonPath last = null;
        while (System.nanoTime() < deadline) {
            last = JsonPath.from(given().when().get("/targets/" + id).then().statusCode(200).extract().asString());
            if (done.test(last)) {
                return last;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("target " + id + " never got there: " + (last == null ? "" : last.prettify()));
    }

    private static Path copy(String fixture, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(Fixtures.file(fixture), to, StandardCopyOption.COPY_ATTRIBUTES);
        return to;
    }
}
