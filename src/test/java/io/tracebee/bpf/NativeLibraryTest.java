package io.tracebee.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the JNI library is looked for; the loading itself is exercised by every BPF test. */
class NativeLibraryTest {
    @TempDir
    Path dir;

    @Test
    void aNativeExecutableFindsTheLibraryBesideItselfThroughLinks() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("opt/tracebee"));
        Path exe = Files.createFile(bin.resolve("tracebee"));
        Path link = Files.createSymbolicLink(dir.resolve("tracebee"), exe);  // as /proc/self/exe or /usr/bin/tracebee
        assertThat(NativeLibrary.besideExecutable(link, "tracebee_x86_64"))
                .isEqualTo(bin.toRealPath().resolve("libtracebee_x86_64.so"));
    }

    @Test
    void aMissingExecutableGivesNoPath() {
        assertThat(NativeLibrary.besideExecutable(dir.resolve("gone"), "tracebee_x86_64")).isNull();
    }

    @Test
    void onAJvmItIsNotANativeImage() {
        assertThat(NativeLibrary.inNativeImage()).isFalse();
    }
}
