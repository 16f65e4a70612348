package io.tracebee.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The real protocol peers of the end-to-end tests start, serve their protocol, and leave neither a
 * process nor a directory behind. Never skipped: a peer that cannot start fails the test.
 */
class PeersTest {

    @Test
    void postgresServesSqlOverTcpWithAPassword() {
        PostgresServer pg = started("postgres", PostgresServer::start);
        List<ProcessHandle> processes;
        Path dir = pg.dir();
        try {
            pg.psql("create table books (id int primary key, title text not null)");
            pg.psql("insert into books values (1, 'Dune'), (2, 'Solaris')");
            assertThat(pg.psql("select id, title from books order by id")).isEqualTo("1|Dune\n2|Solaris\n");
            assertThat(pg.dsn()).isEqualTo("postgres://tracebee:tracebee@127.0.0.1:" + pg.port() + "/tracebee?sslmode=disable");
            // the DSN's user and password over TCP, as a Go service connects
            assertThat(passwordLogin(pg, "tracebee")).isEqualTo("tracebee|tracebee\n");
            assertThatFails(() -> passwordLogin(pg, "wrong"), "password authentication failed");
            processes = tree(pg.pid());
            assertThat(processes).hasSizeGreaterThan(1); // postmaster and its background workers
        } finally {
            stopped("postgres", pg);
        }
        assertGone(processes, dir);
    }

    @Test
    void redisAnswersRespCommands() {
        RedisServer redis = started("redis", RedisServer::start);
        List<ProcessHandle> processes;
        Path dir = redis.dir();
        try {
            assertThat(redis.address()).isEqualTo("127.0.0.1:" + redis.port());
            assertThat(redis.command("SET", "book:1", "Dune")).isEqualTo("OK");
            assertThat(redis.command("GET", "book:1")).isEqualTo("Dune");
            assertThat(redis.command("GET", "book:2")).isNull();
            assertThat(redis.command("INCR", "orders")).isEqualTo("1");
            assertThatFails(() -> redis.command("NOSUCHCOMMAND"), "unknown command");
            processes = tree(redis.pid());
        } finally {
            stopped("redis", redis);
        }
        assertGone(processes, dir);
    }

    @Test
    void kafkaCreatesTopicsAndCarriesRecords() {
        KafkaBroker kafka = started("kafka", KafkaBroker::start);
        List<ProcessHandle> processes;
        Path dir = kafka.dir();
        try {
            assertThat(kafka.bootstrap()).startsWith("127.0.0.1:");
            kafka.createTopic("orders", 3);
            assertThat(kafka.topics()).containsExactly("orders");
            kafka.produce("orders", List.of("order-1", "order-2", "order-3"));
            assertThat(kafka.consume("orders", 3)).containsExactlyInAnyOrder("order-1", "order-2", "order-3");
            processes = tree(kafka.pid());
        } finally {
            stopped("kafka", kafka);
        }
        assertGone(processes, dir);
    }

    private static <T> T started(String name, Supplier<T> start) {
        long t0 = System.nanoTime();
        T peer = start.get();
        System.out.printf("PeersTest: %s started in %d ms%n", name, (System.nanoTime() - t0) / 1_000_000);
        return peer;
    }

    private static void stopped(String name, AutoCloseable peer) {
        long t0 = System.nanoTime();
        try {
            peer.close();
        } catch (Exception e) {
            throw new AssertionError(name + " did not stop cleanly", e);
        }
        System.out.printf("PeersTest: %s stopped in %d ms%n", name, (System.nanoTime() - t0) / 1_000_000);
    }

    /** Logs in over TCP with the DSN's user and the given password; returns the session's user and database. */
    private static String passwordLogin(PostgresServer pg, String password) {
        return Command.run("psql over TCP", List.of(PostgresServer.binDir().resolve("psql").toString(), "-X", "-A", "-t",
                "-c", "select current_user, current_database()",
                pg.dsn().replace(":tracebee@", ":" + password + "@")), null, Duration.ofSeconds(30));
    }

    private static void assertThatFails(Runnable r, String message) {
        try {
            r.run();
        } catch (IllegalStateException e) {
            assertThat(e).hasMessageContaining(message);
            return;
        }
        throw new AssertionError("expected a failure containing '" + message + "'");
    }

    private static List<ProcessHandle> tree(long pid) {
        ProcessHandle root = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("peer process " + pid + " is gone"));
        return Stream.concat(Stream.of(root), root.descendants()).collect(Collectors.toList());
    }

    private static void assertGone(List<ProcessHandle> processes, Path dir) {
        assertThat(processes.stream().filter(ProcessHandle::isAlive)
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")))
                .as("processes of the peer still running after close").isEmpty();
        assertThat(dir).as("the peer's directory after close").doesNotExist();
    }
}
