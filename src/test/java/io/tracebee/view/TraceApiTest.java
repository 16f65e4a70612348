package io.tracebee.view;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.quarkus.test.junit.QuarkusTest;
import io.tracebee.export.TestSpans;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The trace view through HTTP: CDI store, REST resource, JSON shape and the static page. */
@QuarkusTest
class TraceApiTest {

    @Inject
    TraceStore store;

    @BeforeEach
    void fill() {
        store.clear();
        store.add(List.of(
                TestSpans.span(TestSpans.TRACE_ID, "0000000000000001", null, "GET /books/{id}", 1_000_000, 13_300_000),
                TestSpans.span(TestSpans.TRACE_ID, "0000000000000002", "0000000000000001", "SELECT", 2_000_000,
                        5_000_000)));
        store.add(TestSpans.many(2));
    }

    @Test
    void listsRecentTraces() {
        given().queryParam("limit", 2).when().get("/api/traces").then()
                .statusCode(200)
                .body("$", hasSize(2));
        given().queryParam("service", "bookshop").when().get("/api/traces").then()
                .statusCode(200)
                .body("$", hasSize(3))
                .body("find { it.traceId == '" + TestSpans.TRACE_ID + "' }.spanCount", equalTo(2))
                .body("find { it.traceId == '" + TestSpans.TRACE_ID + "' }.rootName", equalTo("GET /books/{id}"));
    }

    @Test
    void showsOneTrace() {
        given().when().get("/api/traces/" + TestSpans.TRACE_ID).then()
                .statusCode(200)
                .body("traceId", equalTo(TestSpans.TRACE_ID))
                .body("spans.name", equalTo(List.of("GET /books/{id}", "SELECT")))
                .body("spans[1].parentSpanId", equalTo("0000000000000001"))
                .body("spans[1].depth", equalTo(1))
                .body("spans[0].resource.'service.name'", equalTo("bookshop"));
        given().when().get("/api/traces/ffffffffffffffffffffffffffffffff").then().statusCode(404);
    }

    @Test
    void showsEventsAndLinks() {
        store.clear();
        store.add(List.of(TestSpans.manual(),
                TestSpans.span(TestSpans.TRACE_ID, "53995c3f42cd8ad8", null, "root", 1699999999000000000L,
                        1700000001000000000L)));
        String manual = "spans.find { it.spanId == '00f067aa0ba902b7' }";
        given().when().get("/api/traces/" + TestSpans.TRACE_ID).then()
                .statusCode(200)
                .body(manual + ".events.name", equalTo(List.of("exception", "bare")))
                .body(manual + ".events[0].timeUnixNano", equalTo("1700000000010000000"))
                .body(manual + ".events[0].attributes.'exception.message'", equalTo("boom"))
                .body(manual + ".links[0].traceId", equalTo("0af7651916cd43dd8448eb211c80319c"))
                .body(manual + ".links[0].spanId", equalTo("b7ad6b7169203331"))
                .body(manual + ".links[0].traceState", equalTo("vendor=abc"))
                .body(manual + ".attributes.raw", equalTo("AAEC/v8="))
                .body(manual + ".attributes.nested.k", equalTo("v"))
                .body(manual + ".attributes.tags", equalTo(List.of("a", "b")))
                .body("spans[0].name", equalTo("root"))
                .body("spans[0].events", hasSize(0))
                .body("spans[0].links", hasSize(0));
    }

    @Test
    void servesThePage() {
        given().when().get("/").then()
                .statusCode(200)
                .body(containsString("/api/traces"));
    }
}
