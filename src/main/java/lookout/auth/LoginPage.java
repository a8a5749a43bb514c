package lookout.auth;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import io.vertx.core.http.HttpServerRequest;

/**
 * {@code GET /login}: the login form (Quarkus's form authentication sends browsers here and posts it
 * to {@code /j_security_check}); {@code ?error} after a refused login: "wrong user name or password",
 * or, when this client's last attempt was refused for too many failures, a 429 saying how long to
 * wait. Plain HTML, no script: the page's
 * Content-Security-Policy allows none inline.
 */
@Path("/login")
@PermitAll
public class LoginPage {
    private static final String TEMPLATE = template();

    @Inject
    UserStore users;

    private static String template() {
        try (InputStream in = LoginPage.class.getResourceAsStream("/lookout/auth/login.html")) {
            if (in == null) {
                throw new IllegalStateException("lookout/auth/login.html is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Response login(@Context UriInfo uri, @Context HttpServerRequest request) {
        // "?error" and "?out" carry no value: their presence is the message
        boolean error = uri.getQueryParameters().containsKey("error");
        boolean out = uri.getQueryParameters().containsKey("out");
        if (error) {
            long wait = users.throttle().lastRefusal(request.remoteAddress() == null ? null
                    : request.remoteAddress().hostAddress());
            if (wait > 0) {
                long seconds = (wait + 999) / 1000;
                return page(429, "Too many failed logins: try again in " + seconds + " s.", false)
                        .header("Retry-After", Long.toString(seconds)).build();
            }
            return page(200, "Wrong user name or password.", false).build();
        }
        return page(200, out ? "Logged out." : null, true).build();
    }

    private static Response.ResponseBuilder page(int status, String message, boolean info) {
        String html = TEMPLATE.replace("<!--message-->", message == null ? ""
                : "<p class=\"message" + (info ? " info" : "") + "\" role=\"alert\">" + message + "</p>");
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("utf-8")).entity(html);
    }
}
