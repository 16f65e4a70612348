package io.tracebee.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OtlpGrpcExporterTest {

    /**
     * Outside Quarkus, SmallRye sets its context manager up lazily, on the first Uni made from a completion stage,
     * and that first set-up can fail with "ContextManagerProvider already set" (in whichever thread gets there:
     * forceFlush in the test thread, or the exporter's worker, which then counts a non-retryable failure). Get it
     * done here, before any test runs.
     */
    @BeforeAll
    static void contextPropagationReady() {
        for (int i = 0; i < 2; i++) {
            try {
                io.smallrye.mutiny.Uni.createFrom().completionStage(
                        java.util.concurrent.CompletableFuture.completedFuture(1)).await().indefinitely();
                return;
            } catch (IllegalStateException e) {
                // the provider is set now
            }
        }
    }
    private static final RetryPolicy FAST_RETRY = new RetryPolicy(5, Duration.ofMillis(20), Duration.ofMillis(80), 2.0,
            Duration.ofSeconds(10));
    private static final Metadata.Key<String> TENANT = Metadata.Key.of("x-tenant", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> AUTH = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /**
     * A collector stand-in answering each call with the next scripted behaviour (then OK). Deliberately
     * not a BindableService or ServerInterceptor: Quarkus would otherwise start a gRPC server for every
     * {@code @QuarkusTest} in the module.
     */
    static final class ScriptedCollector {
        final Deque<Consumer<StreamObserver<ExportTraceServiceResponse>>> script = new ArrayDeque<>();
        final List<ExportTraceServiceRequest> received = Collections.synchronizedList(new ArrayList<>());
        final List<Metadata> headers = Collections.synchronizedList(new ArrayList<>());
        final List<Deadline> deadlines = Collections.synchronizedList(new ArrayList<>());
        final List<Long> callTimes = Collections.synchronizedList(new ArrayList<>());
        volatile int accepted;

        ScriptedCollector fail(Status status) {
            script.add(o -> o.onError(status.asRuntimeException()));
            return this;
        }

        ScriptedCollector then(Consumer<StreamObserver<ExportTraceServiceResponse>> behaviour) {
            script.add(behaviour);
            return this;
        }

        void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> observer) {
            received.add(request);
            callTimes.add(System.nanoTime());
            deadlines.add(Context.current().getDeadline());
            Consumer<StreamObserver<ExportTraceServiceResponse>> next;
            synchronized (script) {
                next = script.poll();
            }
            if (next == null) {
                accepted++;
                observer.onNext(ExportTraceServiceResponse.getDefaultInstance());
                observer.onCompleted();
            } else {
                next.accept(observer);
            }
        }
    }

    private Server server;
    private final List<OtlpGrpcExporter> exporters = new ArrayList<>();

    private ScriptedCollector start(ScriptedCollector collector) throws Exception {
        return start(collector, 0);
    }

    private ScriptedCollector start(ScriptedCollector collector, int port) throws Exception {
        ServerServiceDefinition service = ServerServiceDefinition.builder(TraceServiceGrpc.getServiceDescriptor())
                .addMethod(TraceServiceGrpc.getExportMethod(), ServerCalls.asyncUnaryCall(collector::export))
                .build();
        ServerStreamTracer.Factory captureHeaders = new ServerStreamTracer.Factory() {
            @Override
            public ServerStreamTracer newServerStreamTracer(String method, Metadata headers) {
                collector.headers.add(headers);
                return new ServerStreamTracer() {
                };
            }
        };
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(service)
                .addStreamTracerFactory(captureHeaders)
                .build()
                .start();
        return collector;
    }

    private OtlpGrpcExporter exporter(OtlpExporterConfig config) {
        OtlpGrpcExporter exporter = new OtlpGrpcExporter(config);
        exporters.add(exporter);
        return exporter;
    }

    private OtlpExporterConfig config() {
        return OtlpExporterConfig.of("http://127.0.0.1:" + server.getPort()).withRetry(FAST_RETRY)
                .withTimeout(Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() throws Exception {
        for (OtlpGrpcExporter e : exporters) {
            e.shutdown().await().atMost(Duration.ofSeconds(5));
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void retriesUnavailableThenDeliversOnce() throws Exception {
        ScriptedCollector collector = start(new ScriptedCollector()
                .fail(Status.UNAVAILABLE.withDescription("warming up"))
                .fail(Status.UNAVAILABLE));
        ExportResult result = exporter(config()).export(TestSpans.many(3)).await().atMost(Duration.ofSeconds(10));

        assertThat(result.success()).as(result.message()).isTrue();
        assertThat(collector.received).hasSize(3);
        assertThat(collector.accepted).isEqualTo(1);
        assertThat(collector.received.get(2).getResourceSpans(0).getScopeSpans(0).getSpansCount()).isEqualTo(3);
        // Backoff: the retries were spaced by at least half the (jittered) initial delay.
        long gap = collector.callTimes.get(1) - collector.callTimes.get(0);
        assertThat(gap).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(10));
    }

    @Test
    void doesNotRetryInvalidArgumentAndCountsTheFailure() throws Exception {
        ScriptedCollector collector = start(new ScriptedCollector().fail(Status.INVALID_ARGUMENT.withDescription("bad")));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        BatchSpanProcessor processor = new BatchSpanProcessor(exporter(config()), BatchConfig.defaults(), registry);
        processor.offer(TestSpans.many(4));
        processor.forceFlush().await().atMost(Duration.ofSeconds(10));

        assertThat(collector.received).hasSize(1);
        assertThat(collector.accepted).isZero();
        assertThat(registry.get("tracebee.export.failures").tag("exporter", "otlp").counter().count()).isEqualTo(1);
        assertThat(registry.get("tracebee.spans.dropped").tag("reason", "export_failed").counter().count())
                .isEqualTo(4);
        assertThat(registry.get("tracebee.spans.exported").counter().count()).isZero();
        processor.shutdown(Duration.ofSeconds(5));
    }

    @Test
    void givesUpAfterBoundedAttemptsWhenTheCollectorIsDown() throws Exception {
        int port = closedPort();
        RetryPolicy threeAttempts = new RetryPolicy(3, Duration.ofMillis(20), Duration.ofMillis(40), 2.0,
                Duration.ofSeconds(10));
        OtlpGrpcExporter exporter = exporter(OtlpExporterConfig.of("http://127.0.0.1:" + port)
                .withRetry(threeAttempts).withTimeout(Duration.ofSeconds(2)));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        BatchSpanProcessor processor = new BatchSpanProcessor(exporter,
                BatchConfig.defaults().withRetryMaxElapsed(Duration.ZERO), registry);

        long start = System.nanoTime();
        processor.offer(TestSpans.many(2));
        processor.forceFlush().await().atMost(Duration.ofSeconds(10));
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(registry.get("tracebee.export.failures").counter().count()).isEqualTo(1);
        assertThat(registry.get("tracebee.spans.dropped").tag("reason", "export_failed").counter().count())
                .isEqualTo(2);
        assertThat(elapsedMs).isLessThan(5000);
        assertThat(exporter.export(TestSpans.many(1)).await().atMost(Duration.ofSeconds(10)).message())
                .contains("after 3 attempt(s)").contains("UNAVAILABLE");
        processor.shutdown(Duration.ofSeconds(5));
    }

    /** Nothing listens on the port it returns (until a test starts a collector there). */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A processor with a queue of 10 and batches of 4 in front of an exporter dialling {@code port}. */
    private BatchSpanProcessor outageProcessor(int port, Duration retryMaxElapsed, SimpleMeterRegistry registry) {
        OtlpGrpcExporter exporter = exporter(OtlpExporterConfig.of("http://127.0.0.1:" + port)
                .withRetry(FAST_RETRY).withTimeout(Duration.ofSeconds(2)));
        return new BatchSpanProcessor(exporter,
                new BatchConfig(10, 4, Duration.ofMillis(50), Duration.ofSeconds(5), retryMaxElapsed), registry);
    }

    @Test
    void keepsQueuedSpansThroughAnOutageAndDeliversThemAfter() throws Exception {
        int port = closedPort();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        BatchSpanProcessor processor = outageProcessor(port, Duration.ofMinutes(1), registry);
        try {
            processor.offer(TestSpans.many(4));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (registry.get("tracebee.export.retries").counter().count() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(registry.get("tracebee.export.retries").counter().count()).isPositive();
            // nobody listens: the batch stays queued and counts against the cap of 10
            processor.offer(TestSpans.many(8));
            assertThat(processor.queueSize()).isEqualTo(10);
            assertThat(registry.get("tracebee.spans.dropped").tag("reason", "queue_full").counter().count())
                    .isEqualTo(2);

            // the receiver comes up where the exporter dials; the channel's reconnect backoff is cut short
            ScriptedCollector collector = start(new ScriptedCollector(), port);
            processor.forceFlush().await().atMost(Duration.ofSeconds(20));

            assertThat(collector.accepted).isEqualTo(3);
            assertThat(registry.get("tracebee.spans.exported").counter().count()).isEqualTo(10);
            assertThat(registry.get("tracebee.spans.dropped").tag("reason", "export_failed").counter().count())
                    .isZero();
            assertThat(processor.queueSize()).isZero();
        } finally {
            processor.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void dropsAHeldBatchOnceItsRetryTimeIsSpent() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        BatchSpanProcessor processor = outageProcessor(closedPort(), Duration.ofSeconds(4), registry);
        try {
            processor.offer(TestSpans.many(3));
            processor.forceFlush().await().atMost(Duration.ofSeconds(20));
            // tried at once, after 1 s and after 2 s more; the next wait, 4 s, would end past the 4 s budget
            assertThat(registry.get("tracebee.export.retries").counter().count()).isEqualTo(2);
            assertThat(registry.get("tracebee.spans.dropped").tag("reason", "export_failed").counter().count())
                    .isEqualTo(3);
        } finally {
            processor.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void sendsConfiguredHeadersAsMetadata() throws Exception {
        ScriptedCollector collector = start(new ScriptedCollector());
        Map<String, String> env = Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:" + server.getPort(),
                "OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer%20s3cr%3Dt, x-tenant = blue ");
        OtlpExporterConfig config = OtlpExporterConfig.fromEnv(env).withRetry(FAST_RETRY);

        ExportResult result = exporter(config).export(TestSpans.many(1)).await().atMost(Duration.ofSeconds(10));

        assertThat(result.success()).as(result.message()).isTrue();
        Metadata headers = collector.headers.get(0);
        assertThat(headers.get(AUTH)).isEqualTo("Bearer s3cr=t");
        assertThat(headers.get(TENANT)).isEqualTo("blue");
        assertThat(headers.get(Metadata.Key.of("user-agent", Metadata.ASCII_STRING_MARSHALLER)))
                .startsWith("tracebee-otlp-exporter");
        assertThat(config.toString()).doesNotContain("s3cr");
    }

    @Test
    void honoursTheDeadlinePerCall() throws Exception {
        ScriptedCollector collector = start(new ScriptedCollector().then(o -> {
            // Never answer: only the client's deadline ends the call.
        }));
        OtlpExporterConfig config = config().withTimeout(Duration.ofMillis(300)).withRetry(RetryPolicy.disabled());

        long start = System.nanoTime();
        ExportResult result = exporter(config).export(TestSpans.many(1)).await().atMost(Duration.ofSeconds(10));
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(result.success()).isFalse();
        assertThat(result.message()).contains("DEADLINE_EXCEEDED");
        assertThat(elapsedMs).isBetween(250L, 3000L);
        Deadline seen = collector.deadlines.get(0);
        assertThat(seen).isNotNull();
        assertThat(seen.timeRemaining(TimeUnit.MILLISECONDS)).isLessThanOrEqualTo(300);
    }

    @Test
    void deadlineExceededIsRetried() throws Exception {
        ScriptedCollector collector = start(new ScriptedCollector().then(o -> {
        }));
        OtlpExporterConfig config = config().withTimeout(Duration.ofMillis(200));

        ExportResult result = exporter(config).export(TestSpans.many(1)).await().atMost(Duration.ofSeconds(10));

        assertThat(result.success()).as(result.message()).isTrue();
        assertThat(collector.received).hasSize(2);
    }

    @Test
    void resourceExhaustedIsRetriedOnlyWithRetryInfo() throws Exception {
        com.google.rpc.Status withRetryInfo = com.google.rpc.Status.newBuilder()
                .setCode(Code.RESOURCE_EXHAUSTED_VALUE).setMessage("slow down")
                .addDetails(Any.pack(RetryInfo.newBuilder()
                        .setRetryDelay(com.google.protobuf.Duration.newBuilder().setNanos(150_000_000)).build()))
                .build();
        ScriptedCollector collector = start(new ScriptedCollector()
                .then(o -> o.onError(StatusProto.toStatusRuntimeException(withRetryInfo)))
                .fail(Status.RESOURCE_EXHAUSTED.withDescription("no hint")));
        OtlpGrpcExporter exporter = exporter(config());

        ExportResult first = exporter.export(TestSpans.many(1)).await().atMost(Duration.ofSeconds(10));

        assertThat(first.success()).isFalse();
        assertThat(first.message()).contains("RESOURCE_EXHAUSTED").contains("non-retryable");
        assertThat(collector.received).hasSize(2);
        long gapMs = TimeUnit.NANOSECONDS.toMillis(collector.callTimes.get(1) - collector.callTimes.get(0));
        assertThat(gapMs).as("server-requested delay").isGreaterThanOrEqualTo(140);
    }

    @Test
    void reportsPartialSuccess() throws Exception {
        start(new ScriptedCollector().then(o -> {
            o.onNext(ExportTraceServiceResponse.newBuilder().setPartialSuccess(ExportTracePartialSuccess.newBuilder()
                    .setRejectedSpans(2).setErrorMessage("too old")).build());
            o.onCompleted();
        }));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        BatchSpanProcessor processor = new BatchSpanProcessor(exporter(config()), BatchConfig.defaults(), registry);
        processor.offer(TestSpans.many(5));
        processor.forceFlush().await().atMost(Duration.ofSeconds(10));

        assertThat(registry.get("tracebee.spans.exported").counter().count()).isEqualTo(3);
        assertThat(registry.get("tracebee.spans.dropped").tag("reason", "rejected").counter().count()).isEqualTo(2);
        assertThat(registry.get("tracebee.export.failures").counter().count()).isZero();
        processor.shutdown(Duration.ofSeconds(5));
    }
}
