package io.tracebee.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.span.Attributes;
import io.tracebee.span.Span;
import io.tracebee.span.SpanKind;
import io.tracebee.span.StatusCode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleExporterTest {

    @Test
    void printsEachTraceAsATree() {
        String t = TestSpans.TRACE_ID;
        Span server = TestSpans.with(TestSpans.span(t, "0000000000000001", null, "GET /books/{id}", 0, 12_300_000),
                SpanKind.SERVER, Attributes.builder().put("http.response.status_code", 200L)
                        .put("client.address", "127.0.0.1").put("client.port", 53422L).build(),
                StatusCode.UNSET, null);
        Span query = TestSpans.with(TestSpans.span(t, "0000000000000002", "0000000000000001", "SELECT books",
                1_000_000, 4_100_000), SpanKind.CLIENT, Attributes.builder().put("db.system.name", "postgresql")
                        .put("server.address", "db").put("server.port", 5432L).build(), StatusCode.UNSET, null);
        Span call = TestSpans.with(TestSpans.span(t, "0000000000000003", "0000000000000001", "GET", 5_000_000,
                9_000_000), SpanKind.CLIENT, Attributes.builder().put("http.response.status_code", 503L).build(),
                StatusCode.ERROR, "upstream unavailable");
        Span nested = TestSpans.span(t, "0000000000000004", "0000000000000002", "scan", 2_000_000, 2_420_000);
        Span orphan = TestSpans.span(t, "0000000000000005", "00000000000000ff", "late child", 10_000_000, 11_000_000);

        String out = ConsoleExporter.render(List.of(call, nested, orphan, server, query));

        assertThat(out).isEqualTo(String.join("\n",
                "trace 4bf92f3577b34da6a3ce929d0e0e4736  service=bookshop  5 spans",
                "├─ GET /books/{id}  SERVER  12.3 ms  200  127.0.0.1:53422",
                "│  ├─ SELECT books  CLIENT  3.1 ms  postgresql  db:5432",
                "│  │  └─ scan  INTERNAL  0.420 ms",
                "│  └─ GET  CLIENT  4.0 ms  503  ERROR: upstream unavailable",
                "└─ late child  INTERNAL  1.0 ms",
                ""));
    }

    @Test
    void groupsByTraceAndWritesToTheGivenStream() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleExporter exporter = new ConsoleExporter(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(exporter.export(TestSpans.many(2)).await().atMost(Duration.ofSeconds(1)).success()).isTrue();
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("trace 00000000000000000000000000000001  service=bookshop  1 span\n└─ op0  INTERNAL")
                .contains("trace 00000000000000000000000000000002");
    }

    @Test
    void capsTheOutputOfHugeBatches() {
        String out = ConsoleExporter.render(TestSpans.many(ConsoleExporter.MAX_LINES + 10));
        assertThat(out.lines().count()).isLessThanOrEqualTo(ConsoleExporter.MAX_LINES + 1);
        assertThat(out).endsWith("more span(s) not shown\n");
    }
}
