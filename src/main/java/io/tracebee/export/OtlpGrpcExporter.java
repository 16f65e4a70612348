package io.tracebee.export;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.RetryInfo;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptors;
import io.grpc.ConnectivityState;
import io.grpc.Context;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.smallrye.mutiny.Uni;
import io.tracebee.span.Span;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Sends spans to an OTLP/gRPC receiver (a Collector or a vendor endpoint), retrying transient
 * failures with jittered exponential backoff as the OTLP specification prescribes.
 */
public final class OtlpGrpcExporter implements SpanExporter {
    private static final Logger LOG = Logger.getLogger(OtlpGrpcExporter.class);

    /** OTLP spec: these codes are retryable; RESOURCE_EXHAUSTED only when the server sent RetryInfo. */
    private static final Set<Status.Code> RETRYABLE = EnumSet.of(Status.Code.CANCELLED,
            Status.Code.DEADLINE_EXCEEDED, Status.Code.ABORTED, Status.Code.OUT_OF_RANGE, Status.Code.UNAVAILABLE,
            Status.Code.DATA_LOSS);

    private final OtlpExporterConfig config;
    private final ManagedChannel channel;
    /** The channel, with the configured headers attached. */
    private final Channel calls;
    private final String compression;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean shutdown = new AtomicBoolean();
    private volatile long lastPartialSuccessLog;

    public OtlpGrpcExporter(OtlpExporterConfig config) {
        this(config, buildChannel(config));
    }

