package io.tracebee.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent, as users run it: on any address but loopback it refuses to start without a token; with one, every
 * request but the health checks needs it.
 */
class ApiAccessIT {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @Test
    void aNonLoopbackAddressWithoutATokenIsRefusedAtStart() {
        assertThatThrownBy(() -> AgentProcess.start(Map.of("QUARKUS_HTTP_HOST", "0.0.0.0")).close())
                .hasMessageContaining("refusing to listen on 0.0.0.0 without a token");
    }

    @Test
    void withATokenEveryRequestButHealthNeedsIt(@TempDir Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "correct-horse\n");
        try (AgentProcess agent = AgentProcess.start(Map.of("QUARKUS_HTTP_HOST", "0.0.0.0",
                "TRACEBEE_API_TOKEN_FILE", token.toString()))) {
            String base = agent.baseUri();
            assertThat(get(base + "/targets", null).statusCode()).isEqualTo(401);
            HttpResponse<String> wrong = get(base + "/targets", "Bearer wrong");
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(wrong.headers().firstValue("content-type")).contains("application/problem+json");
            assertThat(wrong.body()).contains("not this agent's").doesNotContain("correct-horse");
            assertThat(get(base + "/targets", "Bearer correct-horse").statusCode()).isEqualTo(200);
            assertThat(get(base + "/q/metrics", null).statusCode()).isEqualTo(401);
            assertThat(get(base + "/q/metrics", "Bearer correct-horse").statusCode()).isEqualTo(200);
            assertThat(get(base + "/api/traces", null).statusCode()).isEqualTo(401);
            assertThat(get(base + "/q/health/ready", null).statusCode()).as("probes need no token").isEqualTo(200);
            assertThat(agent.output()).doesNotContain("correct-horse").contains("bearer token required");
        }
    }

    private static HttpResponse<String> get(String uri, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
