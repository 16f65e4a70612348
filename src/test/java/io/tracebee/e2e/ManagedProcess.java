package io.tracebee.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A child process for end-to-end tests: output captured to a log file and in memory, killed on close. */
public final class ManagedProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Path log;
    private final Thread pump;

    private ManagedProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        pump = new Thread(this::pump, name + "-output");
        pump.setDaemon(true);
        pump.start();
    }

    public static ManagedProcess start(String name, List<String> command, Map<String, String> env) {
        return start(name, command, env, null);
    }

    /** The same, run in directory dir (null: this one). */
    public static ManagedProcess start(String name, List<String> command, Map<String, String> env, Path dir) {
        try {
            Path logs = Path.of("target", "e2e-logs").toAbsolutePath();
            Files.createDirectories(logs);
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            pb.environment().putAll(env);
            Process p = pb.start();
            return new ManagedProcess(name, p, logs.resolve(name + "-" + p.pid() + ".log"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + ": " + command, e);
        }
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
                Files.writeString(log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        } catch (IOException ignored) {
            // process ended
        }
    }

    /** Waits until a line of output matches, failing with the output so far on timeout or exit. */
    public String awaitLine(Predicate<String> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<String> line = firstLine(match);
            if (line.isPresent()) {
                return line.get();
            }
            if (!process.isAlive()) {
                try {
                    pump.join(1000);  // its last lines may still be in the pipe
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return firstLine(match).orElseThrow(() ->
                        new AssertionError(name + " exited with " + process.exitValue() + ":\n" + output()));
            }
            sleep(20);
        }
        throw new AssertionError(name + " did not print the expected line within " + timeout + ":\n" + output());
    }

    private Optional<String> firstLine(Predicate<String> match) {
        return lines.stream().filter(match).findFirst();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String output() {
        return String.join("\n", lines);
    }

    /**
     * SIGTERM, as an orchestrator stops a container; returns at once. Through the handle: {@code Process.destroy}
     * would also close the output pipe, losing what the process prints while it stops.
     */
    public void terminate() {
        process.toHandle().destroy();
    }

    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not exit within " + timeout);
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
