package io.tracebee.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.bpf.BpfTestSupport;
import io.tracebee.control.Instrumenter.Instrumentation;
import io.tracebee.decode.DbEvent;
import io.tracebee.decode.HttpServerEvent;
import io.tracebee.e2e.GoServer;
import io.tracebee.probe.dbsql.SqlDrivers;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import io.tracebee.peers.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The database/sql probe on a real Go service using SQLite (modernc.org/sqlite) and a real PostgreSQL
 * (through pgx and lib/pq): queries, execs, transactions, prepared statements, drivers, errors.
 */
class DbSqlProbeTest {
    private static PostgresServer postgres;
    @RegisterExtension
    final ProbeHarness harness = new ProbeHarness();

    @BeforeAll
    static void startPostgres() {
        BpfTestSupport.assumeBpf();
        postgres = PostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void everyStatementIsAChildOfTheHandlerThatRanIt() throws Exception {
        BpfInstrumenter instrumenter = new BpfInstrumenter(Probes.ALL, harness.maps, new OffsetResolver(OffsetTable.load()));
        try (GoServer server = GoServer.start("dbserver-go1.26")) {
            Instrumentation inst = instrumenter.instrument(Path.of("/proc/" + server.pid() + "/exe"), (int) server.pid(), 7);
            assertThat(inst.probes()).extracting(p -> p.library()).contains("database/sql");
            assertThat(inst.probes()).allSatisfy(p -> assertThat(p.state()).as(p.reason()).isEqualTo("attached"));

            assertThat(server.get("/exec?sql=" + enc("INSERT INTO books (title) VALUES ('dune')")).body()).isEqualTo("affected=1");
            DbEvent insert = db(true);
            assertThat(insert.query()).isEqualTo("INSERT INTO books (title) VALUES ('dune')");
            assertThat(insert.error()).isFalse();
            assertThat(SqlDrivers.SYSTEMS.get(insert.system())).isEqualTo("sqlite");
            assertParent(insert, "/exec");

            harness.events.clear();
            assertThat(server.get("/query?sql=" + enc("SELECT id, title FROM books")).body()).isEqualTo("rows=1");
            DbEvent select = db(false);
            assertThat(select.query()).isEqualTo("SELECT id, title FROM books");
            assertParent(select, "/query");

            harness.events.clear();
            assertThat(server.get("/tx?sql=" + enc("UPDATE books SET title = 'x'")).body()).isEqualTo("committed");
            DbEvent inTx = db(true);
            assertThat(inTx.query()).isEqualTo("UPDATE books SET title = 'x'");
            assertParent(inTx, "/tx");

            harness.events.clear();
            assertThat(server.get("/query?sql=" + enc("SELEC nonsense")).statusCode()).isEqualTo(500);
            DbEvent failed = db(false);
            assertThat(failed.error()).isTrue();
            assertThat(failed.queryFullLength()).isEqualTo("SELEC nonsense".length());
            assertThat(SqlDrivers.errorType(failed.errorType())).map(SqlDrivers.ErrorType::goType)
                    .hasValue("*modernc.org/sqlite.Error");
            assertThat(failed.errorMessage()).contains("syntax error").contains("SELEC");

            harness.events.clear();
            assertThat(server.get("/prepared?sql=" + enc("SELECT title FROM books")).body()).isEqualTo("rows=1;rows=1;");
            DbEvent first = db(false);
            assertThat(first.prepared()).isTrue();
            assertThat(first.query()).isEqualTo("SELECT title FROM books");
            assertThat(SqlDrivers.SYSTEMS.get(first.system())).isEqualTo("sqlite");
            assertParent(first, "/prepared");
            DbEvent second = (DbEvent) harness.await(e -> e instanceof DbEvent d && d != first);
            assertThat(second.prepared()).isTrue();
            assertThat(second.header().parentSpanId()).isEqualTo(first.header().parentSpanId());

            harness.events.clear();
            assertThat(server.get("/prepexec?sql=" + enc("DELETE FROM books")).body()).isEqualTo("affected=1");
            DbEvent prepExec = db(true);
            assertThat(prepExec.prepared()).isTrue();
            assertThat(prepExec.query()).isEqualTo("DELETE FROM books");
            assertParent(prepExec, "/prepexec");
            inst.close();
        }
    }

    /**
     * PostgreSQL through pgx's database/sql driver and through lib/pq: the newest releases in a binary
     * that also links SQLite (Go 1.26), and the oldest supported ones on Go 1.23 to 1.25.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "dbserver-go1.26, pgx", "dbserver-go1.26, postgres",
        "dbserver-go1.23-oldest, pgx", "dbserver-go1.23-oldest, postgres",
        "dbserver-go1.24-oldest, pgx", "dbserver-go1.25-oldest, postgres"})
    void postgresThroughEitherDriver(String fixture, String driver) throws Exception {
        postgres.psql("DROP TABLE IF EXISTS books");
        BpfInstrumenter instrumenter = new BpfInstrumenter(Probes.ALL, harness.maps, new OffsetResolver(OffsetTable.load()));
        try (GoServer server = GoServer.start(fixture, "-driver", driver, "-dsn", postgres.dsn())) {
            Instrumentation inst = instrumenter.instrument(Path.of("/proc/" + server.pid() + "/exe"), (int) server.pid(), 7);
            assertThat(inst.probes()).allSatisfy(p -> assertThat(p.state()).as(p.reason()).isEqualTo("attached"));

            assertThat(server.get("/exec?sql=" + enc("INSERT INTO books (title) VALUES ('dune')")).body()).isEqualTo("affected=1");
            DbEvent insert = db(true);
            assertThat(SqlDrivers.SYSTEMS.get(insert.system())).isEqualTo("postgresql");
            assertThat(insert.error()).isFalse();
            assertParent(insert, "/exec");

            harness.events.clear();
            assertThat(server.get("/prepared?sql=" + enc("SELECT title FROM books")).body()).isEqualTo("rows=1;rows=1;");
            DbEvent prepared = db(false);
            assertThat(prepared.prepared()).isTrue();
            assertThat(SqlDrivers.SYSTEMS.get(prepared.system())).isEqualTo("postgresql");
            assertParent(prepared, "/prepared");

            harness.events.clear();
            assertThat(server.get("/query?sql=" + enc("SELECT * FROM missing_table")).statusCode()).isEqualTo(500);
            DbEvent failed = db(false);
            assertThat(failed.error()).isTrue();
            assertThat(failed.errorCode()).as("SQLSTATE undefined_table").isEqualTo("42P01");
            assertThat(failed.errorMessage()).isEqualTo("relation \"missing_table\" does not exist");
            assertThat(SqlDrivers.errorType(failed.errorType())).map(SqlDrivers.ErrorType::goType).hasValue(
                    driver.equals("pgx") ? "*github.com/jackc/pgx/v5/pgconn.PgError" : "*github.com/lib/pq.Error");

            harness.events.clear();
            assertThat(server.get("/prepexec?sql=" + enc("UPDATE books SET title = 'x'")).body()).isEqualTo("affected=1");
            DbEvent prepExec = db(true);
            assertThat(prepExec.prepared()).isTrue();
            assertParent(prepExec, "/prepexec");
            inst.close();
        }
    }

    /**
     * A binary with neither symbols nor DWARF: offsets come from the table, and the system from the one
     * driver module it links; error types cannot be identified without symbols, so errors carry no text.
     */
    @Test
    void aStrippedBinaryGetsItsSystemFromItsOnlyDriver() throws Exception {
        BpfInstrumenter instrumenter = new BpfInstrumenter(Probes.ALL, harness.maps, new OffsetResolver(OffsetTable.load()));
        try (GoServer server = GoServer.start("dbserver-sqlite-stripped")) {
            Instrumentation inst = instrumenter.instrument(Path.of("/proc/" + server.pid() + "/exe"), (int) server.pid(), 7);
            assertThat(inst.probes()).filteredOn(p -> p.library().equals("database/sql")).singleElement()
                    .satisfies(p -> assertThat(p.offsetSource()).isEqualTo("table"));

            assertThat(server.get("/prepared?sql=" + enc("SELECT 1")).body()).isEqualTo("rows=1;rows=1;");
            DbEvent prepared = db(false);
            assertThat(prepared.prepared()).isTrue();
            assertThat(prepared.query()).isEqualTo("SELECT 1");
            assertThat(SqlDrivers.SYSTEMS.get(prepared.system())).isEqualTo("sqlite");
            assertParent(prepared, "/prepared");

            harness.events.clear();
            assertThat(server.get("/query?sql=" + enc("SELEC nonsense")).statusCode()).isEqualTo(500);
            DbEvent failed = db(false);
            assertThat(failed.error()).isTrue();
            assertThat(failed.errorType()).isZero();
            assertThat(failed.errorMessage()).isEmpty();
            inst.close();
        }
    }

    private DbEvent db(boolean exec) throws InterruptedException {
        return (DbEvent) harness.await(e -> e instanceof DbEvent d && d.exec() == exec);
    }

    private void assertParent(DbEvent db, String path) throws InterruptedException {
        HttpServerEvent handler = (HttpServerEvent) harness.await(e -> e instanceof HttpServerEvent h && h.path().equals(path));
        assertThat(db.header().traceId()).isEqualTo(handler.header().traceId());
        assertThat(db.header().parentSpanId()).isEqualTo(handler.header().spanId());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
