package io.tracebee.probe;

import io.tracebee.decode.EventDecoder;
import io.tracebee.decode.TracedEvent;
import io.tracebee.ringbuf.RingBufferSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** Shared maps plus a reader that decodes every event into a list: what probe tests attach to and wait on. */
final class ProbeHarness implements AutoCloseable {
    final SharedMaps maps;
    final List<TracedEvent> events = new CopyOnWriteArrayList<>();
    private final RingBufferSource source;

    ProbeHarness() {
        maps = SharedMaps.create(1 << 20);
        source = RingBufferSource.open(maps.ringBufferFd(), RingBufferSource.Options.defaults());
        EventDecoder decoder = new EventDecoder();
        source.batches().subscribe().with(b -> {
            events.addAll(decoder.decode(b.data(), b.offsets(), b.lengths(), b.count()));
            b.release();
        });
        source.start();
    }

    /** The first event matching, waiting up to 5 s. */
    TracedEvent await(Predicate<TracedEvent> match) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            for (TracedEvent e : events) {
                if (match.test(e)) {
                    return e;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no matching event; got " + events);
    }

    @Override
    public void close() {
        source.close();
        maps.close();
    }
}