    /** Uses a channel built elsewhere (tests, or a caller that shares one); shutdown closes it. */
    public OtlpGrpcExporter(OtlpExporterConfig config, ManagedChannel channel) {
        this.config = config;
        this.channel = channel;
        Channel c = channel;
        if (!config.headers().isEmpty()) {
            Metadata metadata = new Metadata();
            for (Map.Entry<String, String> h : config.headers().entrySet()) {
                if (h.getKey().endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                    LOG.warnf("Ignoring OTLP header %s: binary metadata is not supported", h.getKey());
                    continue;
                }
                metadata.put(Metadata.Key.of(h.getKey(), Metadata.ASCII_STRING_MARSHALLER), h.getValue());
            }
            c = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(metadata));
        }
        this.calls = c;
        this.compression = config.compression().equals("gzip") ? "gzip" : null;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tracebee-otlp-retry");
            t.setDaemon(true);
            return t;
        });
    }

    static ManagedChannel buildChannel(OtlpExporterConfig config) {
        ChannelCredentials credentials;
        if (config.tls()) {
            TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
            try {
                if (config.certificate() != null) {
                    tls.trustManager(config.certificate().toFile());
                }
                if (config.clientCertificate() != null && config.clientKey() != null) {
                    tls.keyManager(config.clientCertificate().toFile(), config.clientKey().toFile());
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("Cannot read OTLP TLS certificate or key: " + e.getMessage(), e);
            }
            credentials = tls.build();
        } else {
            credentials = InsecureChannelCredentials.create();
        }
        return NettyChannelBuilder.forAddress(config.host(), config.port(), credentials)
                .userAgent("tracebee-otlp-exporter")
                .build();
    }

    @Override
    public String name() {
        return "otlp";
    }

    public OtlpExporterConfig config() {
        return config;
    }

    @Override
    public Uni<ExportResult> export(List<Span> spans) {
        if (shutdown.get()) {
            return Uni.createFrom().item(ExportResult.failure("exporter is shut down"));
        }
        if (spans.isEmpty()) {
            return Uni.createFrom().item(ExportResult.ok());
        }
        try {
            byte[] request = OtlpEncoder.encodeBytes(spans);
            return attempt(request, 1, System.nanoTime())
                    .onFailure().recoverWithItem(ExportResult::failure);
        } catch (RuntimeException e) {
            return Uni.createFrom().item(ExportResult.failure(e));
        }
    }

    private Uni<ExportResult> attempt(byte[] request, int attempt, long firstCallNanos) {
        reconnectNow();
        return call(request)
                .map(this::toResult)
                .onFailure().recoverWithUni(error -> {
                    Status status = Status.fromThrowable(error);
                    Duration delay = retryDelay(status, error, attempt);
                    String what = status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
                    if (delay == null) {
                        return Uni.createFrom().item(ExportResult.failure("OTLP export to " + config.endpoint()
                                + " failed with non-retryable " + what));
                    }
                    long elapsed = System.nanoTime() - firstCallNanos;
                    if (attempt >= config.retry().maxAttempts() || shutdown.get()
                            || elapsed + delay.toNanos() > config.retry().maxElapsed().toNanos()) {
                        return Uni.createFrom().item(ExportResult.retryableFailure("OTLP export to "
                                + config.endpoint() + " failed after " + attempt + " attempt(s): " + what));
                    }
                    LOG.debugf("OTLP export attempt %s failed with %s; retrying in %s ms", (Object) attempt, what,
                            delay.toMillis());
                    return Uni.createFrom().voidItem()
                            .onItem().delayIt().onExecutor(scheduler).by(delay)
                            .chain(() -> attempt(request, attempt + 1, firstCallNanos));
                });
    }

    /**
     * A receiver that refused connections is dialled again by the channel only after its own reconnect backoff,
     * which grows to two minutes: after an outage the next call would fail fast for that long although the receiver
     * is back. Our retry schedule is the one that counts, so the channel's is cut short before each attempt.
     */
    private void reconnectNow() {
        if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
            channel.resetConnectBackoff();
        }
    }

    /**
     * One gRPC call of TraceService/Export with its own deadline, sending the request's bytes as encoded; cancelling
     * the subscription cancels the call.
     */
    private Uni<ExportTraceServiceResponse> call(byte[] request) {
        return Uni.createFrom().emitter(emitter -> {
            Context.CancellableContext context = Context.current().withCancellation();
            emitter.onTermination(() -> context.cancel(null));
            CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(config.timeout().toNanos(), TimeUnit.NANOSECONDS);
            if (compression != null) {
                options = options.withCompression(compression);
            }
            CallOptions callOptions = options;
            context.run(() -> ClientCalls.asyncUnaryCall(calls.newCall(EXPORT, callOptions), request,
                    new StreamObserver<ExportTraceServiceResponse>() {
                        private ExportTraceServiceResponse response = ExportTraceServiceResponse.getDefaultInstance();

                        @Override
                        public void onNext(ExportTraceServiceResponse value) {
                            response = value;
                        }

                        @Override
                        public void onError(Throwable t) {
                            emitter.fail(t);
                        }

                        @Override
                        public void onCompleted() {
                            emitter.complete(response);
                        }
                    }));
        });
    }

    /** TraceService/Export with the request already in its wire form (OtlpEncoder.encodeBytes). */
    private static final MethodDescriptor<byte[], ExportTraceServiceResponse> EXPORT =
            MethodDescriptor.<byte[], ExportTraceServiceResponse>newBuilder()
                    .setType(MethodDescriptor.MethodType.UNARY)
                    .setFullMethodName(TraceServiceGrpc.getExportMethod().getFullMethodName())
                    .setRequestMarshaller(new MethodDescriptor.Marshaller<byte[]>() {
                        @Override
                        public InputStream stream(byte[] value) {
                            return new ByteArrayInputStream(value);
                        }

                        @Override
                        public byte[] parse(InputStream stream) {
                            try {
                                return stream.readAllBytes();
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        }
                    })
                    .setResponseMarshaller(ProtoUtils.marshaller(ExportTraceServiceResponse.getDefaultInstance()))
                    .build();

    private ExportResult toResult(ExportTraceServiceResponse response) {
        if (!response.hasPartialSuccess()) {
            return ExportResult.ok();
        }
        ExportTracePartialSuccess partial = response.getPartialSuccess();
        if (partial.getRejectedSpans() > 0 || !partial.getErrorMessage().isEmpty()) {
            long now = System.nanoTime();
            if (now - lastPartialSuccessLog > TimeUnit.SECONDS.toNanos(10)) {
                lastPartialSuccessLog = now;
                LOG.warnf("OTLP receiver %s rejected %d span(s): %s", config.endpoint(), partial.getRejectedSpans(),
                        partial.getErrorMessage());
            }
        }
        return ExportResult.partial(partial.getRejectedSpans(), partial.getErrorMessage());
    }

    /** The delay before the next attempt, or null when the failure is not retryable. */
    Duration retryDelay(Status status, Throwable error, int attempt) {
        Duration serverDelay = serverRetryDelay(error);
        if (!RETRYABLE.contains(status.getCode())
                && !(status.getCode() == Status.Code.RESOURCE_EXHAUSTED && serverDelay != null)) {
            return null;
        }
        if (serverDelay != null) {
            return serverDelay;
        }
        long backoff = config.retry().backoff(attempt).toNanos();
        // Jitter within [backoff/2, backoff]: spreads retries of many agents without ever retrying at once.
        long half = backoff / 2;
        return Duration.ofNanos(half + (half > 0 ? ThreadLocalRandom.current().nextLong(half + 1) : 0));
    }

    /** google.rpc.RetryInfo from the status details, if the server sent one. */
    static Duration serverRetryDelay(Throwable error) {
        com.google.rpc.Status status = StatusProto.fromThrowable(error);
        if (status == null) {
            return null;
        }
        for (Any detail : status.getDetailsList()) {
            // by type URL and parseFrom: Any.is and Any.unpack find the default instance reflectively, which a native
            // image would need registered
            if (detail.getTypeUrl().endsWith("/" + RetryInfo.getDescriptor().getFullName())) {
                try {
                    com.google.protobuf.Duration d = RetryInfo.parseFrom(detail.getValue()).getRetryDelay();
                    return Duration.ofSeconds(Math.max(0, d.getSeconds()), Math.max(0, d.getNanos()));
                } catch (InvalidProtocolBufferException e) {
                    return null;
                }
            }
        }
        return null;
    }

    @Override
    public Uni<Void> shutdown() {
        if (!shutdown.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().<Void>item(() -> {
            scheduler.shutdownNow();
            channel.shutdown();
            try {
                if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                    channel.shutdownNow();
                }
            } catch (InterruptedException e) {
                channel.shutdownNow();
                Thread.currentThread().interrupt();
            }
            return null;
        }).onFailure().recoverWithNull();
    }
}
