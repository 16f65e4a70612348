package io.tracebee.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.e2e.Collector.ReceivedSpan;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * gRPC end to end at a real collector, on this lockdown kernel (nothing is written into either process, and
 * no header into the HTTP/2 streams): service A (grpc v1.85.0, Go 1.26) takes an HTTP request and makes a
 * gRPC call to service B (grpc v1.68.1, Go 1.23), another process attached to the same agent, whose handler
 * makes an HTTP call of its own. One trace per request with exact parents — A's HTTP server span, A's
 * CLIENT span, B's SERVER span (linked by connection and HTTP/2 stream id), B's HTTP client span, the HTTP
 * server span it reached — with gRPC's semantic-convention attributes, non-OK statuses as errors, calls
 * multiplexed on one connection each under their own client span, and a bidirectional stream whose client
 * span lasts until the stream ends.
 */
class GrpcIT {
    private static final String SERVICE = "tracebee.test.Echo";

    @Test
    void anHttpRequestMakingAGrpcCallIsOneTrace() throws Exception {
        try (Collector collector = Collector.start();
                AgentProcess agent = AgentProcess.start(Map.of(
                        "OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint(),
                        "OTEL_BSP_SCHEDULE_DELAY", "200"));
                GoServer b = GoServer.start("grpcserver-go1.23-oldest")) {
            String bGrpc = b.get("/grpc-addr").body();
            try (GoServer a = GoServer.start("grpcserver-go1.26", "-upstream", bGrpc)) {
                agent.attach(a.pid(), "frontend");
                agent.attach(b.pid(), "backend");

                String ping = "http://" + b.address() + "/ping";
                assertThat(a.get("/call?method=Fetch&value=" + ping).body()).isEqualTo("code=0 value=pong");
                ReceivedSpan pinged = collector.awaitSpans(s -> "GET /ping".equals(s.name()), 1, Duration.ofSeconds(30)).get(0);
                List<ReceivedSpan> trace = Traces.traceOf(collector, pinged, 5);
                ReceivedSpan bClient = Traces.parentOf(trace, pinged);
                assertThat(bClient.kind()).as("CLIENT").isEqualTo(3);
                ReceivedSpan bServer = Traces.parentOf(trace, bClient);
                ReceivedSpan aClient = Traces.parentOf(trace, bServer);
                ReceivedSpan aServer = Traces.parentOf(trace, aClient);
                assertThat(aServer.name()).isEqualTo("GET /call");
                assertThat(aServer.parentSpanId()).isEmpty();

                assertThat(bServer.name()).isEqualTo(SERVICE + "/Fetch");
                assertThat(bServer.kind()).as("SERVER").isEqualTo(2);
                assertThat(bServer.scope()).isEqualTo("io.tracebee/google.golang.org/grpc");
                assertThat(bServer.resource()).containsEntry("service.name", "backend");
                assertThat(bServer.parentRemote()).as("its parent is in process A").isTrue();
                assertThat(bServer.statusCode()).isZero();
                assertThat(bServer.attributes()).containsEntry("rpc.system", "grpc")
                        .containsEntry("rpc.service", SERVICE)
                        .containsEntry("rpc.method", "Fetch")
                        .containsEntry("rpc.grpc.status_code", 0L)
                        .containsEntry("server.address", "127.0.0.1")
                        .containsEntry("network.local.port", (long) port(bGrpc));
                assertThat(aClient.name()).isEqualTo(SERVICE + "/Fetch");
                assertThat(aClient.kind()).as("CLIENT").isEqualTo(3);
                assertThat(aClient.resource()).containsEntry("service.name", "frontend");
                assertThat(aClient.attributes()).containsEntry("rpc.system", "grpc")
                        .containsEntry("rpc.grpc.status_code", 0L)
                        .containsEntry("server.address", "127.0.0.1")
                        .containsEntry("server.port", (long) port(bGrpc))
                        .containsEntry("network.peer.port", (long) port(bGrpc));

                assertThat(a.get("/call?method=Fail&value=it").body()).isEqualTo("code=5 no such thing: it");
                ReceivedSpan failedServer = collector.awaitSpans(s -> s.name().equals(SERVICE + "/Fail") && s.kind() == 2,
                        1, Duration.ofSeconds(30)).get(0);
                List<ReceivedSpan> failTrace = Traces.traceOf(collector, failedServer, 3);
                ReceivedSpan failedClient = Traces.parentOf(failTrace, failedServer);
                assertThat(failedClient.name()).isEqualTo(SERVICE + "/Fail");
                for (ReceivedSpan s : List.of(failedServer, failedClient)) {
                    assertThat(s.statusCode()).as("ERROR").isEqualTo(2);
                    assertThat(s.statusMessage()).isEqualTo("no such thing: it");
                    assertThat(s.attributes()).containsEntry("rpc.grpc.status_code", 5L);
                }
                assertThat(Traces.parentOf(failTrace, failedClient).name()).isEqualTo("GET /call");

                // eight calls at once on A's one connection to B: each B span under its own A client span
                assertThat(a.get("/concurrent?n=8").body()).isEqualTo("ok");
                Set<String> traces = new HashSet<>();
                for (int i = 0; i < 8; i++) {
                    String name = SERVICE + "/C" + i;
                    ReceivedSpan server = collector.awaitSpans(s -> s.name().equals(name) && s.kind() == 2, 1,
                            Duration.ofSeconds(30)).get(0);
                    List<ReceivedSpan> t = Traces.traceOf(collector, server, 2 + 8);
                    ReceivedSpan client = Traces.parentOf(t, server);
                    assertThat(client.name()).as("B's %s under A's client span of the same call", name).isEqualTo(name);
                    assertThat(Traces.parentOf(t, client).name()).isEqualTo("GET /concurrent");
                    traces.add(server.traceId());
                }
                assertThat(traces).as("one request, one trace").hasSize(1);

                // a bidirectional stream: the client span covers the whole stream, the server's lies inside it
                assertThat(a.get("/stream?method=Chat&n=3&value=s").body()).isEqualTo("code=0 count=3");
                ReceivedSpan streamServer = collector.awaitSpans(s -> s.name().equals(SERVICE + "/Chat") && s.kind() == 2,
                        1, Duration.ofSeconds(30)).get(0);
                List<ReceivedSpan> streamTrace = Traces.traceOf(collector, streamServer, 3);
                ReceivedSpan streamClient = Traces.parentOf(streamTrace, streamServer);
                assertThat(streamClient.name()).isEqualTo(SERVICE + "/Chat");
                assertThat(streamClient.kind()).as("CLIENT").isEqualTo(3);
                assertThat(streamClient.statusCode()).isZero();
                assertThat(streamClient.attributes()).containsEntry("rpc.method", "Chat")
                        .containsEntry("rpc.grpc.status_code", 0L)
                        .containsEntry("server.port", (long) port(bGrpc));
                assertThat(streamClient.startNanos()).isLessThan(streamServer.startNanos());
                assertThat(streamClient.endNanos()).isGreaterThan(streamServer.endNanos());
                assertThat(Traces.parentOf(streamTrace, streamClient).name()).isEqualTo("GET /stream");

                String metrics = agent.metrics();
                assertThat(NoCollectorIT.metric(metrics, "tracebee_context_links_total{result=\"matched\",}"))
                        .as("Fetch, its HTTP call, Fail, 8 concurrent calls, the stream").isEqualTo(12);
                assertThat(NoCollectorIT.metric(metrics, "tracebee_context_links_pending")).isZero();
            }
        }
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }
}
