package io.tracebee.correlate;

import io.tracebee.decode.EventHeader;
import io.tracebee.decode.TracedEvent;
import io.tracebee.span.Resource;
import java.util.ArrayList;
import java.util.List;
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
 */
public final class Correlator {
    private final ProcessDirectory processes;
    private final LongAdder detachedDrops = new LongAdder();
    private final LongAdder unsampled = new LongAdder();

    public Correlator(ProcessDirectory processes) {
        this.processes = processes;
    }

    public List<CorrelatedEvent> correlate(List<TracedEvent> events) {
        List<CorrelatedEvent> out = new ArrayList<>(events.size());
        for (TracedEvent e : events) {
            EventHeader h = e.header();
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
            out.add(new CorrelatedEvent(e, h.traceId(), h.parentSpanId(), h.traceFlags(), resource));
        }
        return out;
    }

    /** Spans not exported because their trace is not sampled (W3C trace-flags from the caller). */
    public long unsampled() {
        return unsampled.sum();
    }

    /** Events dropped because their process was not (or no longer) attached. */
    public long detachedDrops() {
        return detachedDrops.sum();
    }
}
