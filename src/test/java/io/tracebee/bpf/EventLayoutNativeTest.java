package io.tracebee.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The layout the C compiler gives tracebee.h. The decoder's own constants (io.tracebee.decode.EventLayout) are
 * checked against {@link EventLayoutNative} by {@code EventLayoutTest}; this checks the export itself.
 */
class EventLayoutNativeTest {
    @BeforeEach
    void requireLibrary() {
        BpfTestSupport.assumeNativeLibrary();
    }

    @Test
    void exportsSizesOffsetsAndConstants() {
        assertThat(EventLayoutNative.sizeOf("tb_span_context")).isEqualTo(32);
        assertThat(EventLayoutNative.offsetOf("tb_span_context", "flags")).isEqualTo(24);
        assertThat(EventLayoutNative.offsetOf("tb_event_header", "start_ns")).isEqualTo(16);
        assertThat(EventLayoutNative.sizeOf("tb_event_header")).isEqualTo(112);
        assertThat(EventLayoutNative.offsetOf("tb_http_server_event", "h")).isZero();
        assertThat(EventLayoutNative.constant("TB_SPAN_ID_SIZE")).isEqualTo(8);
    }

    @Test
    void everyStructEndsAfterItsLastField() {
        EventLayoutNative.all().forEach((key, value) -> {
            int dot = key.indexOf('.');
            if (dot > 0) {
                assertThat(value).as(key).isLessThan(EventLayoutNative.sizeOf(key.substring(0, dot)));
            }
        });
    }

    @Test
    void unknownKeysSayWhereToAddThem() {
        assertThatThrownBy(() -> EventLayoutNative.sizeOf("tb_nope")).hasMessageContaining("layout.c");
    }
}
