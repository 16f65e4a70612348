package io.tracebee.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RepeatedStringsTest {
    private final RepeatedStrings strings = new RepeatedStrings();

    private String get(String text, int pad) {
        byte[] d = new byte[pad + text.getBytes(StandardCharsets.UTF_8).length + 3];
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(t, 0, d, pad, t.length);
        return strings.get(d, pad, t.length, StandardCharsets.UTF_8);
    }

    @Test
    void sameBytesGiveTheSameStringWherever() {
        String first = get("GET /hello/{id}", 0);
        assertThat(first).isEqualTo("GET /hello/{id}");
        assertThat(get("GET /hello/{id}", 7)).isSameAs(first);
        assertThat(get("", 3)).isEmpty();
    }

    @Test
    void everyDistinctValueIsRightEvenWhenSlotsCollide() {
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 5000; i++) {
                assertThat(get("host-" + i + ":8080", i % 5)).isEqualTo("host-" + i + ":8080");
            }
        }
    }

    @Test
    void nonAsciiIsDecodedInTheCharsetAskedAndNotKept() {
        byte[] d = "/büch".getBytes(StandardCharsets.UTF_8);
        String utf8 = strings.get(d, 0, d.length, StandardCharsets.UTF_8);
        assertThat(utf8).isEqualTo("/büch");
        assertThat(strings.get(d, 0, d.length, StandardCharsets.UTF_8)).isNotSameAs(utf8).isEqualTo(utf8);
        assertThat(strings.get(d, 0, d.length, StandardCharsets.ISO_8859_1))
                .isEqualTo(new String(d, StandardCharsets.ISO_8859_1));
    }
}
