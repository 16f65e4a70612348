package io.tracebee.span;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The spans of one trace arranged by parent: roots (no parent, or a parent not among the spans) and
 * each span's children, all ordered by start time. Shared by everything that shows a trace as a tree.
 */
public final class SpanTree {
    private static final Comparator<Span> BY_START = Comparator.comparingLong(Span::startEpochNanos);

    private final List<Span> roots;
    private final Map<String, List<Span>> children;

    private SpanTree(List<Span> roots, Map<String, List<Span>> children) {
        this.roots = roots;
        this.children = children;
    }

    public static SpanTree of(List<Span> spans) {
        Set<String> ids = new HashSet<>();
        for (Span s : spans) {
            ids.add(s.spanIdHex());
        }
        List<Span> roots = new ArrayList<>();
        Map<String, List<Span>> children = new HashMap<>();
        for (Span s : spans) {
            String parent = s.parentSpanIdHex();
            if (parent.isEmpty() || !ids.contains(parent) || parent.equals(s.spanIdHex())) {
                roots.add(s);
            } else {
                children.computeIfAbsent(parent, k -> new ArrayList<>()).add(s);
            }
        }
        roots.sort(BY_START);
        children.values().forEach(c -> c.sort(BY_START));
        return new SpanTree(roots, children);
    }

    public List<Span> roots() {
        return roots;
    }

    public List<Span> children(Span parent) {
        return children.getOrDefault(parent.spanIdHex(), List.of());
    }
}
