package io.tracebee.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.decode.EventBytes;
import io.tracebee.decode.EventDecoder;
import io.tracebee.decode.EventHeader;
import io.tracebee.decode.EventLayout;
import io.tracebee.decode.TraceAdoptEvent;
import io.tracebee.decode.TracedEvent;
import io.tracebee.span.Attributes;
import io.tracebee.span.Resource;
import java.util.List;
import org.junit.jupiter.api.Test;

class CorrelatorTest {
    private static final Resource RESOURCE = new Resource(Attributes.builder().put("service.name", "svc").build());

    @Test
    void unsampledTracesStopHereAndAreCounted() {
        Correlator c = new Correlator((target, pid) -> target == 1 ? RESOURCE : null);
        List<CorrelatedEvent> out = c.correlate(List.of(
                event(1, 1, "/sampled"), event(1, 0, "/unsampled"), event(2, 1, "/detached")));
        assertThat(out).hasSize(1);
        assertThat(out.get(0).resource()).isSameAs(RESOURCE);
        assertThat(c.unsampled()).isEqualTo(1);
        assertThat(c.detachedDrops()).isEqualTo(1);
    }

    @Test
    void eventsOfProcessesOutsideTheAgentsPidNamespaceAreDroppedAndCounted() {
        Correlator c = new Correlator((target, pid) -> RESOURCE);
        byte[] rec = EventBytes.httpServer().target(1).pid(0, 0).ids(id(16, 1), id(8, 7), 1, new byte[8])
                .method("GET").path("/elsewhere").bytes();
        List<CorrelatedEvent> out = c.correlate(List.of(new EventDecoder().decodeOne(rec, 0, rec.length),
                event(1, 1, "/here")));
        assertThat(out).extracting(e -> e.event().header().pid()).containsExactly(4242);
        assertThat(c.otherNamespaceDrops()).isEqualTo(1);
        assertThat(c.detachedDrops()).isZero();
    }

    @Test
    void aTraceThatAdoptedAnSdkTraceIdPlacesItsLaterSpansThere() {
        Correlator c = new Correlator((target, pid) -> RESOURCE);
        byte[] ours = id(16, 1);
        byte[] sdk = id(16, 2);
        byte[] later = id(16, 3);
        EventHeader h = EventHeader.of(EventLayout.KIND_TRACE_ADOPT, 1, 1, 0, 0, 0, 1, ours, id(8, 4), 1, new byte[8], 0);
        List<CorrelatedEvent> before = c.correlate(List.of(event(ours, "/before")));
        List<CorrelatedEvent> out = c.correlate(List.of(new TraceAdoptEvent(h, sdk), new TraceAdoptEvent(h, later),
                event(ours, "/root"), event(id(16, 9), "/other")));
        assertThat(before.get(0).traceId()).as("placed before: keeps its id").isEqualTo(ours);
        assertThat(out).hasSize(2);
        assertThat(out.get(0).traceId()).as("the first adoption wins").isEqualTo(sdk);
        assertThat(out.get(1).traceId()).isEqualTo(id(16, 9));
    }

    private static byte[] id(int n, int last) {
        byte[] id = new byte[n];
        id[n - 1] = (byte) last;
        return id;
    }

    private static TracedEvent event(byte[] traceId, String path) {
        byte[] rec = EventBytes.httpServer().target(1).ids(traceId, id(8, 7), 1, new byte[8]).method("GET").path(path).bytes();
        return new EventDecoder().decodeOne(rec, 0, rec.length);
    }

    private static TracedEvent event(long target, int flags, String path) {
        byte[] rec = EventBytes.httpServer().target(target).ids(new byte[16], new byte[8], flags, new byte[8])
                .method("GET").path(path).bytes();
        return new EventDecoder().decodeOne(rec, 0, rec.length);
    }
}
