package io.tracebee.peers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short-lived tool (initdb, psql, a Kafka tool) to completion and returns its standard output. */
final class Command {
    private Command() {
    }

    /**
     * Runs {@code command} with {@code stdin} (null: none) as its input; fails with the command's
     * exit code and both outputs when it exits non-zero or outlives {@code timeout}.
     *
     * @param what what the command does, for the error message ("initdb", "create topic orders")
     */
    static String run(String what, List<String> command, String stdin, Duration timeout) {
        Process p;
        try {
            p = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new IllegalStateException(what + ": cannot run " + command, e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread outPump = pump(p.getInputStream(), out, what + "-stdout");
        Thread errPump = pump(p.getErrorStream(), err, what + "-stderr");
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException ignored) {
            // the tool exited without reading its input: its exit code tells what happened
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException(what + " did not finish within " + timeout + ": " + command
                        + describe(out, err));
            }
            outPump.join(5_000);
            errPump.join(5_000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(what + " failed with exit code " + p.exitValue() + ": " + command
                    + describe(out, err));
        }
        return text(out);
    }

    private static Thread pump(InputStream from, ByteArrayOutputStream to, String name) {
        Thread t = new Thread(() -> {
            try (from) {
                from.transferTo(to);
            } catch (IOException ignored) {
                // the process ended
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static String describe(ByteArrayOutputStream out, ByteArrayOutputStream err) {
        return "\n--- stderr ---\n" + text(err) + "\n--- stdout ---\n" + text(out);
    }

    private static String text(ByteArrayOutputStream b) {
        return b.toString(StandardCharsets.UTF_8);
    }
}
