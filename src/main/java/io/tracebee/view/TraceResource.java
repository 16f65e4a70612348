package io.tracebee.view;

import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** Read-only JSON API of the built-in trace view; all logic lives in {@link TraceStore}. */
@Path("/api/traces")
@Produces(MediaType.APPLICATION_JSON)
public class TraceResource {
    private static final int MAX_LIMIT = 1000;

    private final TraceStore store;

    public TraceResource(TraceStore store) {
        this.store = store;
    }

    @GET
    public List<TraceSummary> list(@QueryParam("limit") @DefaultValue("50") int limit,
            @QueryParam("service") String service) {
        return store.recent(Math.max(1, Math.min(limit, MAX_LIMIT)), service);
    }

    @GET
    @Path("{traceId}")
    public TraceDetail get(@PathParam("traceId") String traceId) {
        return store.trace(traceId).orElseThrow(() -> new NotFoundException("no trace " + traceId));
    }
}
