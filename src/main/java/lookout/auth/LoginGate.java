package lookout.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * Before Quarkus authenticates a request that carries credentials (a form login post, a basic
 * {@code Authorization} header), answers 429 with {@code Retry-After} when the client address, or for
 * basic credentials the user name, has too many recent failed logins: the password is then not even
 * checked. (A form post's user name is in its body, which Quarkus reads later: a locked name is
 * refused there, and the login page says so with a 429.)
 */
@ApplicationScoped
public class LoginGate {
    /** Runs before authentication (Quarkus's is 200). */
    static final int PRIORITY = 250;
    /** Where the login form posts (Quarkus's form authentication). */
    public static final String FORM_POST = "/j_security_check";

    @Inject
    UserStore users;

    void register(@Observes Filters filters) {
        filters.register(this::filter, PRIORITY);
    }

    private void filter(RoutingContext rc) {
        String address = PasswordIdentityProvider.clientAddress(rc);
        long wait = 0;
        String auth = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            String[] np = basic(auth.substring(6).trim());
            wait = np == null ? users.throttle().addressWait(address) : users.wait(np[0], np[1], address);
        } else if (rc.request().method() == HttpMethod.POST && FORM_POST.equals(rc.normalizedPath())) {
            wait = users.throttle().addressWait(address);
        }
        if (wait <= 0) {
            rc.next();
            return;
        }
        long seconds = (wait + 999) / 1000;
        rc.response().setStatusCode(429)
                .putHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end("Too many failed logins: try again in " + seconds + " s.\n");
    }

    /** {@code [name, password]} of a basic credential, or null when it is not one. */
    static String[] basic(String encoded) {
        try {
            String s = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
            int colon = s.indexOf(':');
            return colon < 0 ? null : new String[] {s.substring(0, colon), s.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
