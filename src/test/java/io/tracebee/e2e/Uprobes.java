package io.tracebee.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the kernel says is attached: uprobes held by a process, read with {@code bpftool perf show}. */
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

    /** The uprobe attachments whose perf-event fd is held by {@code pid}. */
    public static List<String> heldBy(long pid) {
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
}
