package lookout.live;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestStreamElementType;

import io.smallrye.mutiny.Multi;
import lookout.auth.Role;
import lookout.config.LookoutConfig;

/**
 * The live page's data ({@code /} serves the page itself from {@code META-INF/resources}):
 * {@code GET /live/state} is everything a page needs when it opens, {@code GET /live/events} the
 * server-sent events that keep it current (each event's data is one JSON update). Both carry camera
 * pictures: viewers only, never cached. At most {@code lookout.live.max-pages} streams are open at
 * once; one more is answered 503 (each stream holds a queue of updates on the server).
 */
@Path("/live")
@RolesAllowed(Role.VIEWER_NAME)
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
        return Response.ok(hub.state()).header("Cache-Control", "no-store").build();
    }

    @GET
    @Path("/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.TEXT_PLAIN)
    public Multi<String> events() {
        LiveHub hub = runtime.hub();
        if (hub == null) {
            return Multi.createFrom().empty();
        }
        int max = LookoutConfig.current().liveMaxPages();
        if (!runtime.openPage(max)) {
            throw new WebApplicationException(Response.status(Response.Status.SERVICE_UNAVAILABLE)
                    .header("Retry-After", "10").type(MediaType.APPLICATION_JSON_TYPE)
                    .entity("{\"error\":\"" + max + " live pages are open (lookout.live.max-pages): try again later\"}")
                    .build());
        }
        return hub.updates().onTermination().invoke(runtime::pageClosed);
    }
}
