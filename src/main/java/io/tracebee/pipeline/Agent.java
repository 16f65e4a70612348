package io.tracebee.pipeline;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.tracebee.bpf.BpfSupport;
import io.tracebee.bpf.HelperCapability;
import io.tracebee.bpf.MonotonicClock;
import io.tracebee.bpf.RunTimeStats;
import io.tracebee.config.Knob;
import io.tracebee.config.Sampler;
import io.tracebee.config.Settings;
import io.tracebee.control.ProbeState;
import io.tracebee.control.ProcessResources;
import io.tracebee.control.TargetService;
import io.tracebee.correlate.Correlator;
import io.tracebee.decode.EventDecoder;
import io.tracebee.decode.EventLayout;
import io.tracebee.export.BatchConfig;
import io.tracebee.export.Exporters;
import io.tracebee.export.FanOutSpanProcessor;
import io.tracebee.export.SpanExporter;
import io.tracebee.probe.BpfInstrumenter;
import io.tracebee.probe.HeaderInjection;
import io.tracebee.probe.OffsetResolver;
import io.tracebee.probe.OffsetTable;
import io.tracebee.probe.ProbeSpec;
import io.tracebee.probe.Probes;
import io.tracebee.probe.ProcessWatch;
import io.tracebee.probe.ProgramRunStats;
import io.tracebee.probe.SharedMaps;
import io.tracebee.ringbuf.EventBatch;
import io.tracebee.ringbuf.RingBufferSource;
import io.tracebee.span.Span;
import io.tracebee.span.SpanAssembler;
import io.tracebee.span.WallClock;
import io.tracebee.view.TraceStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * The running agent: owns the shared BPF maps, the ring-buffer reader, the pipeline
 * (ring buffer -> decode -> correlate -> span assembly -> export) and the target registry.
 * Started by the CLI, or on the first REST attach.
 */
@ApplicationScoped
public class Agent {
    private static final Logger LOG = Logger.getLogger(Agent.class);
    /** Batches waiting between the reader thread and the pipeline thread; beyond this the reader drops. */
    /**
     * Batches between the reader and the pipeline thread. Under a steady stream a batch is a millisecond or two of
     * events (the reader coalesces small drains), so 128 ride out a pipeline-thread stall of ~150 ms at 50,000
     * events/s; a batch holds at most 256 KiB, so a full queue at most 32 MiB.
     */
    private static final int PIPELINE_QUEUE_BATCHES = 128;
    private static final Duration PIPELINE_DRAIN = Duration.ofSeconds(2);
    private static final Duration EXPORT_FLUSH = Duration.ofSeconds(5);

    @Inject
    MeterRegistry registry;

    @Inject
    TraceStore traceStore;

    @Inject
    Settings settings;

    private final LongAdder pipelineFailures = new LongAdder();
    private final LongAdder spansAssembled = new LongAdder();
    private volatile Running running;
    private volatile ProcessWatch processWatch;
    private volatile RunTimeStats runTimeStats;
    private volatile boolean startingUp;

    /** Everything that exists only while the agent runs. */
    private record Running(SharedMaps maps, RingBufferSource source, ExecutorService pipelineThread,
            CompletableFuture<Void> pipelineDone, FanOutSpanProcessor processor, TargetService targets,
            EventDecoder decoder, Correlator correlator, ProcessStateJanitor janitor) {
    }

    public Settings settings() {
        return settings;
    }

    /** The target registry; starts the agent if it is not running yet. */
    public TargetService targets() {
        return running().targets();
    }

    /** What forgets the state of traced processes that are gone; starts the agent if it is not running yet. */
    public ProcessStateJanitor janitor() {
        return running().janitor();
    }

    /** Running, and not in the middle of attaching the targets named at start-up. */
    public boolean isReady() {
        return running != null && !startingUp;
    }

    /** Readiness stays down from here until {@link #endStartup()}: the command line is attaching its targets. */
    public void beginStartup() {
        startingUp = true;
    }

    public void endStartup() {
        startingUp = false;
    }

    /** Starts the agent; idempotent. Throws with a clear reason if BPF is unusable here. */
    public void start() {
        running();
    }

