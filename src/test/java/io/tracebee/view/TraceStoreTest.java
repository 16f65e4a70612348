package io.tracebee.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracebee.export.ExportResult;
import io.tracebee.export.TestSpans;
import io.tracebee.span.Attributes;
import io.tracebee.span.Span;
import io.tracebee.span.SpanKind;
import io.tracebee.span.StatusCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TraceStoreTest {
    private static final String T1 = "00000000000000000000000000000001";
    private static final String T2 = "00000000000000000000000000000002";
    private static final String T3 = "00000000000000000000000000000003";
    private static final String T10 = "0000000000000000000000000000000a";

    private static Span span(String trace, String id, String parent, String name, long startMs, long endMs) {
        return TestSpans.span(trace, id, parent, name, startMs * 1_000_000, endMs * 1_000_000);
    }

    @Test
    void summarisesTracesNewestFirst() {
        TraceStore store = new TraceStore(10, 100);
        Span child = TestSpans.with(span(T1, "0000000000000002", "0000000000000001", "db", 1002, 1005),
                SpanKind.CLIENT, Attributes.empty(), StatusCode.ERROR, "timeout");
        store.add(List.of(child));
        store.add(List.of(span(T1, "0000000000000001", null, "GET /a", 1000, 1010),
                TestSpans.withResource(span(T2, "0000000000000003", null, "GET /stock", 2000, 2001),
                        TestSpans.INVENTORY, "net/http")));

        List<TraceSummary> all = store.recent(10, null);
        assertThat(all).extracting(TraceSummary::traceId).containsExactly(T2, T1);
        TraceSummary first = all.get(1);
        assertThat(first.rootName()).isEqualTo("GET /a");
        assertThat(first.service()).isEqualTo("bookshop");
        assertThat(first.spanCount()).isEqualTo(2);
        assertThat(first.error()).isTrue();
        assertThat(first.durationMs()).isEqualTo(10.0);
        assertThat(first.startEpochMillis()).isEqualTo(1000);

        assertThat(store.recent(10, "inventory")).extracting(TraceSummary::traceId).containsExactly(T2);
        assertThat(store.recent(1, null)).hasSize(1);
    }

    @Test
    void usesTheEarliestSpanWhenTheRootHasNotArrived() {
        TraceStore store = new TraceStore(10, 100);
        store.add(List.of(span(T1, "0000000000000003", "0000000000000001", "late", 7, 8),
                span(T1, "0000000000000002", "0000000000000001", "early", 5, 9)));
        assertThat(store.recent(10, null).get(0).rootName()).isEqualTo("early");
    }

    @Test
    void detailIsDepthFirstWithOffsets() {
        TraceStore store = new TraceStore(10, 100);
        store.add(List.of(
                span(T1, "0000000000000004", "0000000000000002", "grandchild", 1003, 1004),
                span(T1, "0000000000000003", "0000000000000001", "second", 1006, 1008),
                span(T1, "0000000000000002", "0000000000000001", "first", 1002, 1005),
                span(T1, "0000000000000001", null, "root", 1000, 1010),
                span(T1, "0000000000000005", "00000000000000ff", "orphan", 1001, 1002)));

        TraceDetail detail = store.trace(T1.toUpperCase()).orElseThrow();
        assertThat(detail.traceId()).isEqualTo(T1);
        assertThat(detail.spans()).extracting(SpanView::name)
                .containsExactly("root", "first", "grandchild", "second", "orphan");
        assertThat(detail.spans()).extracting(SpanView::depth).containsExactly(0, 1, 2, 1, 0);
        SpanView grandchild = detail.spans().get(2);
        assertThat(grandchild.startOffsetMs()).isEqualTo(3.0);
        assertThat(grandchild.durationMs()).isEqualTo(1.0);
        assertThat(grandchild.parentSpanId()).isEqualTo("0000000000000002");
        assertThat(grandchild.startTimeUnixNano()).isEqualTo("1003000000");
        assertThat(grandchild.resource()).containsEntry("service.name", "bookshop");
        assertThat(detail.spans().get(0).parentSpanId()).isEmpty();
        assertThat(store.trace(T2)).isEmpty();
    }

    @Test
    void showsEventsAndLinksWithJsonReadyValues() {
        TraceStore store = new TraceStore(10, 100);
        store.add(List.of(TestSpans.manual()));

        SpanView span = store.trace(TestSpans.TRACE_ID).orElseThrow().spans().get(0);
        assertThat(span.attributes()).containsEntry("tags", List.of("a", "b"))
                .containsEntry("raw", "AAEC/v8=")
                .containsEntry("nothing", "")
                .containsEntry("nested", Map.of("k", "v", "n", 7L));
        assertThat(span.events()).extracting(SpanView.Event::name).containsExactly("exception", "bare");
        SpanView.Event exception = span.events().get(0);
        assertThat(exception.timeUnixNano()).isEqualTo("1700000000010000000");
        assertThat(exception.offsetMs()).isEqualTo(10.0);
        assertThat(exception.attributes()).containsEntry("exception.message", "boom").containsEntry("retry", 2L);
        assertThat(span.links()).extracting(SpanView.Link::traceId)
                .containsExactly("0af7651916cd43dd8448eb211c80319c", TestSpans.TRACE_ID);
        SpanView.Link link = span.links().get(0);
        assertThat(link.spanId()).isEqualTo("b7ad6b7169203331");
        assertThat(link.traceState()).isEqualTo("vendor=abc");
        assertThat(link.attributes()).containsEntry("link.kind", "follows").containsEntry("weight", 0.25);
    }

    @Test
    void probeSpansHaveNoEventsOrLinks() {
        TraceStore store = new TraceStore(10, 100);
        store.add(List.of(span(T1, "0000000000000001", null, "root", 1000, 1010)));
        SpanView root = store.trace(T1).orElseThrow().spans().get(0);
        assertThat(root.events()).isEmpty();
        assertThat(root.links()).isEmpty();
    }

    @Test
    void evictsTheLeastRecentlyUpdatedTraceByCount() {
        TraceStore store = new TraceStore(2, 100);
        store.add(List.of(span(T1, "0000000000000001", null, "one", 1, 2)));
        store.add(List.of(span(T2, "0000000000000002", null, "two", 3, 4)));
        store.add(List.of(span(T1, "0000000000000003", "0000000000000001", "one-child", 1, 2))); // T1 is fresh again
        store.add(List.of(span(T3, "0000000000000004", null, "three", 5, 6)));

        assertThat(store.traceCount()).isEqualTo(2);
        assertThat(store.trace(T2)).isEmpty();
        assertThat(store.trace(T1)).isPresent();
        assertThat(store.spanCount()).isEqualTo(3);
    }

    @Test
    void evictsOldestTracesToStayWithinTheSpanBudget() {
        TraceStore store = new TraceStore(100, 5);
        store.add(TestSpans.many(4));
        List<Span> big = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            big.add(span(T10, String.format("%016x", 100 + i), null, "s" + i, i, i + 1));
        }
        store.add(big);
        assertThat(store.spanCount()).isEqualTo(5);
        assertThat(store.traceCount()).isEqualTo(3);
        assertThat(store.trace(T10).orElseThrow().spanCount()).isEqualTo(3);

        // One trace larger than the whole budget keeps only what fits.
        List<Span> huge = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            huge.add(span("000000000000000000000000000000ff", String.format("%016x", 200 + i), null, "h", i, i + 1));
        }
        store.add(huge);
        assertThat(store.traceCount()).isEqualTo(1);
        assertThat(store.spanCount()).isEqualTo(5);
        assertThat(store.droppedSpans()).isEqualTo(3);
    }

    @Test
    void isAnExporterAndSafeUnderConcurrency() throws Exception {
        TraceStore store = new TraceStore(50, 1000);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            pool.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    ExportResult r = store.export(TestSpans.many(10)).await().atMost(Duration.ofSeconds(1));
                    assertThat(r.success()).isTrue();
                    store.recent(20, null);
                }
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        assertThat(store.traceCount()).isLessThanOrEqualTo(50);
        assertThat(store.spanCount()).isLessThanOrEqualTo(1000);
        assertThat(store.name()).isEqualTo("memory");
    }
}
