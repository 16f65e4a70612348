package io.tracebee.view;

import io.smallrye.mutiny.Uni;
import io.tracebee.export.ExportResult;
import io.tracebee.export.SpanExporter;
import io.tracebee.span.Attributes;
import io.tracebee.span.Span;
import io.tracebee.span.SpanEvent;
import io.tracebee.span.SpanLink;
import io.tracebee.span.SpanTree;
import io.tracebee.span.StatusCode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * In-memory store of the most recent traces behind the built-in trace view. Bounded by trace count
 * and by total spans; the trace updated longest ago is evicted first. Sits in the exporter fan-out
 * like any other {@link SpanExporter}.
 */
@ApplicationScoped
public class TraceStore implements SpanExporter {
    public static final int DEFAULT_MAX_TRACES = 200;
    public static final int DEFAULT_MAX_SPANS = 20_000;


    /** Mutable per-trace state, guarded by the store's monitor. */
    private static final class StoredTrace {
        final String traceId;
        final List<Span> spans = new ArrayList<>();
        final Set<String> services = new LinkedHashSet<>(2);
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        boolean error;
        Span root;

        StoredTrace(String traceId) {
            this.traceId = traceId;
        }

        void add(Span span) {
            spans.add(span);
            start = Math.min(start, span.startEpochNanos());
            end = Math.max(end, span.endEpochNanos());
            error |= span.statusCode() == StatusCode.ERROR;
            if (span.resource() != null) {
                services.add(span.resource().serviceName());
            }
            if (span.isRoot() && (root == null || span.startEpochNanos() < root.startEpochNanos())) {
                root = span;
            }
        }

        Span rootOrEarliest() {
            if (root != null) {
                return root;
            }
            Span earliest = spans.get(0);
            for (Span s : spans) {
                if (s.startEpochNanos() < earliest.startEpochNanos()) {
                    earliest = s;
                }
            }
            return earliest;
        }

        TraceSummary summary() {
            Span head = rootOrEarliest();
            return new TraceSummary(traceId, head.name(), service(head), List.copyOf(services), start / 1_000_000,
                    (end - start) / 1e6, spans.size(), error);
        }
    }

    private final int maxTraces;
    private final int maxSpans;
    // Insertion order = least recently updated first; guarded by this.
    private final LinkedHashMap<String, StoredTrace> traces = new LinkedHashMap<>();
    private int totalSpans;
    private long droppedSpans;

    @Inject
    public TraceStore(
            @ConfigProperty(name = "tracebee.view.max-traces", defaultValue = "200") int maxTraces,
            @ConfigProperty(name = "tracebee.view.max-spans", defaultValue = "20000") int maxSpans) {
        if (maxTraces <= 0 || maxSpans <= 0) {
            throw new IllegalArgumentException("trace store limits must be positive");
        }
        this.maxTraces = maxTraces;
        this.maxSpans = maxSpans;
    }

