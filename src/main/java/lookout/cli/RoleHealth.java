package lookout.cli;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Health of whichever role this process runs (detector, live page, camera bridge, trainer,
 * broker), so every role has probes that mean something: {@code /q/health/live} is DOWN when a
 * registered role died, {@code /q/health/ready} is DOWN until a role has registered and while any
 * registered role is not ready (a process still starting is not ready). Each role registers once,
 * before it starts its work. Readiness is also exported as {@code lookout_role_ready{lookout_role}} (1/0),
 * for the alert on a replica that stays unready (the tag is not "role": scrape configs put a "role" label on targets).
 */
@ApplicationScoped
public class RoleHealth {
    record Role(String name, BooleanSupplier alive, BooleanSupplier ready) {
    }

    private final List<Role> roles = new CopyOnWriteArrayList<>();

    @Inject
    MeterRegistry meters;

    /** Registers a role of this process; {@code alive} and {@code ready} are asked at every probe. */
    public void register(String role, BooleanSupplier alive, BooleanSupplier ready) {
        roles.add(new Role(role, alive, ready));
        if (meters != null) {
            Gauge.builder("lookout.role.ready", () -> ready.getAsBoolean() ? 1 : 0).tag("lookout_role", role)
                    .description("1 when this role is ready (its readiness probe passes), else 0").register(meters);
        }
    }

    HealthCheckResponse alive() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("roles");
        boolean up = true;
        for (Role r : roles) {
            boolean a = r.alive().getAsBoolean();
            b.withData(r.name(), a ? "alive" : "dead");
            up &= a;
        }
        return b.status(up).build();
    }

    HealthCheckResponse ready() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("roles");
        if (roles.isEmpty()) {
            return b.withData("role", "starting").down().build();
        }
        boolean up = true;
        for (Role r : roles) {
            boolean ok = r.ready().getAsBoolean();
            b.withData(r.name(), ok ? "ready" : "not ready");
            up &= ok;
        }
        return b.status(up).build();
    }

    @Liveness
    @ApplicationScoped
    public static class Live implements HealthCheck {
        @Inject
        RoleHealth roles;

        @Override
        public HealthCheckResponse call() {
            return roles.alive();
        }
    }

    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {
        @Inject
        RoleHealth roles;

        @Override
        public HealthCheckResponse call() {
            return roles.ready();
        }
    }
}
