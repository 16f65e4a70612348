package io.tracebee.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the kernel says is attached: uprobes held by a process, read with bpftool and from /proc. */
public final class Uprobes {
    private Uprobes() {
    }

    /** Run counts of tracebee's uprobe programs ({@code bpftool prog show}; needs kernel.bpf_stats_enabled). */
    public static String programRunCounts() {
        try {
            Process p = new ProcessBuilder("bpftool", "prog", "show").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            return out.lines().filter(l -> l.contains("name uprobe_")).reduce("", (a, b) -> a + b.trim() + "\n");
        } catch (IOException e) {
            return "bpftool failed: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * The uprobes attached through links {@code pid} holds, one line per probed address: perf-event uprobes as
     * {@code bpftool perf show} lists them, and every address of the uprobe_multi links among its fds (their
     * {@code /proc/<pid>/fdinfo}: bpftool 7.1 predates them).
     */
    public static List<String> heldBy(long pid) {
        List<String> out = new ArrayList<>(perfEventUprobes(pid));
        out.addAll(uprobeMultiAddresses(pid));
        return out;
    }

    private static List<String> perfEventUprobes(long pid) {
        try {
            Process p = new ProcessBuilder("bpftool", "perf", "show").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            return out.lines().filter(l -> l.contains("uprobe") && l.trim().startsWith("pid " + pid + " ")).toList();
        } catch (IOException e) {
            throw new IllegalStateException("bpftool perf show failed (is bpftool installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<String> uprobeMultiAddresses(long pid) {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fdinfo"))) {
            for (Path fd : fds) {
                List<String> lines;
                try {
                    lines = Files.readAllLines(fd);
                } catch (IOException closedMeanwhile) {
                    continue;
                }
                if (!lines.contains("link_type:\tuprobe_multi")) {
                    continue;
                }
                String path = lines.stream().filter(l -> l.startsWith("path:")).map(l -> l.substring(5).trim())
                        .findFirst().orElse("?");
                boolean table = false;
                for (String l : lines) {
                    if (l.startsWith("cookie")) {
                        table = true;
                    } else if (table && !l.isBlank()) {
                        String[] cols = l.trim().split("\\s+");
                        out.add("pid " + pid + " uprobe_multi " + path + "+" + cols[1]);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + "/fdinfo", e);
        }
        return out;
    }
}
