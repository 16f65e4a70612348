package io.tracebee.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracebee.span.Hex;
import org.junit.jupiter.api.Test;

/** OTEL_TRACES_SAMPLER as the specification names them; the ratio decision is the Go SDK's. */
class SamplerTest {
    @Test
    void parsesEverySpecifiedSampler() {
        assertThat(Sampler.parse(null, null)).isEqualTo(Sampler.DEFAULT);
        assertThat(Sampler.parse("parentbased_always_on", null).toString()).isEqualTo("parentbased_always_on");
        assertThat(Sampler.parse("always_off", null)).isEqualTo(new Sampler(Sampler.ALWAYS_OFF, false, 0));
        assertThat(Sampler.parse("parentbased_traceidratio", "0.25")).isEqualTo(new Sampler(Sampler.RATIO, true, 0.25));
        assertThat(Sampler.parse("traceidratio", null).ratio()).as("the specification's default").isEqualTo(1.0);
        assertThat(Sampler.parse("ALWAYS_ON", null).root()).isEqualTo(Sampler.ALWAYS_ON);
    }

    @Test
    void refusesWhatIsNotASampler() {
        assertThatThrownBy(() -> Sampler.parse("jaeger_remote", null)).hasMessageContaining("OTEL_TRACES_SAMPLER=jaeger_remote")
                .hasMessageContaining("parentbased_traceidratio");
        assertThatThrownBy(() -> Sampler.parse("traceidratio", "half")).hasMessageContaining("is not a number");
        assertThatThrownBy(() -> Sampler.parse("traceidratio", "1.5")).hasMessageContaining("outside [0, 1]");
        assertThatThrownBy(() -> Sampler.parse("traceidratio", "NaN")).hasMessageContaining("outside [0, 1]");
    }

    @Test
    void theRatioComparesTheTraceIdsLastEightBytesAsTheGoSdkDoes() {
        Sampler quarter = Sampler.parse("traceidratio", "0.25");
        // Go: binary.BigEndian.Uint64(id[8:16]) >> 1 < uint64(0.25 * (1 << 63))
        assertThat(quarter.samples(Hex.decode("ffffffffffffffff0000000000000000"))).isTrue();
        assertThat(quarter.samples(Hex.decode("00000000000000003fffffffffffffff"))).isTrue();   // >>1 = 0x1fff... < 0x2000...
        assertThat(quarter.samples(Hex.decode("00000000000000004000000000000000"))).isFalse();  // >>1 = 0x2000...
        assertThat(Sampler.parse("traceidratio", "1").samples(Hex.decode("0000000000000000ffffffffffffffff"))).isTrue();
        assertThat(Sampler.parse("traceidratio", "0").samples(Hex.decode("00000000000000000000000000000000"))).isFalse();
    }
}
