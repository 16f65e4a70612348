package io.tracebee.peers;

import io.tracebee.e2e.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** A peer server's private temporary directory (data, sockets, configuration), deleted with everything in it on close. */
final class PeerDir implements AutoCloseable {
    private final Path path;

    private PeerDir(Path path) {
        this.path = path;
    }

    /** A fresh directory under java.io.tmpdir (world-traversable, so an unprivileged owner reaches it), owned by {@code owner}. */
    static PeerDir create(String prefix, PeerUser owner) {
        try {
            Path p = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), prefix);
            owner.own(p);
            return new PeerDir(p);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a temporary directory for a peer server under "
                    + System.getProperty("java.io.tmpdir"), e);
        }
    }

    Path path() {
        return path;
    }

    Path resolve(String name) {
        return path.resolve(name);
    }

    /** Writes a file the peer reads, owned by {@code owner}. */
    Path write(String name, String content, PeerUser owner) {
        try {
            Path f = Files.writeString(path.resolve(name), content);
            owner.own(f);
            return f;
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + path.resolve(name), e);
        }
    }

    /**
     * Undoes a start that failed with {@code failure}: stops the server if it was started and deletes
     * this directory; a clean-up error is attached to the failure, which the caller rethrows.
     */
    void abandon(ManagedProcess server, Throwable failure) {
        if (server != null) {
            server.close();
        }
        try {
            close();
        } catch (RuntimeException suppressed) {
            failure.addSuppressed(suppressed);
        }
    }

    @Override
    public void close() {
        try (Stream<Path> walk = Files.walk(path)) {
            List<Path> all = walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (NoSuchFileException gone) {
            // already deleted
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalStateException("cannot delete peer directory " + path
                    + " (is a process of the peer still writing to it?)", e);
        }
    }
}
