package io.tracebee.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.e2e.GoServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Probe states per library across targets, as the tracebee_probes metric reports them. */
class TargetServiceTest {
    @Test
    void countsTargetsByTheStateOfEachLibrarysProbe() {
        List<ProbeState> probes = List.of(ProbeState.attached("net/http server", 2, "dwarf"),
                ProbeState.skipped("go-redis", "struct offsets unknown for go1.26.11 (binary has no DWARF): "
                        + "github.com/redis/go-redis/v9.baseCmd.args (github.com/redis/go-redis/v9 v9.99.0 not in the offsets table)"));
        Instrumenter fake = (binary, pid, id) -> new Instrumenter.Instrumentation() {
            @Override
            public String goVersion() {
                return "go1.26.11";
            }

            @Override
            public List<ProbeState> probes() {
                return probes;
            }

            @Override
            public void close() {
            }
        };
        TargetService targets = new TargetService(fake, new ProcessResources(Map.of()), null);
        try (GoServer a = GoServer.start("httpserver-go1.26"); GoServer b = GoServer.start("httpserver-go1.25")) {
            targets.attach(new TargetRequest((int) a.pid(), null, "a"), "test");
            TargetView second = targets.attach(new TargetRequest((int) b.pid(), null, "b"), "test");
            assertThat(targets.probeCount("net/http server", ProbeState.ATTACHED)).isEqualTo(2);
            assertThat(targets.probeCount("go-redis", ProbeState.SKIPPED)).isEqualTo(2);
            assertThat(targets.probeCount("go-redis", ProbeState.ATTACHED)).isZero();
            assertThat(targets.probeCount("database/sql", ProbeState.SKIPPED)).isZero();

            targets.detach(second.id(), "test");
            assertThat(targets.probeCount("go-redis", ProbeState.SKIPPED)).isEqualTo(1);
        }
    }
}
