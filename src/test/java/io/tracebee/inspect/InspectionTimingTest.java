package io.tracebee.inspect;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Prints how long it takes to get what an HTTP server probe needs from a program: open it, find
 * {@code serverHandler.ServeHTTP} and its returns, read 8 struct offsets from DWARF. Reported, not asserted;
 * point {@code -Dtracebee.inspect.timing.binary} at a large Go program to measure that one.
 */
class InspectionTimingTest {

    private static final String[][] OFFSETS = {
        {"net/http.Request", "Method"}, {"net/http.Request", "URL"}, {"net/http.Request", "Pattern"},
        {"net/http.Request", "RemoteAddr"}, {"net/http.Request", "Host"}, {"net/http.Request", "ProtoMajor"},
        {"net/url.URL", "Path"}, {"net/http.response", "status"},
    };

    @Test
    void printsTheTimeToInspectAnHttpServer() {
        String override = System.getProperty("tracebee.inspect.timing.binary");
        Path file = override != null ? Path.of(override) : Fixtures.httpServer("1.26");
        for (int round = 1; round <= 3; round++) {
            long t0 = System.nanoTime();
            GoBinary binary = GoBinary.open(file);
            GoFunction serve = binary.requireFunction("net/http.serverHandler.ServeHTTP");
            long[] rets = serve.returnOffsets();
            long t1 = System.nanoTime();
            long[] offsets = new long[OFFSETS.length];
            DwarfStructs dwarf = binary.dwarf().orElseThrow();
            for (int i = 0; i < OFFSETS.length; i++) {
                offsets[i] = dwarf.memberOffset(OFFSETS[i][0], OFFSETS[i][1]).orElseThrow();
            }
            long t2 = System.nanoTime();
            assertThat(rets).isNotEmpty();
            System.out.printf("inspect %s (%d MB), round %d: open + ServeHTTP + %d RETs %.1f ms,"
                            + " DWARF index + 8 offsets %.1f ms, total %.1f ms; offsets %s%n",
                    file, file.toFile().length() >> 20, round, rets.length, (t1 - t0) / 1e6, (t2 - t1) / 1e6,
                    (t2 - t0) / 1e6, Arrays.toString(offsets));
        }
    }
}
