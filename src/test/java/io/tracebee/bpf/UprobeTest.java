package io.tracebee.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Attaches a uprobe to a noinline C function of src/test/c/uprobe_target.c and counts its calls. */
class UprobeTest {
    private Process target;
    private BufferedReader out;
    private Writer in;
    private long offset;
    private Path binary;

    @BeforeEach
    void startTarget() throws IOException {
        BpfTestSupport.assumeBpf();
        binary = BpfTestSupport.nativeTestProgram("uprobe_target");
        target = new ProcessBuilder(binary.toString()).redirectErrorStream(true).start();
        out = new BufferedReader(new InputStreamReader(target.getInputStream(), StandardCharsets.UTF_8));
        in = new OutputStreamWriter(target.getOutputStream(), StandardCharsets.UTF_8);
        String first = out.readLine();
        assertThat(first).startsWith("offset ");
        offset = Long.parseLong(first.substring("offset ".length()), 16);
    }

    @AfterEach
    void stopTarget() throws InterruptedException {
        if (target != null) {
            target.destroy();
            target.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void countsCallsUntilDetached() throws IOException {
        try (BpfObject obj = BpfTestSupport.openTestObject("basic").load()) {
            BpfMap calls = obj.map("calls");
            UprobeLink link = obj.program("count_calls").attachUprobe(binary, offset, (int) target.pid(), 0xc0ffeeL);
            assertThat(link.isAttached()).isTrue();
            assertThat(link.fd()).isPositive();

            call(5, 77);
            ByteBuffer stats = stats(calls);
            assertThat(stats.getLong(0)).isEqualTo(5);
            assertThat(stats.getLong(8)).isEqualTo(77);
            assertThat(stats.getLong(16)).isEqualTo(0xc0ffeeL);

            link.close();
            assertThat(link.isAttached()).isFalse();
            call(5, 78);
            assertThat(stats(calls).getLong(0)).isEqualTo(5);
            link.close(); // idempotent
        }
    }

    @Test
    void aUprobeMultiLinkCountsCallsCarriesTheCookieAndDetaches() throws IOException {
        // Linux 6.6+; the CI machines run 6.18, where it must work
        if (!BpfSupport.uprobeMulti()) {
            if ("true".equals(System.getenv("CI"))) {
                fail("uprobe_multi links are expected on this kernel (6.6+): " + System.getProperty("os.version"));
            }
            Assumptions.abort("no uprobe_multi links on this kernel");
        }
        try (BpfObject obj = BpfTestSupport.openTestObject("basic")) {
            obj.useUprobeMulti();
            obj.load();
            BpfMap calls = obj.map("calls");
            List<UprobeLink> links = obj.program("count_calls").attachUprobes(binary, new long[] {offset},
                    (int) target.pid(), 0xbeefL);
            assertThat(links).singleElement().satisfies(l -> assertThat(l.isMulti()).isTrue());
            assertThat(links.get(0).fd()).isPositive();

            call(4, 9);
            ByteBuffer stats = stats(calls);
            assertThat(stats.getLong(0)).isEqualTo(4);
            assertThat(stats.getLong(16)).isEqualTo(0xbeefL);

            links.get(0).close();
            call(2, 9);
            assertThat(stats(calls).getLong(0)).isEqualTo(4);
        }
    }

    @Test
    void aProbeForEveryProcessAlsoSeesThisOneAndClosingTheObjectDetaches() throws IOException {
        BpfMap calls;
        try (BpfObject obj = BpfTestSupport.openTestObject("basic").load()) {
            calls = obj.map("calls");
            UprobeLink link = obj.program("count_calls").attachUprobe(binary, offset, -1);
            call(3, 1);
            assertThat(stats(calls).getLong(0)).isEqualTo(3);
            obj.close();
            assertThat(link.isAttached()).isFalse();
        }
    }

    @Test
    void attachingToAMissingBinaryNamesWhatFailed() {
        try (BpfObject obj = BpfTestSupport.openTestObject("basic").load()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> obj.program("count_calls").attachUprobe(Path.of("/nonexistent/binary"), 0x1000, -1))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("attach uprobe 'count_calls' to /nonexistent/binary+0x1000");
        }
    }

    private void call(int times, long arg) throws IOException {
        in.write("call " + times + " " + arg + "\n");
        in.flush();
        String line = out.readLine();
        assertThat(line).isEqualTo("done " + times * (arg + 1));
    }

    private static ByteBuffer stats(BpfMap calls) {
        return ByteBuffer.wrap(calls.lookup(0)).order(ByteOrder.LITTLE_ENDIAN);
    }
}
