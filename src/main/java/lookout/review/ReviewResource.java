package lookout.review;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;

import lookout.auth.Role;

/**
 * The review page's data ({@code /review.html} is the page): {@code GET /api/review/items} the items
 * waiting (without pictures), {@code GET /api/review/items/{id}} one item, {@code .../picture} its
 * picture, {@code POST /api/review/items/{id}} an answer ({@code {"boxes": [[x1,y1,x2,y2], ...],
 * "nobody": false}}), answered 201 with the label's id and provenance, or refused with a status and
 * {@code {"error": code, "detail": ...}}. Operators only: pictures of people, and answers become training data.
 */
@Path("/api/review")
@RolesAllowed(Role.OPERATOR_NAME)
public class ReviewResource {
    @Inject
    ReviewRuntime runtime;

    @GET
    @Path("/items")
    @Produces(MediaType.APPLICATION_JSON)
    public Response items(@QueryParam("camera") String camera) {
        ReviewDesk desk = runtime.desk();
        if (desk == null) {
            return off();
        }
        List<ReviewItem> waiting = desk.waiting(camera);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("waiting", waiting.size());
        out.put("items", waiting);
        return Response.ok(out).header("Cache-Control", "no-store").build();
    }

    @GET
    @Path("/items/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response item(@PathParam("id") String id) {
        ReviewDesk desk = runtime.desk();
        if (desk == null) {
            return off();
        }
        ReviewDesk.Pending p = desk.get(id);
        return p == null ? error(404, "unknown-item", "no review item " + id + " is waiting")
                : Response.ok(p.item()).header("Cache-Control", "no-store").build();
    }

    @GET
    @Path("/items/{id}/picture")
    public Response picture(@PathParam("id") String id) {
        ReviewDesk desk = runtime.desk();
        if (desk == null) {
            return off();
        }
        ReviewDesk.Pending p = desk.get(id);
        if (p == null) {
            return error(404, "unknown-item", "no review item " + id + " is waiting");
        }
        return Response.ok(p.picture(), mediaType(p.picture())).header("Cache-Control", "no-store").build();
    }

    @POST
    @Path("/items/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response answer(@PathParam("id") String id, byte[] body, @Context SecurityContext security) {
        if (runtime.desk() == null) {
            return off();
        }
        String reviewer = security != null && security.getUserPrincipal() != null
                ? security.getUserPrincipal().getName() : "anonymous";
        try {
            ReviewDesk.Accepted a = runtime.answer(id, body, reviewer);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("label", a.labelKey());
            out.put("outcome", a.mark().outcome());
            out.put("provenance", a.sample().provenance());
            out.put("boxes", a.sample().boxes().stream().map(b -> new float[] {b.x1(), b.y1(), b.x2(), b.y2()}).toList());
            return Response.status(201).entity(out).build();
        } catch (ReviewDesk.Refused e) {
            return error(e.status(), e.code(), e.getMessage());
        } catch (IllegalStateException e) {
            return error(503, "not-written", e.getMessage());
        }
    }

    /** What a frame on lookout.frames may be: JPEG, PNG or BMP (the frame decoder accepted it). */
    static String mediaType(byte[] b) {
        if (b.length >= 2 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8) {
            return "image/jpeg";
        }
        if (b.length >= 4 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return "image/png";
        }
        return b.length >= 2 && b[0] == 'B' && b[1] == 'M' ? "image/bmp" : "application/octet-stream";
    }

    private static Response off() {
        return error(503, "review-off", "no review page in this process (serve or demo with lookout.review.enabled=true)");
    }

    private static Response error(int status, String code, String detail) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", code);
        m.put("detail", detail);
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(m).build();
    }
}
