package lookout.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * The detector's details in the health answers (the roles' verdicts: {@link lookout.cli.RoleHealth}).
 * /q/health/ready: model loaded and warmed up, Kafka Streams RUNNING, and serving the registry's
 * serving version (see {@link DetectionService#ready()}). /q/health/live: streams not dead.
 */
public final class ServiceHealth {
    private ServiceHealth() {
    }

    static HealthCheckResponseBuilder describe(String name, DetectionService s) {
        HealthCheckResponseBuilder b = HealthCheckResponse.named(name);
        if (s == null) {
            return b.withData("detector", "not started");
        }
        b.withData("modelReady", s.modelReady());
        b.withData("streams", String.valueOf(s.streamsState()));
        b.withData("servingRegistryVersion", s.servingInStep());
        b.withData("modelWatcher", s.watcherAlive() ? "following" : "stopped");
        if (s.model() != null) {
            b.withData("model", s.model().name() + " v" + s.model().version());
        }
        return b;
    }

    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {
        @Inject
        ServiceRuntime runtime;

        @Override
        public HealthCheckResponse call() {
            DetectionService s = runtime.current();
            // no detector in this process (or not yet): RoleHealth decides (a starting process is not ready)
            return describe("detector", s).status(s == null || s.ready()).build();
        }
    }

    @Liveness
    @ApplicationScoped
    public static class Live implements HealthCheck {
        @Inject
        ServiceRuntime runtime;

        @Override
        public HealthCheckResponse call() {
            DetectionService s = runtime.current();
            return describe("detector", s).status(s == null || s.alive()).build();
        }
    }
}
