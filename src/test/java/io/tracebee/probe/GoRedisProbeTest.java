package io.tracebee.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.bpf.BpfTestSupport;
import io.tracebee.control.Instrumenter.Instrumentation;
import io.tracebee.decode.HttpServerEvent;
import io.tracebee.decode.RedisEvent;
import io.tracebee.e2e.GoServer;
import io.tracebee.peers.RedisServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The go-redis probe on a real Go service talking to a real redis-server: commands with string,
 * []byte and integer arguments, a miss, Redis's own error reply, pipelines and transactions, and
 * parenting from the handler, also from a goroutine it starts — on the newest go-redis (Go 1.26,
 * where {@code process} is inlined away) and the oldest supported one (Go 1.23).
 */
class GoRedisProbeTest {
    private static RedisServer redis;
    @RegisterExtension
    final ProbeHarness harness = new ProbeHarness();

    @BeforeAll
    static void startRedis() {
        BpfTestSupport.assumeBpf();
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"redisserver-go1.26", "redisserver-go1.23-oldest"})
    void commandsAndPipelinesAreChildrenOfTheHandler(String fixture) throws Exception {
        BpfInstrumenter instrumenter = new BpfInstrumenter(Probes.ALL, harness.maps, new OffsetResolver(OffsetTable.load()));
        try (GoServer server = GoServer.start(fixture, "-redis", redis.address())) {
            Instrumentation inst = instrumenter.instrument(Path.of("/proc/" + server.pid() + "/exe"), (int) server.pid(), 9);
            assertThat(inst.probes()).extracting(p -> p.library()).contains("go-redis");
            assertThat(inst.probes()).allSatisfy(p -> assertThat(p.state()).as(p.reason()).isEqualTo("attached"));
            String key = "k-" + fixture;

            assertThat(server.get("/set?key=" + key).body()).isEqualTo("OK");
            RedisEvent set = command("set");
            assertThat(set.args()).extracting(RedisEvent.Arg::value).containsExactly("set", key, "v-" + key);
            assertThat(set.argc()).isEqualTo(3);
            assertThat(set.error()).isFalse();
            assertThat(set.address()).isEqualTo(redis.address());
            assertThat(set.db()).isZero();
            assertParent(set, "/set");

            harness.events.clear();
            assertThat(server.get("/incr?key=n-" + key).body()).isEqualTo("7");
            assertThat(command("incrby").args()).extracting(RedisEvent.Arg::value).containsExactly("incrby", "n-" + key, 7L);

            harness.events.clear();
            assertThat(server.get("/get?key=missing-" + key).statusCode()).isEqualTo(404);
            RedisEvent miss = command("get");
            assertThat(miss.error()).isTrue();
            assertThat(miss.errorText()).isEqualTo("redis: nil");

            harness.events.clear();
            assertThat(server.get("/push?key=" + key).statusCode()).isEqualTo(500);
            RedisEvent wrongType = command("lpush");
            assertThat(wrongType.args()).extracting(RedisEvent.Arg::value).containsExactly("lpush", key, "a", "b");
            assertThat(wrongType.errorText()).startsWith("WRONGTYPE ");

            harness.events.clear();
            assertThat(server.get("/pipeline?key=p-" + key).body()).isEqualTo("2");
            RedisEvent pipeline = pipeline("set");
            assertThat(pipeline.transaction()).isFalse();
            assertThat(pipeline.argc()).isEqualTo(3);
            assertThat(pipeline.args()).extracting(RedisEvent.Arg::value).containsExactly("set", "incr", "get");
            assertParent(pipeline, "/pipeline");

            harness.events.clear();
            assertThat(server.get("/tx?key=t-" + key).body()).isEqualTo("2");
            RedisEvent tx = pipeline("multi");
            assertThat(tx.transaction()).isTrue();
            // go-redis wraps a transaction's commands in MULTI ... EXEC
            assertThat(tx.args()).extracting(RedisEvent.Arg::value).containsExactly("multi", "set", "incr", "get", "exec");

            harness.events.clear();
            assertThat(server.get("/async?key=" + key).body()).isEqualTo("v-" + key);
            assertParent(command("get"), "/async");
            inst.close();
        }
    }

    /** A pipeline by its first command (a new connection's set-up runs one of its own: CLIENT SETINFO). */
    private RedisEvent pipeline(String first) throws InterruptedException {
        return (RedisEvent) harness.await(e -> e instanceof RedisEvent r && r.pipeline()
                && !r.args().isEmpty() && first.equals(r.args().get(0).value()));
    }

    private RedisEvent command(String name) throws InterruptedException {
        return (RedisEvent) harness.await(e -> e instanceof RedisEvent r && !r.pipeline()
                && !r.args().isEmpty() && name.equals(r.args().get(0).value()));
    }

    private void assertParent(RedisEvent redis, String path) throws InterruptedException {
        HttpServerEvent handler = (HttpServerEvent) harness.await(e -> e instanceof HttpServerEvent h && h.path().equals(path));
        assertThat(redis.header().traceId()).isEqualTo(handler.header().traceId());
        assertThat(redis.header().parentSpanId()).isEqualTo(handler.header().spanId());
    }
}
