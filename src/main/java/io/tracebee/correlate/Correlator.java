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
 * and counted, so a detached target never produces another span. Cross-goroutine and cross-process
 * parenting extend this stage.
 */
public final class Correlator {
    private final ProcessDirectory processes;
    private final LongAdder detachedDrops = new LongAdder();

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
            out.add(new CorrelatedEvent(e, h.traceId(), h.parentSpanId(), h.traceFlags(), resource));
        }
        return out;
    }

    /** Events dropped because their process was not (or no longer) attached. */
    public long detachedDrops() {
        return detachedDrops.sum();
    }
}
