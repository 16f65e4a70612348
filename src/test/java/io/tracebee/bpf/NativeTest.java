package io.tracebee.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The parts of the JNI library that need no privileges. */
class NativeTest {
    @BeforeEach
    void requireLibrary() {
        BpfTestSupport.assumeNativeLibrary();
    }

    @Test
    void linksTheExpectedLibbpf() {
        assertThat(Native.libbpfVersion()).matches("\\d+\\.\\d+");
        assertThat(NativeLibrary.libraryName()).startsWith("tracebee_");
    }

    @Test
    void describesErrors() {
        assertThat(Native.strerror(Errno.ENOENT)).containsIgnoringCase("no such file");
    }

    @Test
    void monotonicClockConvertsToWallTime() {
        MonotonicClock clock = MonotonicClock.calibrate();
        long epochNow = System.currentTimeMillis() * 1_000_000L;
        long converted = clock.toEpochNanos(MonotonicClock.monotonicNanos());
        assertThat(Math.abs(converted - epochNow)).isLessThan(TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(clock.uncertaintyNanos()).isLessThan(TimeUnit.MILLISECONDS.toNanos(1));
    }

    @Test
    void supportCheckExplainsItself() {
        BpfSupport.Status s = BpfSupport.check();
        assertThat(s.reason()).isNotBlank();
        assertThat(s.available()).isEqualTo(s.problems().isEmpty());
    }
}
