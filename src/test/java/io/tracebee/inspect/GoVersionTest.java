package io.tracebee.inspect;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GoVersionTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            go1.26.8                                      | 1 | 26 | 8 |       | false
            go1.23                                        | 1 | 23 | 0 |       | false
            go1.24rc1                                     | 1 | 24 | 0 | rc1   | false
            go1.21beta2                                   | 1 | 21 | 0 | beta2 | false
            go1.25.0 X:nodwarf5                           | 1 | 25 | 0 |       | false
            devel go1.27-4bd0d2b Tue Aug 5 10:00:00 2026  | 1 | 27 | 0 |       | true
            devel +b7a85e0003 Tue Aug 2 2022              | 0 | 0  | 0 |       | true
            """)
    void parses(String raw, int major, int minor, int patch, String pre, boolean devel) {
        GoVersion v = GoVersion.parse(raw);
        assertThat(v.major()).isEqualTo(major);
        assertThat(v.minor()).isEqualTo(minor);
        assertThat(v.patch()).isEqualTo(patch);
        assertThat(v.prerelease()).isEqualTo(pre == null ? "" : pre);
        assertThat(v.devel()).isEqualTo(devel);
        assertThat(v.raw()).isEqualTo(raw);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.23", "go", "gox", "go1.x", "go1.23.4.5", "java17"})
    void rejectsWhatIsNoGoVersion(String raw) {
        assertThatThrownBy(() -> GoVersion.parse(raw)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ordersNumericallyWithPrereleasesBeforeTheRelease() {
        List<String> ordered = List.of("go1.9", "go1.20", "go1.21rc2", "go1.21.0", "go1.21.10", "go1.23beta1",
                "go1.23rc1", "go1.23rc2", "go1.23", "go1.23.1", "devel go1.23-abc", "go1.24.0", "devel +abc");
        List<GoVersion> shuffled = new ArrayList<>(ordered.stream().map(GoVersion::parse).toList());
        Collections.shuffle(shuffled, new java.util.Random(7));
        Collections.sort(shuffled);
        assertThat(shuffled.stream().map(GoVersion::raw)).containsExactlyElementsOf(ordered);
    }

    @ParameterizedTest
    @CsvSource({"go1.23.0, true", "go1.23rc1, true", "go1.26.8, true", "go2.0, true", "devel +abc, true",
        "devel go1.24-abc, true", "go1.22.12, false", "go1.20.3, false", "devel go1.22-abc, false"})
    void supportsGo123AndNewer(String raw, boolean supported) {
        assertThat(GoVersion.parse(raw).isSupported()).isEqualTo(supported);
    }

    @Test
    void minorVersionSelectsLayouts() {
        assertThat(GoVersion.parse("go1.24.13").minorVersion()).isEqualTo("1.24");
        assertThat(GoVersion.parse("go1.24.13").isAtLeast(1, 24)).isTrue();
        assertThat(GoVersion.parse("go1.24.13").isAtLeast(1, 25)).isFalse();
    }
}
