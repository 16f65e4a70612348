package io.tracebee.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.control.Instrumenter.Instrumentation;
import io.tracebee.control.ProbeState;
import io.tracebee.decode.HttpServerEvent;
import io.tracebee.decode.HttpServerEvent.RouteSource;
import io.tracebee.e2e.GoServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gin and gorilla/mux route probes, attached for real with every other probe, on the routeserver
 * fixture (src/test/go/routeserver) across the version matrix: the oldest supported releases (gin v1.5.0,
 * mux v1.6.2 with its pointer receiver) on Go 1.23 to 1.26 and the newest (gin v1.12.0, mux v1.8.1) on Go
 * 1.25 and 1.26. The fixture answers with the template the framework itself reports (gin's FullPath(),
 * mux's GetPathTemplate()): that is the oracle for the route the span carries.
 */
class HttpRouteProbeTest {
    @RegisterExtension
    final ProbeHarness harness = new ProbeHarness();

    @ParameterizedTest
    @ValueSource(strings = {"routeserver-go1.23-oldest", "routeserver-go1.24-oldest", "routeserver-go1.25-oldest",
        "routeserver-go1.26-oldest", "routeserver-go1.25", "routeserver-go1.26"})
    void ginRoutes(String fixture) throws Exception {
        try (GoServer server = GoServer.start(fixture); Instrumentation inst = attach(server)) {
            assertAttached(inst);
            assertRoute(server, "GET", "/users/7", "/users/:id", RouteSource.GIN);
            assertRoute(server, "GET", "/files/a/b.txt", "/files/*path", RouteSource.GIN);
            assertRoute(server, "GET", "/api/v1/items/3", "/api/v1/items/:id", RouteSource.GIN);
            assertRoute(server, "POST", "/users", "/users", RouteSource.GIN);
            assertRoute(server, "GET", "/users/8?wrap=1", "/users/:id", RouteSource.GIN);
            // mounted under the ServeMux pattern "/std/gin/": gin's own template, not the prefix
            HttpServerEvent mounted = assertRoute(server, "GET", "/std/gin/users/9", "/std/gin/users/:id", RouteSource.GIN);
            assertThat(mounted.pattern()).isEqualTo("/std/gin/");
            // engine.HandleContext re-routes: the template of the handler that ran, as FullPath() says
            assertThat(server.get("/old/99").body()).isEqualTo("gin /users/:id");
            assertThat(awaitPath("/users/99").route()).isEqualTo("/users/:id");

            assertNoRoute(server, "GET", "/nope/1", 404);
            assertNoRoute(server, "DELETE", "/users/7", 405);  // no DELETE tree at all: other trees are searched
            assertNoRoute(server, "PUT", "/users/7", 405);     // a PUT tree without this path
            assertNoRoute(server, "GET", "/users/77/", 301);   // trailing-slash redirect
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"routeserver-go1.23-oldest", "routeserver-go1.24-oldest", "routeserver-go1.25-oldest",
        "routeserver-go1.26-oldest", "routeserver-go1.25", "routeserver-go1.26"})
    void gorillaRoutes(String fixture) throws Exception {
        try (GoServer server = GoServer.start(fixture); Instrumentation inst = attach(server)) {
            assertAttached(inst);
            assertRoute(server, "GET", "/mux/items/42", "/mux/items/{id:[0-9]+}", RouteSource.GORILLA_MUX);
            assertRoute(server, "GET", "/mux/users/ann", "/mux/users/{name}", RouteSource.GORILLA_MUX);
            // a PathPrefix subrouter's route: the full template, not the prefix
            assertRoute(server, "GET", "/mux/api/orders/5", "/mux/api/orders/{id}", RouteSource.GORILLA_MUX);
            // gorilla itself hands the handler a copy of the request (WithContext), and so may a middleware
            assertRoute(server, "GET", "/mux/items/43?wrap=1", "/mux/items/{id:[0-9]+}", RouteSource.GORILLA_MUX);

            assertNoRoute(server, "GET", "/mux/items/abc", 404);  // the regexp does not match
            assertNoRoute(server, "GET", "/mux/nope", 404);
            assertNoRoute(server, "GET", "/mux/api/nope", 404);  // the subrouter's prefix alone is no route
            assertNoRoute(server, "POST", "/mux/items/42", 405);

            // the plain ServeMux route is unaffected: its pattern, no framework route
            HttpResponse<String> std = server.get("/std/plain/1");
            assertThat(std.body()).isEqualTo("std GET /std/plain/{id}");
            HttpServerEvent plain = awaitPath("/std/plain/1");
            assertThat(plain.route()).isEmpty();
            assertThat(plain.pattern()).isEqualTo("GET /std/plain/{id}");
        }
    }

    /** Routes are keyed by the server span: requests overlapping on many goroutines never swap them. */
    @ParameterizedTest
    @ValueSource(strings = {"routeserver-go1.23-oldest", "routeserver-go1.26"})
    void concurrentRequestsKeepTheirOwnRoutes(String fixture) throws Exception {
        List<String[]> cases = List.of(
                new String[] {"/users/%d", "/users/:id"},
                new String[] {"/api/v1/items/%d", "/api/v1/items/:id"},
                new String[] {"/files/f%d", "/files/*path"},
                new String[] {"/mux/items/%d", "/mux/items/{id:[0-9]+}"},
                new String[] {"/mux/users/u%d", "/mux/users/{name}"},
                new String[] {"/mux/api/orders/%d", "/mux/api/orders/{id}"},
                new String[] {"/nope/%d", ""},
                new String[] {"/mux/items/x%d", ""});
        int n = 240;
        try (GoServer server = GoServer.start(fixture); Instrumentation inst = attach(server)) {
            assertAttached(inst);
            ExecutorService pool = Executors.newFixedThreadPool(24);
            List<Future<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String path = cases.get(i % cases.size())[0].formatted(i) + "?sleep=" + (i % 7);
                responses.add(pool.submit(() -> server.get(path)));
            }
            for (Future<HttpResponse<String>> r : responses) {
                r.get();
            }
            pool.shutdown();
            for (int i = 0; i < n; i++) {
                String[] c = cases.get(i % cases.size());
                HttpServerEvent e = awaitPath(c[0].formatted(i));
                assertThat(e.route()).as(e.path()).isEqualTo(c[1]);
            }
        }
    }

    /** Without symbols or DWARF, the route probes' offsets come from the module offsets table. */
    @Test
    void aStrippedBinaryGetsRoutesFromTheModuleOffsetsTable() throws Exception {
        try (GoServer server = GoServer.start("routeserver-go1.26-stripped"); Instrumentation inst = attach(server)) {
            assertAttached(inst);
            for (String library : List.of("gin", "gorilla/mux")) {
                assertThat(state(inst, library).offsetSource()).isEqualTo("table");
            }
            assertRoute(server, "GET", "/users/7", "/users/:id", RouteSource.GIN);
            assertRoute(server, "GET", "/mux/items/42", "/mux/items/{id:[0-9]+}", RouteSource.GORILLA_MUX);
        }
    }

    private Instrumentation attach(GoServer server) {
        BpfInstrumenter instrumenter = new BpfInstrumenter(Probes.ALL, harness.maps, new OffsetResolver(OffsetTable.load()));
        return instrumenter.instrument(Path.of("/proc/" + server.pid() + "/exe"), (int) server.pid(), 5);
    }

    private static void assertAttached(Instrumentation inst) {
        assertThat(inst.probes()).extracting(ProbeState::library).contains("net/http server", "gin", "gorilla/mux");
        assertThat(inst.probes()).allSatisfy(p -> assertThat(p.state()).as(p.library() + ": " + p.reason())
                .isEqualTo("attached"));
    }

    private static ProbeState state(Instrumentation inst, String library) {
        return inst.probes().stream().filter(p -> p.library().equals(library)).findFirst().orElseThrow();
    }

    /** Sends the request; the framework's answer and the span's route must both be the template. */
    private HttpServerEvent assertRoute(GoServer server, String method, String target, String route, RouteSource source)
            throws InterruptedException {
        HttpResponse<String> r = server.request(method, target);
        assertThat(r.statusCode()).as(method + " " + target).isEqualTo(200);
        assertThat(r.body()).endsWith(" " + route);
        HttpServerEvent e = awaitPath(pathOf(target), method);
        assertThat(e.route()).as(method + " " + target).isEqualTo(route);
        assertThat(e.routeSource()).isEqualTo(source);
        return e;
    }

    private void assertNoRoute(GoServer server, String method, String target, int status) throws InterruptedException {
        assertThat(server.request(method, target).statusCode()).as(method + " " + target).isEqualTo(status);
        // gin's trailing-slash redirect rewrites URL.Path in place, so the span sees it without the slash
        String path = status == 301 ? pathOf(target).replaceAll("/$", "") : pathOf(target);
        HttpServerEvent e = awaitPath(path, method);
        assertThat(e.status()).isEqualTo(status);
        assertThat(e.route()).as(method + " " + target).isEmpty();
        assertThat(e.routeSource()).isEqualTo(RouteSource.NONE);
    }

    private HttpServerEvent awaitPath(String path) throws InterruptedException {
        return (HttpServerEvent) harness.await(e -> e instanceof HttpServerEvent h && h.path().equals(path));
    }

    private HttpServerEvent awaitPath(String path, String method) throws InterruptedException {
        return (HttpServerEvent) harness.await(e -> e instanceof HttpServerEvent h && h.path().equals(path)
                && h.method().equals(method));
    }

    private static String pathOf(String target) {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }
}
