package io.tracebee.peers;

import io.tracebee.e2e.Fixtures;
import io.tracebee.e2e.ManagedProcess;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A throwaway Redis server for end-to-end tests: Debian's redis-server on 127.0.0.1 on a free port,
 * in memory only (no RDB snapshots, no append-only file), with a private working directory.
 */
public final class RedisServer extends PeerProcess {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final int SOCKET_TIMEOUT_MS = 10_000;

    private final int port;

    private RedisServer(PeerDir dir, int port, ManagedProcess server) {
        super(dir, server);
        this.port = port;
    }

    /** Starts a server; returns once it answers PING. */
    public static RedisServer start() {
        Path exe = executable();
        PeerUser user = PeerUser.forService("redis");
        PeerDir dir = PeerDir.create("tracebee-redis-", user);
        ManagedProcess server = null;
        try {
            int port = Fixtures.freePort();
            // no config file: the compiled-in defaults plus these; an empty logfile logs to stdout
            server = ManagedProcess.start("redis-" + port, user.command(List.of(exe.toString(),
                    "--bind", "127.0.0.1", "--port", Integer.toString(port),
                    "--save", "", "--appendonly", "no",
                    "--dir", dir.path().toString(), "--daemonize", "no", "--logfile", "")), Map.of());
            RedisServer redis = new RedisServer(dir, port, server);
            redis.awaitPong(user);
            return redis;
        } catch (RuntimeException | Error e) {
            dir.abandon(server, e);
            throw e;
        }
    }

    public int port() {
        return port;
    }

    /** "127.0.0.1:PORT", what Go Redis clients take as Addr. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /**
     * Sends one command over a new connection and returns the reply: a simple or bulk string, an
     * integer as text, null for a nil reply; an error reply is thrown. Arrays are not decoded.
     */
    public String command(String... args) {
        try (Socket s = connect()) {
            return roundTrip(s, args);
        } catch (IOException e) {
            throw new IllegalStateException("Redis command " + String.join(" ", args) + " on " + address() + " failed", e);
        }
    }


    private void awaitPong(PeerUser user) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("redis-server exited at start-up on " + address() + " as user " + user
                        + "; its output:\n" + server.output());
            }
            try (Socket s = connect()) {
                String reply = roundTrip(s, "PING");
                if ("PONG".equals(reply)) {
                    return;
                }
                last = "PING answered " + reply;
            } catch (IOException | IllegalStateException e) {
                last = e.toString();
            }
            sleep(20);
        }
        throw new IllegalStateException("redis-server on " + address() + " did not answer PING within " + READY_TIMEOUT
                + " (" + last + "); its output:\n" + server.output());
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress("127.0.0.1", port), SOCKET_TIMEOUT_MS);
            s.setSoTimeout(SOCKET_TIMEOUT_MS);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** RESP: the command as an array of bulk strings, then one reply. */
    private static String roundTrip(Socket s, String... args) throws IOException {
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        req.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.UTF_8));
        for (String a : args) {
            byte[] b = a.getBytes(StandardCharsets.UTF_8);
            req.writeBytes(("$" + b.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            req.writeBytes(b);
            req.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        OutputStream out = s.getOutputStream();
        out.write(req.toByteArray());
        out.flush();
        InputStream in = new BufferedInputStream(s.getInputStream());
        String line = readLine(in);
        switch (line.isEmpty() ? ' ' : line.charAt(0)) {
            case '+':
            case ':':
                return line.substring(1);
            case '-':
                throw new IllegalStateException("Redis answered " + String.join(" ", args) + " with " + line.substring(1));
            case '$': {
                int n = Integer.parseInt(line.substring(1));
                if (n < 0) {
                    return null;
                }
                byte[] b = in.readNBytes(n + 2);
                if (b.length != n + 2) {
                    throw new IOException("connection closed inside a bulk reply");
                }
                return new String(b, 0, n, StandardCharsets.UTF_8);
            }
            default:
                throw new IllegalStateException("unsupported Redis reply to " + String.join(" ", args) + ": " + line);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.UTF_8);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        throw new IOException("connection closed before a reply");
    }

    private static Path executable() {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(d.isEmpty() ? "." : d, "redis-server");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        Path debian = Path.of("/usr/bin/redis-server");
        if (Files.isExecutable(debian)) {
            return debian;
        }
        throw new IllegalStateException("redis-server is not installed (not on PATH): install Debian's redis-server"
                + " package (scripts/setup.sh does)");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for redis-server", e);
        }
    }
}
