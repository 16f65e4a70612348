package io.tracebee.control;

import io.tracebee.pipeline.Agent;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;

/** REST control plane: attach, list, inspect and detach targets at runtime. */
@Path("/targets")
@Produces(MediaType.APPLICATION_JSON)
public class TargetResource {
    @Inject
    Agent agent;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response attach(TargetRequest request, @Context UriInfo uri, @Context HttpServerRequest http) {
        TargetView view = agent.targets().attach(request, caller(http));
        return Response.created(uri.getAbsolutePathBuilder().path(view.id()).build()).entity(view).build();
    }

    @GET
    public List<TargetView> list() {
        return agent.targets().list();
    }

    @GET
    @Path("{id}")
    public TargetView get(@PathParam("id") String id) {
        return agent.targets().get(id).orElseThrow(() -> ProblemException.notFound("no-such-target", "no target with id " + id));
    }

    @DELETE
    @Path("{id}")
    public Response detach(@PathParam("id") String id, @Context HttpServerRequest http) {
        if (!agent.targets().detach(id, caller(http))) {
            throw ProblemException.notFound("no-such-target", "no target with id " + id);
        }
        return Response.noContent().build();
    }

    private static String caller(HttpServerRequest http) {
        return http == null || http.remoteAddress() == null ? "unknown caller" : "REST client " + http.remoteAddress();
    }
}
