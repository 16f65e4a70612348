package io.tracebee.ringbuf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.tracebee.bpf.BpfTestSupport;

/** The benchmark's code paths with small sizes: counts only, no timing assertions. */
class RingBufferThroughputTest {
    @BeforeEach
    void requireBpf() {
        BpfTestSupport.assumeBpf();
    }

    @Test
    void drainModesReadExactlyWhatWasProduced() {
        for (String impl : new String[] {"java-count", "java-batch", "java-batch-new"}) {
            RingBufferThroughput.Result r = RingBufferThroughput.drain(impl, 1 << 20, 3, 1);
            assertThat(r.consumed()).as(impl).isEqualTo(r.produced()).isEqualTo(3L * ((1 << 20) / 72 - 1));
        }
    }

    @Test
    void streamModesLoseNothingOnTheReaderSide() throws InterruptedException {
        for (String impl : new String[] {"java-count", "java-source"}) {
            RingBufferThroughput.Result r = RingBufferThroughput.stream(impl, 1 << 20, 300, 0);
            assertThat(r.produced()).as(impl).isPositive();
            assertThat(r.consumed()).as(impl).isEqualTo(r.produced());
            assertThat(r.readerDropped()).as(impl).isZero();
        }
    }
}
