package io.tracebee.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.bpf.BpfObject;
import io.tracebee.control.Instrumenter.Instrumentation;
import io.tracebee.e2e.Fixtures;
import io.tracebee.e2e.GoServer;
import io.tracebee.e2e.SilentServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Which maps hold per-process state is read from their BTF key types; a process killed mid-request leaves entries
 * in them that a purge by its pid removes, and only those.
 */
class PerProcessMapsTest {
    /** What the rule selects today, over every object in src/main/bpf: a new per-process map must show up here. */
    private static final Set<String> PER_PROCESS = Set.of(
            "tb_current_span", "tb_go_started", "tb_ctx_spans", "tb_routes", "tb_inject_tgids",
            "http_server_calls", "http_client_calls", "gin_calls", "db_calls", "redis_calls",
            "kp_calls", "kp_produces", "kp_pending", "kc_calls", "kc_scopes",
            "grpc_streams", "grpc_hf_pending", "grpc_server_calls", "grpc_client_calls", "grpc_client_links",
            "manual_spans", "global_starts", "global_spans", "sdk_span_ctx");

    @RegisterExtension
    final ProbeHarness harness = new ProbeHarness();

    @Test
    void theBtfKeyRuleSelectsMapsKeyedByProcessAndNothingElse() throws IOException {
        Map<String, String> notSelected = new TreeMap<>();
        Set<String> selected = new TreeSet<>();
        try (Stream<Path> sources = Files.list(Path.of("src/main/bpf"))) {
            for (Path source : sources.filter(p -> p.toString().endsWith(".bpf.c")).toList()) {
                String name = source.getFileName().toString().replace(".bpf.c", "");
                try (BpfObject o = BpfObject.openResource("bpf/" + name + ".bpf.o")) {
                    for (String map : o.mapNames()) {
                        if (o.keyShape(map).leadsWithPid()) {
                            selected.add(map);
                        } else {
                            notSelected.put(map, o.keyShape(map).toString());
                        }
                    }
                }
            }
        }
        assertThat(selected).containsExactlyInAnyOrderElementsOf(PER_PROCESS);
        // keyed by a code or type address, a connection, a socket, a topic offset, a content hash, a bare tgid the
        // control plane manages, or an index: none of them is one process's
        assertThat(notSelected).containsKeys("db_types", "db_systems", "ga_error_types", "ga_option_funcs",
                "tb_conn_links", "tb_inject", "tb_h2_inject", "tb_sockhash", "tb_kafka_offs", "tb_kafka_fps",
                "tb_watch_tgids", "tb_drops", "tb_counters", "tb_events");
        assertThat(notSelected.get("ga_option_funcs")).isEqualTo("unsigned long long");
        assertThat(notSelected.get("tb_conn_links")).isEqualTo("tb_link_key {client, ...}");
    }

    @Test
    void loadedObjectsBringTheirPerProcessMapsAndTakeThemAway() {
        BpfInstrumenter instrumenter = new BpfInstrumenter(Probes.ALL, harness.maps, new OffsetResolver(OffsetTable.load()));
        PerProcessMaps perProcess = harness.maps.perProcess();
        assertThat(perProcess.mapNames()).containsExactly("tb_ctx_spans", "tb_current_span", "tb_go_started",
                "tb_inject_tgids", "tb_routes");
        // attached to the file for every process (pid -1): no database needed to load the database/sql probe
        try (Instrumentation db = instrumenter.instrument(Fixtures.file("dbserver-go1.26"), -1, 3)) {
            assertThat(db.probes()).anySatisfy(p -> assertThat(p.library()).isEqualTo("database/sql"));
            assertThat(perProcess.mapNames()).contains("db_calls", "http_server_calls")
                    .doesNotContain("db_types", "db_systems");  // keyed by type pointer
        }
        assertThat(perProcess.mapNames()).as("closed objects are forgotten").doesNotContain("db_calls", "http_server_calls");
    }

    @Test
    void aProcessKilledMidRequestLeavesEntriesThatItsPurgeRemoves() throws Exception {
        BpfInstrumenter instrumenter = new BpfInstrumenter(Probes.ALL, harness.maps, new OffsetResolver(OffsetTable.load()));
        PerProcessMaps perProcess = harness.maps.perProcess();
        try (SilentServer silent = SilentServer.start();
                GoServer killed = GoServer.start("httpserver-go1.26");
                GoServer survivor = GoServer.start("httpserver-go1.26")) {
            int pid = (int) killed.pid();
            int other = (int) survivor.pid();
            try (Instrumentation a = instrumenter.instrument(Path.of("/proc/" + pid + "/exe"), pid, 1);
                    Instrumentation b = instrumenter.instrument(Path.of("/proc/" + other + "/exe"), other, 2)) {
                killed.getInBackground("/fetch?url=" + silent.url(), false);
                survivor.getInBackground("/fetch?url=" + silent.url(), false);
                awaitEntries(perProcess, pid);
                awaitEntries(perProcess, other);

                ProcessHandle.of(pid).orElseThrow().destroyForcibly();
                ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
                Map<String, Integer> held = perProcess.entriesOf(pid);
                assertThat(held).as("nothing removes them by itself")
                        .containsKeys("http_server_calls", "http_client_calls", "tb_current_span", "tb_ctx_spans");
                assertThat(perProcess.pids()).contains(pid, other);

                long start = System.nanoTime();
                int purged = perProcess.purge(pid);
                long micros = (System.nanoTime() - start) / 1000;
                long walks = System.nanoTime();
                for (int i = 0; i < 100; i++) {
                    perProcess.purge(pid);
                }
                System.out.printf("purge of pid %d: %d entries from %d maps in %d µs (held: %s); a purge finding nothing"
                        + " (the walk alone) %d µs%n", pid, purged, perProcess.mapNames().size(), micros, held,
                        (System.nanoTime() - walks) / 100_000);
                assertThat(purged).isEqualTo(held.values().stream().mapToInt(Integer::intValue).sum());
                assertThat(perProcess.entriesOf(pid)).isEmpty();
                assertThat(perProcess.entriesOf(other)).as("another process's calls stay")
                        .containsKeys("http_server_calls", "http_client_calls", "tb_current_span", "tb_ctx_spans");
                assertThat(perProcess.purge(pid)).isZero();
            }
        }
    }


    /** The process's entries once its handler and its client call are both in flight (up to 5 s). */
    private static Map<String, Integer> awaitEntries(PerProcessMaps maps, int pid) throws InterruptedException {
        Map<String, Integer> held = Map.of();
        for (int i = 0; i < 100; i++) {
            held = maps.entriesOf(pid);
            if (held.keySet().containsAll(List.of("http_server_calls", "http_client_calls", "tb_current_span",
                    "tb_ctx_spans"))) {
                return held;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("pid " + pid + " has only " + held);
    }
}
