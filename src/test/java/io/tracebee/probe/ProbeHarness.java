package io.tracebee.probe;

import io.tracebee.bpf.BpfTestSupport;
import io.tracebee.decode.EventDecoder;
import io.tracebee.decode.TracedEvent;
import io.tracebee.ringbuf.RingBufferSource;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Shared maps plus a reader that decodes every event into a list: what probe tests attach to and wait on. A JUnit
 * extension ({@code @RegisterExtension final ProbeHarness harness = new ProbeHarness();}): fresh maps and an
 * empty event list for every test (BPF required, see {@link BpfTestSupport#assumeBpf()}), closed after it.
 */
final class ProbeHarness implements BeforeEachCallback, AfterEachCallback {
    SharedMaps maps;
    final List<TracedEvent> events = new CopyOnWriteArrayList<>();
    private RingBufferSource source;

    @Override
    public void beforeEach(ExtensionContext context) {
        BpfTestSupport.assumeBpf();
        events.clear();
        maps = SharedMaps.create(1 << 20);
        source = RingBufferSource.open(maps.ringBufferFd(), RingBufferSource.Options.defaults());
        EventDecoder decoder = new EventDecoder();
        source.batches().subscribe().with(b -> {
            // the events are views over the batch's bytes and the test keeps them: decode a copy
            events.addAll(decoder.decode(Arrays.copyOf(b.data(), b.bytes()), b.offsets(), b.lengths(), b.count()));
            b.release();
        });
        source.start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (source != null) {
            source.close();
            source = null;
        }
        if (maps != null) {
            maps.close();
            maps = null;
        }
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

    /** Waits up to 5 s for the kernel's count of spans sampled out (not sent) to reach {@code atLeast}. */
    long awaitUnsampled(long atLeast) throws InterruptedException {
        long n = 0;
        for (int i = 0; i < 100; i++) {
            n = maps.counter(SharedMaps.Counter.UNSAMPLED);
            if (n >= atLeast) {
                return n;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the kernel counted " + n + " spans sampled out, not " + atLeast);
    }

    /** Whether any event of the trace with this (hex) id was sent. */
    boolean anyOfTrace(String traceIdHex) {
        return events.stream().anyMatch(e -> e.header().traceId() != null
                && io.tracebee.span.Hex.encode(e.header().traceId()).equals(traceIdHex));
    }
}
