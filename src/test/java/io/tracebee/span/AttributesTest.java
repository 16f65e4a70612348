package io.tracebee.span;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttributesTest {

    @Test
    void arraysAreCopiedAndUnmodifiable() {
        List<String> tags = new ArrayList<>(List.of("a", "b"));
        Attributes a = Attributes.builder().putStringArray("tags", tags).build();
        tags.add("c");
        assertThat(a.get("tags")).isEqualTo(List.of("a", "b"));
        assertThatThrownBy(() -> ((List<?>) a.get("tags")).clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void bytesAreCopiedReadOnlyAndComparedByContent() {
        byte[] raw = {1, 2, 3};
        Attributes a = Attributes.builder().putBytes("raw", raw).build();
        raw[0] = 9;
        ByteBuffer value = (ByteBuffer) a.get("raw");
        assertThat(value.isReadOnly()).isTrue();
        assertThat(value.duplicate().get()).isEqualTo((byte) 1);
        assertThat(a).isEqualTo(Attributes.builder().putBytes("raw", new byte[] {1, 2, 3}).build());
        assertThat(a.hashCode()).isEqualTo(Attributes.builder().putBytes("raw", new byte[] {1, 2, 3}).build().hashCode());
    }

    @Test
    void nullValuesLeaveTheKeyOut() {
        Attributes a = Attributes.builder().putLongArray("ids", null).putBytes("raw", null)
                .put("nested", (Attributes) null).build();
        assertThat(a.size()).isZero();
    }
}
