package io.tracebee.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.e2e.Collector.ReceivedSpan;
import io.tracebee.peers.PostgresServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * database/sql end to end against a real PostgreSQL and the real collector: a Go service (A) calls a
 * second one (B) that queries PostgreSQL through pgx, both attached to one agent. Each request is one
 * trace: A's server span, A's client span, B's server span and B's database span, each the child of
 * the one before, with the database span's semantic-convention attributes and, for a failing
 * statement, ERROR status with the server's message and SQLSTATE.
 */
class DatabaseIT {
    @Test
    void anHttpRequestThatQueriesPostgresIsOneTrace() throws Exception {
        try (PostgresServer postgres = PostgresServer.start();
                Collector collector = Collector.start();
                AgentProcess agent = AgentProcess.start(Map.of(
                        "OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint(),
                        "OTEL_BSP_SCHEDULE_DELAY", "200"));
                GoServer a = GoServer.start("httpserver-go1.25");
                GoServer b = GoServer.start("dbserver-go1.26", "-driver", "pgx", "-dsn", postgres.dsn())) {
            agent.attach(a.pid(), "frontend");
            agent.attach(b.pid(), "books");

            String insert = "INSERT INTO books (title) VALUES ('The Dispossessed')";
            assertThat(b.get("/exec?sql=" + enc(insert)).body()).isEqualTo("affected=1");
            String select = "SELECT id, title FROM books WHERE title = 'The Dispossessed'";
            assertThat(a.get("/call?url=" + enc("http://" + b.address() + "/query?sql=" + enc(select))).statusCode())
                    .isEqualTo(200);
            String missing = "SELECT * FROM shelves";
            assertThat(a.get("/call?url=" + enc("http://" + b.address() + "/query?sql=" + enc(missing))).statusCode())
                    .isEqualTo(500); // A answers with B's status

            ReceivedSpan query = dbSpan(collector, "SELECT books");
            assertThat(query.kind()).as("CLIENT").isEqualTo(3);
            assertThat(query.statusCode()).isZero();
            assertThat(query.scope()).isEqualTo("io.tracebee/database/sql");
            assertThat(query.attributes()).containsEntry("db.system.name", "postgresql")
                    .containsEntry("db.operation.name", "SELECT")
                    .containsEntry("db.collection.name", "books")
                    .containsEntry("db.query.text", "SELECT id, title FROM books WHERE title = ?");
            assertChain(collector, query);

            ReceivedSpan failed = dbSpan(collector, "SELECT shelves");
            assertThat(failed.statusCode()).as("ERROR").isEqualTo(2);
            assertThat(failed.statusMessage()).isEqualTo("relation \"shelves\" does not exist");
            assertThat(failed.attributes()).containsEntry("db.response.status_code", "42P01")
                    .containsEntry("error.type", "42P01");
            assertChain(collector, failed);

            String metrics = agent.metrics();
            assertThat(NoCollectorIT.metric(metrics, "tracebee_probes{library=\"database/sql\",state=\"attached\",}"))
                    .as("only the books service links database/sql").isEqualTo(1);
            assertThat(NoCollectorIT.metric(metrics, "tracebee_probes{library=\"net/http server\",state=\"attached\",}"))
                    .isEqualTo(2);
            assertThat(NoCollectorIT.metric(metrics, "tracebee_probes{library=\"database/sql\",state=\"skipped\",}"))
                    .isZero();

            ReceivedSpan inserted = dbSpan(collector, "INSERT books");
            assertThat(inserted.attributes()).containsEntry("db.operation.name", "INSERT")
                    .containsEntry("db.query.text", "INSERT INTO books (title) VALUES (?)");
        }
    }

    private static ReceivedSpan dbSpan(Collector collector, String name) {
        return collector.awaitSpans(s -> s.name().equals(name), 1, Duration.ofSeconds(30)).get(0);
    }

    /** db span ← B's server span ← A's client span ← A's server span (a root), all in one trace. */
    private static void assertChain(Collector collector, ReceivedSpan db) {
        List<ReceivedSpan> trace = Traces.traceOf(collector, db, 4);
        assertThat(trace).hasSize(4);
        ReceivedSpan bServer = Traces.parentOf(trace, db);
        assertThat(bServer.name()).isEqualTo("GET /query");
        assertThat(bServer.resource()).containsEntry("service.name", "books");
        ReceivedSpan aClient = Traces.parentOf(trace, bServer);
        assertThat(aClient.kind()).as("CLIENT").isEqualTo(3);
        assertThat(aClient.resource()).containsEntry("service.name", "frontend");
        ReceivedSpan aServer = Traces.parentOf(trace, aClient);
        assertThat(aServer.name()).isEqualTo("GET /call");
        assertThat(aServer.parentSpanId()).isEmpty();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