    public TraceStore() {
        this(DEFAULT_MAX_TRACES, DEFAULT_MAX_SPANS);
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public Uni<ExportResult> export(List<Span> spans) {
        try {
            add(spans);
            return Uni.createFrom().item(ExportResult.ok());
        } catch (RuntimeException e) {
            return Uni.createFrom().item(ExportResult.failure(e));
        }
    }

    @Override
    public Uni<Void> shutdown() {
        return Uni.createFrom().voidItem();
    }

    public synchronized void add(List<Span> spans) {
        StoredTrace last = null;
        for (Span span : spans) {
            String traceId = span.traceIdHex();
            StoredTrace trace = last != null && last.traceId.equals(traceId) ? last : touch(traceId);
            last = trace;
            if (trace.spans.size() >= maxSpans) {
                droppedSpans++;
                continue;
            }
            trace.add(span);
            totalSpans++;
            evict(trace);
        }
    }

    /** Returns the trace, created or moved to the most-recently-updated end. */
    private StoredTrace touch(String traceId) {
        StoredTrace trace = traces.remove(traceId);
        if (trace == null) {
            trace = new StoredTrace(traceId);
        }
        traces.put(traceId, trace);
        return trace;
    }

    private void evict(StoredTrace keep) {
        Iterator<StoredTrace> oldest = traces.values().iterator();
        while ((traces.size() > maxTraces || totalSpans > maxSpans) && oldest.hasNext()) {
            StoredTrace victim = oldest.next();
            if (victim == keep) {
                continue;
            }
            totalSpans -= victim.spans.size();
            oldest.remove();
        }
    }

    /** Most recent traces first (by start time), optionally only those with a span from {@code service}. */
    public List<TraceSummary> recent(int limit, String service) {
        List<TraceSummary> result = new ArrayList<>();
        synchronized (this) {
            for (StoredTrace trace : traces.values()) {
                if (service == null || service.isEmpty() || trace.services.contains(service)) {
                    result.add(trace.summary());
                }
            }
        }
        result.sort(Comparator.comparingLong(TraceSummary::startEpochMillis).reversed());
        return result.size() > limit ? List.copyOf(result.subList(0, Math.max(limit, 0))) : result;
    }

    public Optional<TraceDetail> trace(String traceId) {
        String id = traceId.toLowerCase(Locale.ROOT);
        List<Span> spans;
        boolean error;
        long start;
        long end;
        synchronized (this) {
            StoredTrace trace = traces.get(id);
            if (trace == null) {
                return Optional.empty();
            }
            spans = new ArrayList<>(trace.spans);
            error = trace.error;
            start = trace.start;
            end = trace.end;
        }
        return Optional.of(new TraceDetail(id, start / 1_000_000, (end - start) / 1e6, spans.size(), error,
                views(spans, start)));
    }

    /** Depth-first order: parents before children, roots and siblings by start time. */
    private static List<SpanView> views(List<Span> spans, long traceStart) {
        SpanTree tree = SpanTree.of(spans);
        List<Span> roots = tree.roots();
        List<SpanView> out = new ArrayList<>(spans.size());
        Set<String> seen = new HashSet<>();
        record Item(Span span, int depth) {
        }
        Deque<Item> stack = new ArrayDeque<>();
        for (int i = roots.size() - 1; i >= 0; i--) {
            stack.push(new Item(roots.get(i), 0));
        }
        while (!stack.isEmpty()) {
            Item item = stack.pop();
            if (!seen.add(item.span().spanIdHex())) {
                continue;
            }
            out.add(view(item.span(), item.depth(), traceStart));
            List<Span> kids = tree.children(item.span());
            for (int i = kids.size() - 1; i >= 0; i--) {
                stack.push(new Item(kids.get(i), item.depth() + 1));
            }
        }
        // Parent cycles (malformed input) are unreachable from any root: show them flat rather than lose them.
        if (out.size() < spans.size()) {
            for (Span s : spans) {
                if (seen.add(s.spanIdHex())) {
                    out.add(view(s, 0, traceStart));
                }
            }
        }
        return out;
    }

    private static SpanView view(Span s, int depth, long traceStart) {
        return new SpanView(
                s.spanIdHex(),
                s.parentSpanIdHex(),
                s.name(),
                s.kind() == null ? "UNSPECIFIED" : s.kind().name(),
                s.scope(),
                service(s),
                Long.toUnsignedString(s.startEpochNanos()),
                Long.toUnsignedString(s.endEpochNanos()),
                (s.startEpochNanos() - traceStart) / 1e6,
                (s.endEpochNanos() - s.startEpochNanos()) / 1e6,
                depth,
                s.statusCode() == null ? StatusCode.UNSET.name() : s.statusCode().name(),
                s.statusMessage() == null ? "" : s.statusMessage(),
                json(s.attributes()),
                s.resource() == null ? Map.of() : json(s.resource().attributes()),
                events(s, traceStart),
                links(s));
    }

    private static List<SpanView.Event> events(Span s, long traceStart) {
        if (s.events().isEmpty()) {
            return List.of();
        }
        List<SpanView.Event> out = new ArrayList<>(s.events().size());
        for (SpanEvent e : s.events()) {
            out.add(new SpanView.Event(e.name(), Long.toUnsignedString(e.epochNanos()),
                    (e.epochNanos() - traceStart) / 1e6, json(e.attributes())));
        }
        return out;
    }

    private static List<SpanView.Link> links(Span s) {
        if (s.links().isEmpty()) {
            return List.of();
        }
        List<SpanView.Link> out = new ArrayList<>(s.links().size());
        for (SpanLink l : s.links()) {
            out.add(new SpanView.Link(l.traceIdHex(), l.spanIdHex(), l.traceState(), json(l.attributes())));
        }
        return out;
    }

    /** Attribute values JSON can show: bytes as base64, key-value lists as objects; the rest as they are. */
    static Map<String, Object> json(Attributes attributes) {
        if (attributes == null) {
            return Map.of();
        }
        Map<String, Object> values = attributes.asMap();
        if (values.values().stream().noneMatch(v -> v instanceof ByteBuffer || v instanceof Attributes)) {
            return values;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, v instanceof ByteBuffer b ? base64(b)
                : v instanceof Attributes nested ? json(nested) : v));
        return out;
    }

    private static String base64(ByteBuffer bytes) {
        byte[] copy = new byte[bytes.remaining()];
        bytes.duplicate().get(copy);
        return Base64.getEncoder().encodeToString(copy);
    }

    private static String service(Span s) {
        return s.resource() == null ? "unknown_service" : s.resource().serviceName();
    }

    public synchronized int traceCount() {
        return traces.size();
    }

    public synchronized int spanCount() {
        return totalSpans;
    }

    /** Spans refused because their trace alone had reached the span limit. */
    public synchronized long droppedSpans() {
        return droppedSpans;
    }

    public synchronized void clear() {
        traces.clear();
        totalSpans = 0;
    }
}
