package io.tracebee.probe;

import io.tracebee.bpf.BpfMap;
import io.tracebee.bpf.BpfObject;
import io.tracebee.bpf.HelperCapability;
import io.tracebee.config.Sampler;
import java.util.List;

/**
 * The ring buffer and drop counters shared by every probe object ({@code src/main/bpf/maps.bpf.c}).
 * Loaded once; each probe object reuses these maps before it loads.
 */
public final class SharedMaps implements AutoCloseable {
    public static final String RINGBUF = "tb_events";
    public static final String DROPS = "tb_drops";
    /** The span each goroutine is in, shared so parenting works across probe objects. */
    public static final String CURRENT_SPAN = "tb_current_span";
    /** The span each go statement of the program's own code started its goroutine in (goroutines.bpf.c). */
    public static final String GO_STARTED = "tb_go_started";
    /** Spans by the context.Context of their call, for lookups up the context chain. */
    public static final String CTX_SPANS = "tb_ctx_spans";
    /** Route templates framework routers found, by the server span they belong to (tb_routes.h). */
    public static final String ROUTES = "tb_routes";
    /** Kernel-side counters (enum tb_counter in tb_common.h). */
    public static final String COUNTERS = "tb_counters";
    /** Client span contexts offered to same-host servers, by TCP connection (tb_conn.h). */
    public static final String CONN_LINKS = "tb_conn_links";
    /** Kafka producer span contexts for same-host consumers, by offset and by content (tb_kafka.h). */
    public static final String KAFKA_OFFSETS = "tb_kafka_offs";
    public static final String KAFKA_FINGERPRINTS = "tb_kafka_fps";
    /** Maps that only some probe objects have; shared with those that do. */
    private static final List<String> OPTIONAL = List.of(KAFKA_OFFSETS, KAFKA_FINGERPRINTS);

    /** Indexes of tb_counters, as enum tb_counter. */
    public enum Counter {
        LINK_PUBLISHED, LINK_MATCHED, LINK_UNMATCHED, TRACEPARENT_IN, TRACEPARENT_BAD, HEADERS_UNSCANNED,
        INJECT_DONE, INJECT_EXISTING, INJECT_FAILED, INJECT_REFUSED,
        MSG_LINK_HEADER, MSG_LINK_OFFSET, MSG_LINK_FINGERPRINT, MSG_LINK_AMBIGUOUS, MSG_LINK_NONE, MSG_UNTRACKED,
        UNSAMPLED
    }
    /** Indexes of tb_drops, as enum tb_drop_reason in tb_common.h. */
    public static final int DROP_RINGBUF_FULL = 0;
    public static final int DROP_INFLIGHT_FULL = 1;

    /** The {@code const volatile} every probe object reads to decide when a submit wakes the reader. */
    public static final String WAKEUP_BYTES = "tb_wakeup_bytes";
    /** The {@code const volatile} that lets probes read kernel memory (a connection's socket). */
    public static final String KERNEL_READS = "tb_kernel_reads";
    /** The {@code const volatile} that makes client probes offer traceparent lines (HeaderInjection). */
    public static final String INJECT_ENABLED = "tb_inject_enabled";
    /** Offered header lines and the processes whose connections the sk_msg program watches. */
    public static final String INJECT = "tb_inject";
    public static final String INJECT_TGIDS = "tb_inject_tgids";
    /** HPACK traceparent fields offered for HTTP/2 streams (gRPC), by connection and stream id. */
    public static final String H2_INJECT = "tb_h2_inject";
    /** The {@code const volatile}s naming the agent's pid namespace when it is not the initial one (PidNamespace). */
    public static final String PIDNS_DEV = "tb_pidns_dev";
    public static final String PIDNS_INO = "tb_pidns_ino";

    private final BpfObject object;
    private final BpfMap drops;
    private final BpfMap counters;
    private final BpfMap links;
    private final long wakeupBytes;
    private volatile boolean kernelReads = HelperCapability.READ_KERNEL.detect().allowed();
    private volatile HeaderInjection injection;
    private volatile Sampler sampler = Sampler.DEFAULT;
    private final PerProcessMaps perProcess = new PerProcessMaps();
    private final PidNamespace pidNamespace = PidNamespace.ofAgent();

    private SharedMaps(BpfObject object, long wakeupBytes) {
        this.object = object;
        this.drops = object.map(DROPS);
        this.counters = object.map(COUNTERS);
        this.links = object.map(CONN_LINKS);
        this.wakeupBytes = wakeupBytes;
        perProcess.register(object);
    }

    /** A ring with the default wake-up threshold: a sixteenth of the ring, at most 64 KiB. */
    public static SharedMaps create(int ringBufferBytes) {
        return create(ringBufferBytes, Math.min(64 * 1024, ringBufferBytes / 16));
    }

