package io.tracebee.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.decode.EventBytes;
import io.tracebee.decode.EventDecoder;
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

    private static TracedEvent event(long target, int flags, String path) {
        byte[] rec = EventBytes.httpServer().target(target).ids(new byte[16], new byte[8], flags, new byte[8])
                .method("GET").path(path).bytes();
        return new EventDecoder().decodeOne(rec, 0, rec.length);
    }
}
