package lookout.auth;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * Form logins ({@code POST /j_security_check}) and basic credentials (REST, Prometheus) against the
 * users file: the identity carries the user's name and every role its role includes.
 */
@ApplicationScoped
public class PasswordIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {
    @Inject
    UserStore users;

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request, AuthenticationRequestContext context) {
        String address = clientAddress(HttpSecurityUtils.getRoutingContextAttribute(request));
        String name = request.getUsername();
        String password = new String(request.getPassword().getPassword());
        return context.runBlocking(() -> {
            UserStore.Outcome outcome = users.login(name, password, address);
            if (outcome instanceof UserStore.Accepted a) {
                return identity(a.user());
            }
            throw new AuthenticationFailedException(outcome instanceof UserStore.Throttled
                    ? "too many failed logins" : "wrong user name or password");
        });
    }

    static SecurityIdentity identity(UsersFile.User user) {
        return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(user.name()))
                .addRoles(user.role().grants()).build();
    }

    /** The client's address as the HTTP layer sees it (behind a proxy: see quarkus.http.proxy.*), or null. */
    static String clientAddress(RoutingContext rc) {
        if (rc == null || rc.request().remoteAddress() == null) {
            return null;
        }
        return rc.request().remoteAddress().hostAddress();
    }
}