    /**
     * @param ringBufferBytes ring size: a power of two multiple of the page size
     * @param wakeupBytes unread bytes at which a probe wakes the reader; below that the reader's poll
     *        interval bounds how late a record is read
     */
    public static SharedMaps create(int ringBufferBytes, long wakeupBytes) {
        if (Integer.bitCount(ringBufferBytes) != 1 || ringBufferBytes < 4096) {
            throw new IllegalArgumentException("ring buffer size must be a power of two of at least 4096 bytes, got "
                    + ringBufferBytes);
        }
        BpfObject o = BpfObject.openResource("bpf/maps.bpf.o");
        try {
            o.setMapMaxEntries(RINGBUF, ringBufferBytes).load();
            return new SharedMaps(o, wakeupBytes);
        } catch (RuntimeException e) {
            o.close();
            throw e;
        }
    }

    /** Points a not-yet-loaded probe object at the shared maps and the ring's wake-up threshold. */
    public void share(BpfObject probeObject) {
        probeObject.reuseMap(RINGBUF, ringBufferFd());
        probeObject.reuseMap(DROPS, drops.fd());
        probeObject.reuseMap(CURRENT_SPAN, object.mapFd(CURRENT_SPAN));
        probeObject.reuseMap(GO_STARTED, object.mapFd(GO_STARTED));
        probeObject.reuseMap(CTX_SPANS, object.mapFd(CTX_SPANS));
        probeObject.reuseMap(ROUTES, object.mapFd(ROUTES));
        probeObject.reuseMap(COUNTERS, counters.fd());
        probeObject.reuseMap(INJECT, object.mapFd(INJECT));
        probeObject.reuseMap(INJECT_TGIDS, object.mapFd(INJECT_TGIDS));
        probeObject.reuseMap(H2_INJECT, object.mapFd(H2_INJECT));
        probeObject.reuseMap(CONN_LINKS, links.fd());
        List<String> has = probeObject.mapNames();
        for (String map : OPTIONAL) {
            if (has.contains(map)) {
                probeObject.reuseMap(map, object.mapFd(map));
            }
        }
        probeObject.setRodata(WAKEUP_BYTES, wakeupBytes);
        probeObject.setRodata(KERNEL_READS, kernelReads);
        probeObject.setRodata(INJECT_ENABLED, injection != null);
        if (!pidNamespace.initial()) {
            probeObject.setRodata(PIDNS_DEV, pidNamespace.dev());
            probeObject.setRodata(PIDNS_INO, pidNamespace.ino());
        }
        Sampler s = sampler;
        probeObject.setRodata("tb_sampler", s.root());
        probeObject.setRodata("tb_sampler_parent_based", s.parentBased());
        probeObject.setRodata("tb_sample_bound", s.bound());
    }

    /** The pid namespace whose ids the probes report (the agent's). */
    public PidNamespace pidNamespace() {
        return pidNamespace;
    }

    /** The sampler probe objects loaded from now on apply (OTEL_TRACES_SAMPLER). */
    public void sampler(Sampler s) {
        sampler = s;
    }

    /**
     * Puts the established client connections process pid already has under header injection, and
     * its future ones even before its first traced call; nothing when injection is off.
     */
    public void adoptConnections(int pid) {
        HeaderInjection i = injection;
        if (i != null) {
            i.adopt(pid);
        }
    }

    /** Probe objects loaded from now on offer traceparent lines to this injection; closed with the maps. */
    void injection(HeaderInjection injection) {
        this.injection = injection;
    }

    /**
     * Whether probes may read kernel memory; without it (lockdown=confidentiality) spans carry no
     * socket addresses and same-host links by connection are off, everything else works.
     */
    public boolean kernelReads() {
        return kernelReads;
    }

    /**
     * Loads later probe objects as if the kernel refused kernel reads (what lockdown=confidentiality
     * does), to exercise that path on kernels that allow them.
     */
    public SharedMaps withoutKernelReads() {
        kernelReads = false;
        return this;
    }

    /**
     * The maps holding per-process state: these shared maps' and those of every probe object registered with it
     * (the instrumenter registers each object it loads).
     */
    public PerProcessMaps perProcess() {
        return perProcess;
    }

    public int ringBufferFd() {
        return object.mapFd(RINGBUF);
    }

    /** Events the kernel could not write because the ring buffer was full. */
    public long ringBufferFullDrops() {
        return drops.sumPerCpuLong(DROP_RINGBUF_FULL, 0);
    }

    /** Calls the kernel could not track because an in-flight map was full. */
    public long inflightFullDrops() {
        return drops.sumPerCpuLong(DROP_INFLIGHT_FULL, 0);
    }

    /** A kernel-side counter, summed over CPUs. */
    public long counter(Counter c) {
        return counters.sumPerCpuLong(c.ordinal(), 0);
    }

    /** Client requests currently offered to a same-host server and not yet taken or withdrawn. */
    public long pendingLinks() {
        return links.countKeys();
    }

    @Override
    public void close() {
        HeaderInjection i = injection;
        injection = null;
        if (i != null) {
            i.close();
        }
        perProcess.forget(object);
        object.close();
    }
}
