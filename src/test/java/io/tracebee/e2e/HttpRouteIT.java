package io.tracebee.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.e2e.Collector.ReceivedSpan;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * gin and gorilla/mux services, attached at runtime, get server spans named by their framework's route
 * template with {@code http.route} at a real OpenTelemetry Collector; unrouted requests (404, 405) get
 * neither. Newest and oldest supported releases (gorilla's value and pointer receivers).
 */
class HttpRouteIT {
    @RegisterExtension
    static final AgentAndCollector shared = new AgentAndCollector();

    @ParameterizedTest
    @ValueSource(strings = {"routeserver-go1.26", "routeserver-go1.23-oldest"})
    void serverSpansCarryTheFrameworkRoute(String fixture) {
        String service = "routes-" + fixture;
        try (GoServer server = GoServer.start(fixture)) {
            shared.agent.attach(server.pid(), service);

            assertThat(server.get("/users/7").statusCode()).isEqualTo(200);
            assertThat(server.get("/std/gin/users/9").statusCode()).isEqualTo(200);
            assertThat(server.get("/mux/items/42").statusCode()).isEqualTo(200);
            assertThat(server.get("/mux/api/orders/5").statusCode()).isEqualTo(200);
            assertThat(server.get("/nope/1").statusCode()).isEqualTo(404);
            assertThat(server.request("POST", "/mux/items/42").statusCode()).isEqualTo(405);

            List<ReceivedSpan> spans = shared.collector.awaitSpans(s -> service.equals(s.resource().get("service.name")),
                    6, Duration.ofSeconds(20));
            assertThat(spans).hasSize(6);
            assertRouted(byPath(spans, "/users/7"), "GET", "/users/:id");
            assertRouted(byPath(spans, "/std/gin/users/9"), "GET", "/std/gin/users/:id");
            assertRouted(byPath(spans, "/mux/items/42", "GET"), "GET", "/mux/items/{id:[0-9]+}");
            assertRouted(byPath(spans, "/mux/api/orders/5"), "GET", "/mux/api/orders/{id}");

            ReceivedSpan notFound = byPath(spans, "/nope/1");
            assertThat(notFound.name()).isEqualTo("GET");
            assertThat(notFound.attributes()).doesNotContainKey("http.route");
            ReceivedSpan notAllowed = byPath(spans, "/mux/items/42", "POST");
            assertThat(notAllowed.name()).isEqualTo("POST");
            assertThat(notAllowed.attributes()).doesNotContainKey("http.route")
                    .containsEntry("http.response.status_code", 405L);
        }
    }

    private static void assertRouted(ReceivedSpan s, String method, String route) {
        assertThat(s.kind()).as("SERVER").isEqualTo(2);
        assertThat(s.name()).isEqualTo(method + " " + route);
        assertThat(s.attributes()).containsEntry("http.route", route).containsEntry("http.response.status_code", 200L);
    }

    private static ReceivedSpan byPath(List<ReceivedSpan> spans, String path) {
        return byPath(spans, path, "GET");
    }

    private static ReceivedSpan byPath(List<ReceivedSpan> spans, String path, String method) {
        return spans.stream()
                .filter(s -> path.equals(s.attributes().get("url.path")) && method.equals(s.attributes().get("http.request.method")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + method + " span for " + path + " in " + spans));
    }
}