    private synchronized Running running() {
        if (running != null) {
            return running;
        }
        BpfSupport.Status bpf = BpfSupport.check();
        if (!bpf.available()) {
            throw new IllegalStateException("BPF is not usable here: " + bpf.reason());
        }
        Map<String, String> env = settings.environment();
        int ringBytes = settings.getInt(Knob.RING_BUFFER_BYTES);
        int pollMillis = (int) settings.getMillis(Knob.RING_BUFFER_POLL_MS).toMillis();
        Sampler sampler = Sampler.parse(settings.getOrDefault(Knob.TRACES_SAMPLER),
                settings.getOrDefault(Knob.TRACES_SAMPLER_ARG));
        // strict: a value other than auto/off has already refused start
        boolean writesAllowed = !settings.getOrDefault(Knob.TARGET_WRITES).equals("off");
        SharedMaps maps = SharedMaps.create(ringBytes);
        maps.sampler(sampler);
        if (!maps.pidNamespace().initial()) {
            LOG.infof("the agent runs in a pid namespace of its own (inode %d): probes report the process ids it "
                    + "sees; processes outside it are not traced", maps.pidNamespace().ino());
        }
        String injection = !writesAllowed ? "off (" + Knob.TARGET_WRITES.env() + "=off)"
                : settings.getSwitch(Knob.HTTP_INJECT) ? HeaderInjection.start(maps).description()
                : "off (" + Knob.HTTP_INJECT.env() + "=off)";
        FanOutSpanProcessor processor = null;
        RingBufferSource source = null;
        ExecutorService pipelineThread = null;
        ProcessStateJanitor janitor = null;
        try {
            List<SpanExporter> exporters = new ArrayList<>(Exporters.create(env, Exporters.Options.defaults()));
            exporters.add(traceStore);
            processor = FanOutSpanProcessor.of(exporters, BatchConfig.fromEnv(env), registry);

            ProcessWatch watch = null;
            String watchUnavailable = null;
            try {
                watch = ProcessWatch.start(maps);
            } catch (RuntimeException e) {
                watchUnavailable = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse(e.toString());
                LOG.warnf("process lifecycle not watched (exe globs refused, exited pid targets not noticed): %s",
                        watchUnavailable);
            }
            processWatch = watch;
            BpfInstrumenter instrumenter = new BpfInstrumenter(Probes.ALL, maps, new OffsetResolver(OffsetTable.load()));
            if (settings.getSwitch(Knob.BPF_STATS)) {
                try {
                    runTimeStats = RunTimeStats.enable();
                } catch (RuntimeException e) {
                    LOG.warnf("BPF run-time statistics unavailable (tracebee_bpf_program_* stay 0): %s", e.getMessage());
                }
            }
            registerProgramMetrics(instrumenter.runStats());
            registerAttachMetrics(instrumenter);
            TargetService targets = new TargetService(
                    instrumenter,
                    new ProcessResources(ProcessResources.parseResourceAttributes(
                            settings.get(Knob.RESOURCE_ATTRIBUTES).orElse(null))),
                    settings.get(Knob.SERVICE_NAME).orElse(null), watch, watchUnavailable);
            EventDecoder decoder = new EventDecoder();
            Correlator correlator = new Correlator(targets);
            WallClock clock = new WallClock(() -> MonotonicClock.calibrate().offsetNanos());
            SpanAssembler assembler = new SpanAssembler(clock, settings.getSwitch(Knob.DB_QUERY_TEXT));

            source = RingBufferSource.open(maps.ringBufferFd(), RingBufferSource.Options.defaults()
                    .withThreadName("tracebee-ringbuf").withPollTimeoutMillis(pollMillis));
            pipelineThread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "tracebee-pipeline");
                t.setDaemon(true);
                return t;
            });
            FanOutSpanProcessor sink = processor;
            CompletableFuture<Void> pipelineDone = new CompletableFuture<>();
            source.batches()
                    .emitOn(pipelineThread, PIPELINE_QUEUE_BATCHES)
                    .map(batch -> process(batch, decoder, correlator, assembler))
                    .subscribe().with(spans -> {
                        if (!spans.isEmpty()) {
                            sink.offer(spans);
                        }
                    }, failure -> {
                        LOG.error("tracebee pipeline stopped", failure);
                        pipelineDone.complete(null);
                    }, () -> pipelineDone.complete(null));
            source.start();
            janitor = new ProcessStateJanitor(maps.perProcess(), decoder, pipelineThread);
            targets.onProcessGone(janitor::gone);
            janitor.start();

            running = new Running(maps, source, pipelineThread, pipelineDone, processor, targets, decoder, correlator,
                    janitor);
            registerMetrics(running);
            HelperCapability.Result reads = HelperCapability.READ_KERNEL.detect();
            LOG.infof("tracebee started: exporters %s, sampler %s, ring buffer %d KiB; writing target memory %s; reading sockets"
                            + " for same-host links %s; outgoing traceparent headers %s",
                    exporters.stream().map(SpanExporter::name).toList(), sampler, ringBytes / 1024,
                    describeWrites(writesAllowed),
                    reads.allowed() ? "allowed" : "refused (links and socket addresses off): " + reads.reason(),
                    injection);
            return running;
        } catch (RuntimeException e) {
            if (janitor != null) {
                janitor.close();
            }
            if (source != null) {
                source.close();
            }
            if (pipelineThread != null) {
                pipelineThread.shutdownNow();
            }
            if (processor != null) {
                processor.shutdown(Duration.ofSeconds(1));
            }
            if (processWatch != null) {
                processWatch.close();
            }
            maps.close();
            throw e;
        }
    }

    /**
     * What the start line says about writing target memory. {@code TRACEBEE_TARGET_WRITES=auto}: a feature writes
     * only where it needs to and the kernel allows it — today no probe writes process memory, and the one change
     * to a target's traffic is the traceparent added to outgoing HTTP requests in the socket layer (sk_msg).
     * {@code off}: observe only — no injection either, and the kernel is not even asked whether it would allow
     * {@code bpf_probe_write_user}. Same-host links still work (they are read from sockets).
     */
    private static String describeWrites(boolean writesAllowed) {
        if (!writesAllowed) {
            return "off (TRACEBEE_TARGET_WRITES=off: observe only)";
        }
        HelperCapability.Result writes = HelperCapability.WRITE_USER.detect();
        return writes.allowed() ? "allowed by the kernel, needed by no probe" : "refused: " + writes.reason();
    }

    /**
     * Per probe: the time to load its object (verification, map creation, relocation) and to attach its uprobes.
     * Loading was most of an attach until the heaviest probe code became global functions (docs/BENCHMARKS.md).
     */
    private void registerAttachMetrics(BpfInstrumenter instrumenter) {
        instrumenter.onAttach((library, load, attach) -> {
            Timer.builder("tracebee.probe.load").tag("library", library)
                    .description("Time to load a probe's BPF object into the kernel, verification included")
                    .register(registry).record(load, TimeUnit.NANOSECONDS);
            Timer.builder("tracebee.probe.attach").tag("library", library)
                    .description("Time to attach a loaded probe's uprobes to a binary")
                    .register(registry).record(attach, TimeUnit.NANOSECONDS);
        });
    }

    /** Run count and time of every probe program, by name, registered as each is first loaded. */
    private void registerProgramMetrics(ProgramRunStats stats) {
        stats.onNewProgram(program -> {
            FunctionCounter.builder("tracebee.bpf.program.runs", stats, s -> s.totals(program).runs())
                    .tags("program", program)
                    .description("Times the kernel ran the probe program (kernel statistics; " + Knob.BPF_STATS.env()
                            + "=off stops them)")
                    .register(registry);
            FunctionCounter.builder("tracebee.bpf.program.run.seconds", stats, s -> s.totals(program).nanos() / 1e9)
                    .tags("program", program)
                    .description("Kernel time spent in the probe program, trap excluded").register(registry);
        });
    }

    /** One drained batch through decode, correlate and assembly; a bug in a stage costs the batch, never the stream. */
    private List<Span> process(EventBatch batch, EventDecoder decoder, Correlator correlator, SpanAssembler assembler) {
        try {
            List<Span> spans = assembler.assemble(correlator.correlate(
                    decoder.decode(batch.data(), batch.offsets(), batch.lengths(), batch.count())));
            spansAssembled.add(spans.size());
            return spans;
        } catch (RuntimeException e) {
            pipelineFailures.increment();
            LOG.errorf(e, "dropping a batch of %d events: pipeline stage failed", batch.count());
            return List.of();
        } finally {
            batch.release();
        }
    }

    private void registerMetrics(Running r) {
        FunctionCounter.builder("tracebee.events.received", r.source(), RingBufferSource::recordsRead)
                .description("Events read from the kernel ring buffer").register(registry);
        FunctionCounter.builder("tracebee.events.lost", r.maps(), SharedMaps::ringBufferFullDrops)
                .tags("stage", "kernel", "reason", "ringbuf_full")
                .description("Events lost before reaching tracebee's pipeline").register(registry);
        FunctionCounter.builder("tracebee.events.lost", r.maps(), SharedMaps::inflightFullDrops)
                .tags("stage", "kernel", "reason", "inflight_full").register(registry);
        FunctionCounter.builder("tracebee.events.lost", r.source(), RingBufferSource::droppedRecords)
                .tags("stage", "reader", "reason", "pipeline_full").register(registry);
        FunctionCounter.builder("tracebee.events.lost", r.decoder(), EventDecoder::decodeErrors)
                .tags("stage", "decode", "reason", "malformed").register(registry);
        FunctionCounter.builder("tracebee.events.lost", r.decoder(), EventDecoder::manualSpansIncomplete)
                .description("Manual spans dropped because one of their chunks or records was lost in the kernel")
                .tags("stage", "decode", "reason", "manual_span_incomplete").register(registry);
        FunctionCounter.builder("tracebee.events.lost", r.decoder(), EventDecoder::manualSpansUnended)
                .description("Global-API spans dropped unended: more were open at once than the decoder keeps")
                .tags("stage", "decode", "reason", "manual_span_unended").register(registry);
        FunctionCounter.builder("tracebee.events.lost", r.correlator(), Correlator::detachedDrops)
                .tags("stage", "correlate", "reason", "detached").register(registry);
        FunctionCounter.builder("tracebee.events.lost", r.correlator(), Correlator::otherNamespaceDrops)
                .description("Events of processes outside the agent's pid namespace that run a traced binary")
                .tags("stage", "correlate", "reason", "other_pid_namespace").register(registry);
        FunctionCounter.builder("tracebee.events.lost", pipelineFailures, LongAdder::sum)
                .tags("stage", "pipeline", "reason", "stage_failed").register(registry);
        Map<String, Integer> kinds = new java.util.LinkedHashMap<>();
        kinds.put("http_server", EventLayout.KIND_HTTP_SERVER);
        kinds.put("http_client", EventLayout.KIND_HTTP_CLIENT);
        kinds.put("db_sql", EventLayout.KIND_DB_SQL);
        kinds.put("redis", EventLayout.KIND_REDIS);
        kinds.put("kafka_producer", EventLayout.KIND_KAFKA_PRODUCER);
        kinds.put("kafka_consumer", EventLayout.KIND_KAFKA_CONSUMER);
        kinds.put("grpc", EventLayout.KIND_GRPC);
        kinds.put("manual_span", EventLayout.KIND_MANUAL_SPAN);
        kinds.put("trace_adopt", EventLayout.KIND_TRACE_ADOPT);
        kinds.put("process", EventLayout.KIND_PROCESS);
        kinds.forEach((name, kind) -> FunctionCounter.builder("tracebee.events.by.kind", r.decoder(), d -> d.received(kind))
                .tags("kind", name).description("Kernel records read, by the probe kind that sent them").register(registry));
        FunctionCounter.builder("tracebee.spans.assembled", spansAssembled, LongAdder::sum)
                .description("Spans built from kernel events").register(registry);
        FunctionCounter.builder("tracebee.spans.unsampled", r,
                        x -> x.correlator().unsampled() + x.maps().counter(SharedMaps.Counter.UNSAMPLED))
                .description("Spans not exported because their trace is sampled out (by the sampler, or the caller's "
                        + "W3C sampled flag 0); the kernel does not send them")
                .register(registry);
        registerContextMetrics(r.maps());
        registerMessageLinkMetrics(r.maps());
        Gauge.builder("tracebee.targets.attached", r.targets(), t -> t.countInState(TargetService.ATTACHED))
                .description("Targets currently attached").register(registry);
        for (String state : List.of(TargetService.ATTACHED, TargetService.EXITED, TargetService.WATCHING)) {
            Gauge.builder("tracebee.targets", r.targets(), t -> t.countInState(state)).tags("state", state)
                    .description("Targets by state: attached, exited (a pid target's process ended; its probes are "
                            + "detached), watching (an exe glob nothing has matched yet)").register(registry);
        }
        r.targets().onAttachFailure(reason -> FunctionCounter.builder("tracebee.attach.failures", r.targets(),
                        t -> t.attachFailures().getOrDefault(reason, 0L))
                .tags("reason", reason).description("Refused attach requests, by the problem type of the refusal")
                .register(registry));
        String purged = "Entries of traced processes that are gone (exited, killed) removed: from the per-process BPF"
                + " maps (kernel) and from the decoder's open manual spans (pipeline)";
        FunctionCounter.builder("tracebee.process.state.purged", r.janitor(), ProcessStateJanitor::kernelPurged)
                .tags("where", "kernel").description(purged).register(registry);
        FunctionCounter.builder("tracebee.process.state.purged", r.janitor(), ProcessStateJanitor::pipelinePurged)
                .tags("where", "pipeline").description(purged).register(registry);
        FunctionCounter.builder("tracebee.events.lost", r.targets(), TargetService::lifecycleDropped)
                .tags("stage", "control", "reason", "lifecycle_queue_full")
                .description("Process exec/exit events the control plane could not keep up with").register(registry);
        for (String library : Probes.ALL.stream().map(ProbeSpec::library).distinct().toList()) {
            for (String state : List.of(ProbeState.ATTACHED, ProbeState.SKIPPED)) {
                Gauge.builder("tracebee.probes", r.targets(), t -> t.probeCount(library, state))
                        .tags("library", library, "state", state)
                        .description("Attached targets whose binary links the library, by the state of its probe "
                                + "(skipped: see GET /targets/{id} for why)")
                        .register(registry);
            }
        }
        Gauge.builder("tracebee.ringbuf.pending.bytes", r.source(), RingBufferSource::pendingBytes)
                .description("Bytes written by the kernel and not yet read").register(registry);
        Gauge.builder("tracebee.ringbuf.size.bytes", r.source(), RingBufferSource::ringSize).register(registry);
    }

    /** Context propagation: incoming traceparent headers and same-host links by TCP connection. */
    private void registerContextMetrics(SharedMaps maps) {
        String links = "Client requests offered to a server on this host: matched = a traced server took the client span"
                + " as parent; unmatched = the call ended with no traced server taking it";
        kernelCounter(maps, "tracebee.context.links", "matched", SharedMaps.Counter.LINK_MATCHED, links);
        kernelCounter(maps, "tracebee.context.links", "unmatched", SharedMaps.Counter.LINK_UNMATCHED, links);
        Gauge.builder("tracebee.context.links.pending", maps, SharedMaps::pendingLinks)
                .description("Client requests in flight, offered to a same-host server and not yet taken").register(registry);
        String incoming = "Incoming W3C traceparent headers: continued, or malformed and ignored";
        kernelCounter(maps, "tracebee.context.incoming", "continued", SharedMaps.Counter.TRACEPARENT_IN, incoming);
        kernelCounter(maps, "tracebee.context.incoming", "malformed", SharedMaps.Counter.TRACEPARENT_BAD, incoming);
        String injections = "Outgoing HTTP/1.x requests: traceparent written (done), already set by the application"
                + " (existing), offered but not written (failed), sent without because injection is off (refused)";
        kernelCounter(maps, "tracebee.context.injections", "done", SharedMaps.Counter.INJECT_DONE, injections);
        kernelCounter(maps, "tracebee.context.injections", "existing", SharedMaps.Counter.INJECT_EXISTING, injections);
        kernelCounter(maps, "tracebee.context.injections", "failed", SharedMaps.Counter.INJECT_FAILED, injections);
        kernelCounter(maps, "tracebee.context.injections", "refused", SharedMaps.Counter.INJECT_REFUSED, injections);
        kernelCounter(maps, "tracebee.context.headers.unscanned", null, SharedMaps.Counter.HEADERS_UNSCANNED,
                "Header maps too large to search in full for traceparent");
    }

    /** Kafka consumers: how each consumed message's parent was found in the kernel (tb_kafka.h). */
    private void registerMessageLinkMetrics(SharedMaps maps) {
        String links = "Consumed Kafka messages by how their producer span was found: header = a traceparent in the"
                + " message; offset, fingerprint = a traced producer on this host, by topic/partition/offset or by"
                + " content; ambiguous = the content matched several traced sends (left unlinked); none";
        String name = "tracebee.context.message.links";
        kernelCounter(maps, name, "header", SharedMaps.Counter.MSG_LINK_HEADER, links);
        kernelCounter(maps, name, "offset", SharedMaps.Counter.MSG_LINK_OFFSET, links);
        kernelCounter(maps, name, "fingerprint", SharedMaps.Counter.MSG_LINK_FINGERPRINT, links);
        kernelCounter(maps, name, "ambiguous", SharedMaps.Counter.MSG_LINK_AMBIGUOUS, links);
        kernelCounter(maps, name, "none", SharedMaps.Counter.MSG_LINK_NONE, links);
        kernelCounter(maps, "tracebee.context.message.untracked", null, SharedMaps.Counter.MSG_UNTRACKED,
                "Produced Kafka messages past the first 1024 of one WriteMessages call: no span, no link");
    }

    /** A counter the kernel keeps (tb_counters), read at scrape time; result is the "result" tag, if any. */
    private void kernelCounter(SharedMaps maps, String name, String result, SharedMaps.Counter counter,
            String description) {
        FunctionCounter.Builder<SharedMaps> b = FunctionCounter.builder(name, maps, m -> m.counter(counter))
                .description(description);
        if (result != null) {
            b.tags("result", result);
        }
        b.register(registry);
    }

    /**
     * SIGTERM: what the kernel has sent becomes spans and is flushed first, then the probes come out. Bounded: the
     * pipeline gets {@link #PIPELINE_DRAIN}, the exporters {@link #EXPORT_FLUSH} (what they cannot deliver by then
     * is counted as dropped with reason {@code shutdown}); detaching is the kernel's work (1.8 s for a target's 21
     * uprobes here). Spans of requests still running are not sent: their end is never seen.
     */
    void onStop(@Observes ShutdownEvent event) {
        Running r;
        synchronized (this) {
            r = running;
            running = null;
        }
        if (r == null) {
            return;
        }
        long start = System.nanoTime();
        r.janitor().close();
        r.targets().close();
        r.source().close();  // drains what the kernel wrote, then completes the stream
        try {
            r.pipelineDone().get(PIPELINE_DRAIN.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warnf("the pipeline did not finish its last events within %d ms", PIPELINE_DRAIN.toMillis());
        }
        r.pipelineThread().shutdown();
        boolean flushed = r.processor().shutdown(EXPORT_FLUSH);
        long flushedAt = System.nanoTime();
        int detached = r.targets().detachAll("shutdown");
        if (processWatch != null) {
            processWatch.close();
        }
        if (runTimeStats != null) {
            runTimeStats.close();
        }
        r.maps().close();
        LOG.infof("tracebee stopped: spans flushed in %d ms%s; %d target(s) detached in %d ms",
                TimeUnit.NANOSECONDS.toMillis(flushedAt - start),
                flushed ? "" : " (not all: see tracebee_spans_dropped_total{reason=\"shutdown\"})", detached,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - flushedAt));
    }

    /** Ready once the agent runs: BPF loaded and the command line's targets attached. */
    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {
        @Inject
        Agent agent;

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("tracebee").status(agent.isReady()).build();
        }
    }
}
