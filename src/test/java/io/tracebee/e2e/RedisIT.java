package io.tracebee.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.e2e.Collector.ReceivedSpan;
import io.tracebee.peers.RedisServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * go-redis end to end against a real redis-server and the real collector: a Go service (A) calls a
 * second one (B) that uses go-redis v9, both attached to one agent. Each request is one trace — A's
 * server span, A's client span, B's server span, B's Redis span — with the Redis span's
 * semantic-convention attributes (values redacted), a miss that is not an error, and Redis's own
 * error reply as ERROR with its code.
 */
class RedisIT {
    @Test
    void anHttpRequestThatUsesRedisIsOneTrace() throws Exception {
        try (RedisServer redis = RedisServer.start();
                Collector collector = Collector.start();
                AgentProcess agent = AgentProcess.start(Map.of(
                        "OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint(),
                        "OTEL_BSP_SCHEDULE_DELAY", "200"));
                GoServer a = GoServer.start("httpserver-go1.24");
                GoServer b = GoServer.start("redisserver-go1.26", "-redis", redis.address())) {
            agent.attach(a.pid(), "frontend");
            agent.attach(b.pid(), "sessions");

            assertThat(call(a, b, "/set?key=session:7")).isEqualTo(200);
            assertThat(call(a, b, "/get?key=session:nope")).isEqualTo(404);
            assertThat(call(a, b, "/push?key=session:7")).isEqualTo(500);
            assertThat(call(a, b, "/pipeline?key=counter")).isEqualTo(200);

            ReceivedSpan set = redisSpan(collector, "SET", "session:7");
            assertThat(set.kind()).as("CLIENT").isEqualTo(3);
            assertThat(set.scope()).isEqualTo("io.tracebee/go-redis");
            assertThat(set.statusCode()).isZero();
            assertThat(set.attributes()).containsEntry("db.system.name", "redis")
                    .containsEntry("db.operation.name", "SET")
                    .containsEntry("db.query.text", "SET session:7 ?")
                    .containsEntry("db.namespace", "0")
                    .containsEntry("server.address", "127.0.0.1")
                    .containsEntry("server.port", (long) redis.port());
            assertChain(collector, set, "GET /set");

            ReceivedSpan miss = redisSpan(collector, "GET", "session:nope");
            assertThat(miss.statusCode()).as("a miss is not an error").isZero();
            assertChain(collector, miss, "GET /get");

            ReceivedSpan wrongType = redisSpan(collector, "LPUSH", "session:7");
            assertThat(wrongType.statusCode()).as("ERROR").isEqualTo(2);
            assertThat(wrongType.statusMessage()).startsWith("WRONGTYPE ");
            assertThat(wrongType.attributes()).containsEntry("error.type", "WRONGTYPE")
                    .containsEntry("db.query.text", "LPUSH session:7 ? ?");

            ReceivedSpan pipeline = collector.awaitSpans(s -> s.name().equals("PIPELINE"), 1, Duration.ofSeconds(30)).get(0);
            assertThat(pipeline.attributes()).containsEntry("db.operation.batch.size", 3L)
                    .containsEntry("db.operation.name", "PIPELINE");
            assertChain(collector, pipeline, "GET /pipeline");
        }
    }

    private static int call(GoServer a, GoServer b, String path) {
        return a.get("/call?url=" + URLEncoder.encode("http://" + b.address() + path, StandardCharsets.UTF_8)).statusCode();
    }

    private static ReceivedSpan redisSpan(Collector collector, String name, String key) {
        return collector.awaitSpans(s -> s.name().equals(name)
                && String.valueOf(s.attributes().get("db.query.text")).contains(" " + key), 1, Duration.ofSeconds(30)).get(0);
    }

    /**
     * redis span ← B's server span ← A's client span ← A's server span (a root), in one trace; a new
     * connection's set-up commands (HELLO, CLIENT SETINFO) may also sit under the first command.
     */
    private static void assertChain(Collector collector, ReceivedSpan redis, String bRoute) {
        ReceivedSpan bServer = Traces.awaitParentOf(collector, redis);
        assertThat(bServer.name()).isEqualTo(bRoute);
        assertThat(bServer.resource()).containsEntry("service.name", "sessions");
        ReceivedSpan aClient = Traces.awaitParentOf(collector, bServer);
        assertThat(aClient.kind()).as("CLIENT").isEqualTo(3);
        ReceivedSpan aServer = Traces.awaitParentOf(collector, aClient);
        assertThat(aServer.name()).isEqualTo("GET /call");
        assertThat(aServer.parentSpanId()).isEmpty();
    }
}
