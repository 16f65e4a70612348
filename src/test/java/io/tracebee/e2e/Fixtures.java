package io.tracebee.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared test fixtures built by {@code src/test/build-fixtures.sh}. */
public final class Fixtures {
    private Fixtures() {
    }

    public static Path dir() {
        String d = System.getProperty("tracebee.fixtures",
                System.getProperty("user.home") + "/.cache/tracebee/fixtures");
        return Path.of(d);
    }

    /** A fixture file; fails with the command that builds it when it is missing. */
    public static Path file(String name) {
        Path p = dir().resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("test fixture " + p + " is missing: run src/test/build-fixtures.sh");
        }
        return p;
    }

    public static Path agentJar() {
        Path jar = Path.of(System.getProperty("tracebee.jar", "target/quarkus-app/quarkus-run.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("agent jar " + jar + " is missing: run ./mvnw package first");
        }
        return jar;
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    /** Copies the directory tree from into to (created), files and directories alike. */
    public static void copyTree(Path from, Path to) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path dest = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(f, dest);
                }
            }
        }
    }
}
