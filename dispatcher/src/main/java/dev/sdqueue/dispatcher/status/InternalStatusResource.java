package dev.sdqueue.dispatcher.status;

import io.smallrye.common.annotation.NonBlocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * {@code GET /internal/v1/status/{id}}: what this replica's own store holds for a job, for the other replicas'
 * {@link StatusForwarder}. Never forwards further. Not part of the public API (hidden from the OpenAPI document;
 * keep {@code /internal} away from the public ingress).
 */
@Path("/internal/v1/status")
public class InternalStatusResource {
    @Inject
    StatusLookup lookup;

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(hidden = true)
    @NonBlocking // a local RocksDB read: no worker-thread hop on the hot path of every forwarded lookup
    public Response get(@PathParam("id") String id, @QueryParam("stale") boolean standby) {
        Lookup found = lookup.findHere(id, standby);
        if (found instanceof Lookup.Found local) {
            return Response.ok(local.status(), MediaType.APPLICATION_JSON).build();
        }
        return Response.status(found instanceof Lookup.Missing ? 404 : 503).build();
    }
}
