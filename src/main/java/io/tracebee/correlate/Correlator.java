package io.tracebee.correlate;

import io.tracebee.decode.BoundedMap;
import io.tracebee.decode.EventHeader;
import io.tracebee.decode.ProcessEvent;
import io.tracebee.decode.TraceAdoptEvent;
import io.tracebee.decode.TracedEvent;
import io.tracebee.span.Resource;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Places each decoded event in its trace and process.
 *
 * <p>Entry and return are already paired in the kernel (one record per finished call, which halves
 * ring-buffer traffic), so this stage resolves the process resource and the trace/parent ids. Events
 * from targets that are no longer attached (records still in flight after a detach) are dropped
 * and counted, so a detached target never produces another span. Spans of unsampled traces (the
 * caller's W3C sampled flag was 0) stop here too, counted. Parents, within a process and across
 * processes, were decided in the kernel before the call ran (see tb_conn.h and go_headers.h).
 *
 * <p>One thing is left to this stage: a trace that began in a traced process and in which the application's
 * own OpenTelemetry SDK began a trace of its own (it cannot see tracebee's spans under lockdown) takes the
 * SDK's trace id ({@link TraceAdoptEvent}, the first one for that trace wins), so the spans this stage places
 * from then on — the automatic root, which ends last, among them — land in the SDK's trace. Spans of the
 * trace placed before (calls that ended before the SDK span began) keep tracebee's trace id.
 */
public final class Correlator {
    private final ProcessDirectory processes;
    private final LongAdder detachedDrops = new LongAdder();
    private final LongAdder otherNamespaceDrops = new LongAdder();
    private final LongAdder unsampled = new LongAdder();
    private final LongAdder adoptionsForgotten = new LongAdder();
    /** Trace ids taken from an application's SDK, by tracebee's trace id; the correlate stage's thread only. */
    private final Map<TraceId, byte[]> adopted = new BoundedMap<>(65_536, adoptionsForgotten);

    public Correlator(ProcessDirectory processes) {
        this.processes = processes;
    }

    public List<CorrelatedEvent> correlate(List<TracedEvent> events) {
        List<CorrelatedEvent> out = new ArrayList<>(events.size());
        for (TracedEvent e : events) {
            EventHeader h = e.header();
            if (h.pid() == 0) {
                // a process outside the agent's pid namespace running a traced binary (tb_pid_tgid)
                otherNamespaceDrops.increment();
                continue;
            }
            if (e instanceof ProcessEvent process) {
                processes.processEvent(process);
                continue;
            }
            if (e instanceof TraceAdoptEvent adopt) {
                adopted.putIfAbsent(new TraceId(h.traceId()), adopt.traceId());
                continue;
            }
            Resource resource = processes.resourceFor(h.target(), h.pid());
            if (resource == null) {
                detachedDrops.increment();
                continue;
            }
            if ((h.traceFlags() & 1) == 0) {
                // the caller's traceparent said not sampled (or a same-host caller was not): its
                // trace is not recorded; the kernel still tracked the call so descendants know too
                unsampled.increment();
                continue;
            }
            byte[] traceId = h.traceId();  // a view copies the id out on every call: once
            if (!adopted.isEmpty()) {
                traceId = adopted.getOrDefault(new TraceId(traceId), traceId);
            }
            out.add(new CorrelatedEvent(e, traceId, h.parentSpanId(), h.traceFlags(), resource));
        }
        return out;
    }

    /** Spans not exported because their trace is not sampled (W3C trace-flags from the caller). */
    public long unsampled() {
        return unsampled.sum();
    }

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** A trace id as a map key. */
    private record TraceId(long high, long low) {
        TraceId(byte[] id) {
            this((long) LONG.get(id, 0), (long) LONG.get(id, 8));
        }
    }

    /**
     * Events of processes outside the agent's pid namespace that run a traced binary (another container of the
     * same image): the agent cannot see them, so it cannot describe or attach them.
     */
    public long otherNamespaceDrops() {
        return otherNamespaceDrops.sum();
    }

    /** Events dropped because their process was not (or no longer) attached. */
    public long detachedDrops() {
        return detachedDrops.sum();
    }
}
