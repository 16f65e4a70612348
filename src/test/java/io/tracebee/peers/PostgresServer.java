package io.tracebee.peers;

import io.tracebee.e2e.Fixtures;
import io.tracebee.e2e.ManagedProcess;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A throwaway PostgreSQL server for end-to-end tests: Debian's PostgreSQL in a fresh data directory,
 * listening on 127.0.0.1 on a free port, with a password-authenticated user {@code tracebee}
 * (password {@code tracebee}) owning a database {@code tracebee}. Durability is off (fsync,
 * synchronous commit, full page writes), so it starts in about a second.
 */
public final class PostgresServer extends PeerProcess {
    private static final String USER = "tracebee";
    private static final String PASSWORD = "tracebee";
    private static final String DATABASE = "tracebee";
    private static final Path INSTALLS = Path.of("/usr/lib/postgresql");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);

    private final Path bin;
    private final PeerUser user;
    private final int port;

    private PostgresServer(Path bin, PeerUser user, PeerDir dir, int port, ManagedProcess server) {
        super(dir, server);
        this.bin = bin;
        this.user = user;
        this.port = port;
    }

    /** Creates a cluster and starts it; returns once it accepts connections. */
    public static PostgresServer start() {
        Path bin = binDir();
        PeerUser user = PeerUser.forService("postgres");
        PeerDir dir = PeerDir.create("tracebee-postgres-", user);
        ManagedProcess server = null;
        try {
            Path pwfile = dir.write("pwfile", PASSWORD + "\n", user);
            // scram for TCP (what the Go services use), trust on the private unix socket (psql as admin)
            Command.run("initdb", user.command(List.of(bin.resolve("initdb").toString(),
                    "-D", dataDir(dir).toString(), "-U", USER, "--pwfile=" + pwfile,
                    "--auth-host=scram-sha-256", "--auth-local=trust",
                    "-E", "UTF8", "--no-locale", "--no-sync")), null, TOOL_TIMEOUT);
            int port = Fixtures.freePort();
            server = ManagedProcess.start("postgres-" + port, user.command(List.of(bin.resolve("postgres").toString(),
                    "-D", dataDir(dir).toString(),
                    "-p", Integer.toString(port),
                    "-c", "listen_addresses=127.0.0.1",
                    "-c", "unix_socket_directories=" + dir.path(),
                    "-c", "fsync=off",
                    "-c", "synchronous_commit=off",
                    "-c", "full_page_writes=off")), Map.of());
            try {
                server.awaitLine(l -> l.contains("database system is ready to accept connections"), READY_TIMEOUT);
            } catch (AssertionError e) {
                throw new IllegalStateException("PostgreSQL (" + bin + ") did not start on 127.0.0.1:" + port
                        + " as user " + user + "; its log:\n" + e.getMessage());
            }
            PostgresServer pg = new PostgresServer(bin, user, dir, port, server);
            pg.psql("postgres", "create database " + DATABASE);
            return pg;
        } catch (RuntimeException | Error e) {
            dir.abandon(server, e);
            throw e;
        }
    }

    public int port() {
        return port;
    }

    /** A libpq/pgx URL for the {@code tracebee} user and database over TCP. */
    public String dsn() {
        return "postgres://" + USER + ":" + PASSWORD + "@127.0.0.1:" + port + "/" + DATABASE + "?sslmode=disable";
    }

    /**
     * Runs SQL (one or more statements) in database {@code tracebee} as the admin, stopping at the first
     * error; returns the rows psql printed, unaligned ({@code a|b}), one per line, without headers.
     */
    public String psql(String sql) {
        return psql(DATABASE, sql);
    }

    private String psql(String database, String sql) {
        return Command.run("psql " + sql, user.command(List.of(bin.resolve("psql").toString(),
                "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                "-h", dir.path().toString(), "-p", Integer.toString(port), "-U", USER, "-d", database,
                "-c", sql)), null, TOOL_TIMEOUT);
    }

    /** Stops the server at once (no checkpoint: the data is thrown away) and deletes its directory. */
    @Override
    public void close() {
        try {
            if (server.isAlive()) {
                Command.run("pg_ctl stop", user.command(List.of(bin.resolve("pg_ctl").toString(),
                        "stop", "-D", dataDir(dir).toString(), "-m", "immediate", "-w", "-t", "30")), null, TOOL_TIMEOUT);
            }
        } finally {
            server.close();
            dir.close();
        }
    }

    private static Path dataDir(PeerDir dir) {
        return dir.resolve("data");
    }

    /** The bin directory of the newest PostgreSQL installed the Debian way, /usr/lib/postgresql/N/bin. */
    static Path binDir() {
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(INSTALLS)) {
            try (DirectoryStream<Path> versions = Files.newDirectoryStream(INSTALLS)) {
                for (Path v : versions) {
                    if (v.getFileName().toString().matches("\\d+(\\.\\d+)?")
                            && Files.isExecutable(v.resolve("bin/postgres"))) {
                        found.add(v.resolve("bin"));
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot list " + INSTALLS, e);
            }
        }
        return found.stream()
                .max(Comparator.comparingDouble(p -> Double.parseDouble(p.getParent().getFileName().toString())))
                .orElseThrow(() -> new IllegalStateException("PostgreSQL is not installed (no " + INSTALLS
                        + "/*/bin/postgres): install Debian's postgresql package (scripts/setup.sh does)"));
    }
}
