package io.tracebee.export;

import io.tracebee.span.Attributes;
import io.tracebee.span.Resource;
import io.tracebee.span.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Groups a batch by resource, then by instrumentation scope, keeping first-seen order: the shape of
 * OTLP's ResourceSpans/ScopeSpans. Shared by the protobuf and JSON encoders.
 */
final class SpanGroups {

    record ScopeGroup(String scope, List<Span> spans) {
    }

    record ResourceGroup(Resource resource, List<ScopeGroup> scopes) {
    }

    private static final Resource EMPTY_RESOURCE = new Resource(Attributes.empty());

    private SpanGroups() {
    }

    static List<ResourceGroup> group(List<Span> spans) {
        List<ResourceGroup> groups = new ArrayList<>(2);
        Map<Resource, ResourceGroup> byResource = new HashMap<>();
        // Consecutive spans almost always share one Resource instance: check identity before hashing
        // the attribute map.
        Resource lastResource = null;
        ResourceGroup lastGroup = null;
        String lastScope = null;
        ScopeGroup lastScopeGroup = null;
        for (Span span : spans) {
            Resource resource = span.resource() == null ? EMPTY_RESOURCE : span.resource();
            ResourceGroup group;
            if (resource == lastResource) {
                group = lastGroup;
            } else {
                group = byResource.get(resource);
                if (group == null) {
                    group = new ResourceGroup(resource, new ArrayList<>(2));
                    byResource.put(resource, group);
                    groups.add(group);
                }
                lastResource = resource;
                lastGroup = group;
                lastScopeGroup = null;
            }
            String scope = span.scope() == null ? "" : span.scope();
            ScopeGroup scopeGroup;
            if (lastScopeGroup != null && scope.equals(lastScope)) {
                scopeGroup = lastScopeGroup;
            } else {
                scopeGroup = null;
                for (ScopeGroup candidate : group.scopes()) {
                    if (candidate.scope().equals(scope)) {
                        scopeGroup = candidate;
                        break;
                    }
                }
                if (scopeGroup == null) {
                    scopeGroup = new ScopeGroup(scope, new ArrayList<>());
                    group.scopes().add(scopeGroup);
                }
                lastScope = scope;
                lastScopeGroup = scopeGroup;
            }
            scopeGroup.spans().add(span);
        }
        return groups;
    }

}
