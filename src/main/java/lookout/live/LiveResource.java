package lookout.live;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestStreamElementType;

import io.smallrye.mutiny.Multi;

/**
 * The live page's data ({@code /} serves the page itself from {@code META-INF/resources}):
 * {@code GET /live/state} is everything a page needs when it opens, {@code GET /live/events} the
 * server-sent events that keep it current (each event's data is one JSON update).
 */
@Path("/live")
public class LiveResource {
    @Inject
    LiveRuntime runtime;

    @GET
    @Path("/state")
    @Produces(MediaType.APPLICATION_JSON)
    public Response state() {
        LiveHub hub = runtime.hub();
        if (hub == null) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE)
                    .entity("{\"error\":\"no live page in this process (it runs with serve and demo, lookout.live.enabled)\"}")
                    .build();
        }
        return Response.ok(hub.state()).build();
    }

    @GET
    @Path("/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.TEXT_PLAIN)
    public Multi<String> events() {
        LiveHub hub = runtime.hub();
        return hub == null ? Multi.createFrom().empty() : hub.updates();
    }
}
