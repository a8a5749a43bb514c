package lookout.auth;

import java.net.URI;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/** {@code POST /logout}: drops the session cookie and shows the login form again. */
@Path("/logout")
@PermitAll
public class LogoutResource {
    @ConfigProperty(name = "quarkus.http.auth.form.cookie-name")
    String cookieName;

    @POST
    public Response logout() {
        // expire the cookie where the form login set it (path /); SameSite and HttpOnly as Quarkus sets them
        NewCookie gone = new NewCookie.Builder(cookieName).value("").path("/").maxAge(0).httpOnly(true)
                .sameSite(NewCookie.SameSite.STRICT).build();
        return Response.seeOther(URI.create("/login?out")).cookie(gone).build();
    }
}
