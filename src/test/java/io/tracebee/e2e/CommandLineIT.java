package io.tracebee.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.config.Knob;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The packaged command answers --help and --version at once, without starting: even beside a running agent. */
class CommandLineIT {
    @Test
    void helpAndVersionWorkWhileTheApiPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String help = run(taken.getLocalPort(), "--help");
            for (Knob k : Knob.values()) {
                assertThat(help).as(k.env()).contains(k.env());
            }
            assertThat(help).doesNotContain("Port " + taken.getLocalPort() + " seems to be in use");
            assertThat(run(taken.getLocalPort(), "--version").trim()).isEqualTo("tracebee 0.1.0");
        }
    }

    private static String run(int port, String arg) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-jar", Fixtures.agentJar().toAbsolutePath().toString(), arg))
                .redirectErrorStream(true);
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
