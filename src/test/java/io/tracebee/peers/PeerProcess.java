package io.tracebee.peers;

import io.tracebee.e2e.ManagedProcess;
import java.nio.file.Path;

/** A running peer server: its process and its private directory, both gone after close. */
abstract class PeerProcess implements AutoCloseable {
    protected final PeerDir dir;
    protected final ManagedProcess server;

    PeerProcess(PeerDir dir, ManagedProcess server) {
        this.dir = dir;
        this.server = server;
    }

    long pid() {
        return server.pid();
    }

    Path dir() {
        return dir.path();
    }

    /** Stops the server (SIGTERM, killed if it lingers) and deletes its directory. */
    @Override
    public void close() {
        try {
            server.close();
        } finally {
            dir.close();
        }
    }
}
