package io.tracebee.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeaderInjectionTest {
    @Test
    void findsTheCgroup2MountAmongV1Ones(@TempDir Path dir) throws Exception {
        Path mounts = Files.writeString(dir.resolve("mounts"), String.join("\n",
                "tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0",
                "cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0",
                "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0",
                "cgroup2 /other cgroup2 rw 0 0", ""));
        assertThat(HeaderInjection.cgroup2Mount(mounts)).contains(Path.of("/sys/fs/cgroup/unified"));
    }

    @Test
    void noCgroup2MeansNone(@TempDir Path dir) throws Exception {
        Path mounts = Files.writeString(dir.resolve("mounts"), "cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n");
        assertThat(HeaderInjection.cgroup2Mount(mounts)).isEmpty();
        assertThat(HeaderInjection.cgroup2Mount(dir.resolve("missing"))).isEmpty();
    }

    @Test
    void aMountPointWithASpaceIsUnescaped(@TempDir Path dir) throws Exception {
        Path mounts = Files.writeString(dir.resolve("mounts"), "none /mnt/my\\040cgroup cgroup2 rw 0 0\n");
        assertThat(HeaderInjection.cgroup2Mount(mounts)).contains(Path.of("/mnt/my cgroup"));
    }
}
