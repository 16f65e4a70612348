package io.tracebee.export;

import io.smallrye.mutiny.Uni;
import io.tracebee.span.Attributes;
import io.tracebee.span.Span;
import io.tracebee.span.SpanTree;
import io.tracebee.span.SpanKind;
import io.tracebee.span.StatusCode;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Prints each batch as one indented tree per trace, for a human watching the agent work.
 *
 * <p>Only the spans of the current batch are known: a span whose parent arrived in another batch is
 * printed at the top level. Output per batch is capped at {@link #MAX_LINES} lines.
 */
public final class ConsoleExporter implements SpanExporter {
    static final int MAX_LINES = 2000;
    private static final int MAX_DEPTH = 32;

    private final PrintStream out;

    public ConsoleExporter() {
        this(System.out);
    }

    public ConsoleExporter(PrintStream out) {
        this.out = out;
    }

    @Override
    public String name() {
        return "console";
    }

    @Override
    public Uni<ExportResult> export(List<Span> spans) {
        return Uni.createFrom().item(() -> {
            try {
                String text = render(spans);
                if (!text.isEmpty()) {
                    synchronized (out) {
                        out.print(text);
                        out.flush();
                    }
                }
                return ExportResult.ok();
            } catch (RuntimeException e) {
                return ExportResult.failure(e);
            }
        });
    }

    @Override
    public Uni<Void> shutdown() {
        return Uni.createFrom().voidItem();
    }

    /** The text printed for one batch. */
    static String render(List<Span> spans) {
        StringBuilder sb = new StringBuilder(128 * spans.size());
        Map<String, List<Span>> byTrace = new LinkedHashMap<>();
        for (Span span : spans) {
            byTrace.computeIfAbsent(span.traceIdHex(), k -> new ArrayList<>()).add(span);
        }
        int lines = 0;
        int printed = 0;
        for (Map.Entry<String, List<Span>> trace : byTrace.entrySet()) {
            if (lines >= MAX_LINES) {
                break;
            }
            List<Span> traceSpans = trace.getValue();
            SpanTree tree = SpanTree.of(traceSpans);
            List<Span> roots = tree.roots();
            Set<String> services = new LinkedHashSet<>();
            for (Span s : traceSpans) {
                if (s.resource() != null) {
                    services.add(s.resource().serviceName());
                }
            }
            sb.append("trace ").append(trace.getKey())
                    .append("  service=").append(services.isEmpty() ? "unknown_service" : String.join(",", services))
                    .append("  ").append(traceSpans.size()).append(traceSpans.size() == 1 ? " span" : " spans")
                    .append('\n');
            lines++;

            // Iterative depth-first walk: prefix is the indentation inherited from ancestors.
            record Item(Span span, String prefix, boolean last, int depth) {
            }
            Deque<Item> stack = new ArrayDeque<>();
            for (int i = roots.size() - 1; i >= 0; i--) {
                stack.push(new Item(roots.get(i), "", i == roots.size() - 1, 0));
            }
            Set<String> seen = new HashSet<>();
            while (!stack.isEmpty() && lines < MAX_LINES) {
                Item item = stack.pop();
                if (!seen.add(item.span().spanIdHex())) {
                    continue;
                }
                sb.append(item.prefix()).append(item.last() ? "└─ " : "├─ ");
                describe(item.span(), sb);
                sb.append('\n');
                lines++;
                printed++;
                List<Span> kids = tree.children(item.span());
                if (!kids.isEmpty()) {
                    String childPrefix = item.depth() + 1 >= MAX_DEPTH ? item.prefix()
                            : item.prefix() + (item.last() ? "   " : "│  ");
                    for (int i = kids.size() - 1; i >= 0; i--) {
                        stack.push(new Item(kids.get(i), childPrefix, i == kids.size() - 1, item.depth() + 1));
                    }
                }
            }
        }
        if (printed < spans.size()) {
            sb.append("… ").append(spans.size() - printed).append(" more span(s) not shown\n");
        }
        return sb.toString();
    }

    private static void describe(Span span, StringBuilder sb) {
        sb.append(span.name() == null || span.name().isEmpty() ? "<unnamed>" : span.name());
        SpanKind kind = span.kind() == null ? SpanKind.UNSPECIFIED : span.kind();
        sb.append("  ").append(kind.name());
        double ms = (span.endEpochNanos() - span.startEpochNanos()) / 1e6;
        sb.append("  ").append(String.format(Locale.ROOT, ms < 1 ? "%.3f ms" : "%.1f ms", ms));
        Attributes a = span.attributes() == null ? Attributes.empty() : span.attributes();
        Object code = first(a, "http.response.status_code", "http.status_code");
        if (code != null) {
            sb.append("  ").append(code);
        }
        Object grpc = a.get("rpc.grpc.status_code");
        if (grpc != null) {
            sb.append("  grpc=").append(grpc);
        }
        Object db = first(a, "db.system.name", "db.system");
        if (db != null) {
            sb.append("  ").append(db);
        }
        String peer = kind == SpanKind.SERVER
                ? address(a, "client.address", "client.port", "network.peer.address", "network.peer.port")
                : address(a, "server.address", "server.port", "network.peer.address", "network.peer.port");
        if (peer != null) {
            sb.append("  ").append(peer);
        }
        if (span.statusCode() == StatusCode.ERROR) {
            sb.append("  ERROR");
            if (span.statusMessage() != null && !span.statusMessage().isEmpty()) {
                sb.append(": ").append(span.statusMessage());
            }
        }
    }

    private static Object first(Attributes a, String... keys) {
        for (String key : keys) {
            Object v = a.get(key);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static String address(Attributes a, String host, String port, String fallbackHost, String fallbackPort) {
        Object h = a.get(host);
        Object p = a.get(port);
        if (h == null) {
            h = a.get(fallbackHost);
            p = a.get(fallbackPort);
        }
        if (h == null) {
            return null;
        }
        return p == null ? h.toString() : h + ":" + p;
    }
}
