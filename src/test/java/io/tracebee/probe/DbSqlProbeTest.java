package io.tracebee.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.bpf.BpfTestSupport;
import io.tracebee.control.Instrumenter.Instrumentation;
import io.tracebee.decode.DbEvent;
import io.tracebee.decode.HttpServerEvent;
import io.tracebee.e2e.GoServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The database/sql probe on a real Go service using SQLite (modernc.org/sqlite): queries, execs, transactions, errors. */
class DbSqlProbeTest {
    private ProbeHarness harness;

    @BeforeEach
    void setUp() {
        BpfTestSupport.assumeBpf();
        harness = new ProbeHarness();
    }

    @AfterEach
    void tearDown() {
        if (harness != null) {
            harness.close();
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
