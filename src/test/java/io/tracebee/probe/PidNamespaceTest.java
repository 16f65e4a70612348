package io.tracebee.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PidNamespaceTest {
    @Test
    void theAgentsNamespaceIsReadFromProc() throws Exception {
        PidNamespace ns = PidNamespace.ofAgent();
        String link = java.nio.file.Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
        assertThat(link).isEqualTo("pid:[" + ns.ino() + "]");
        assertThat(ns.dev()).isNotZero();
        // these tests run on the host (CI and developers alike), never inside a pid namespace of their own
        assertThat(ns.initial()).as("the initial pid namespace has inode 0xEFFFFFFC").isTrue();
    }

    @Test
    void anUnreadableLinkMeansTheKernelsIds() {
        assertThat(PidNamespace.of(Path.of("/nonexistent/ns/pid"))).isEqualTo(PidNamespace.INITIAL);
        assertThat(PidNamespace.INITIAL.initial()).isTrue();
    }
}
