package lookout.service;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import lookout.inference.InferencePool;
import lookout.kafka.TopicAdmin;

/**
 * The detector's details in the health answers (the roles' verdicts: {@link lookout.cli.RoleHealth}).
 * /q/health/ready: able to answer frames, i.e. model loaded and warmed up and Kafka Streams RUNNING
 * (see {@link DetectionService#ready()}); whether the replica serves the registry's serving version
 * is a detail of the answer ({@code registryDivergence}), not its status. /q/health/live: streams
 * not dead and the model watcher following the registry.
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
        String divergence = s.registryDivergence();
        b.withData("registryDivergent", divergence != null);
        if (divergence != null) {
            b.withData("registryDivergence", divergence);
        }
        b.withData("modelWatcher", s.watcherAlive() ? "following" : "stopped");
        if (s.model() != null) {
            b.withData("model", s.model().name() + " v" + s.model().version());
        }
        InferencePool pool = s.pool();
        if (pool != null && !pool.ownModels().isEmpty()) { // cameras served a model of their own
            b.withData("cameraModels", pool.ownModels().stream().sorted()
                    .map(c -> c + " v" + pool.model(c).version()).collect(Collectors.joining(", ")));
        }
        b.withData("topics", topics(TopicAdmin.findings()));
        return b;
    }

    /**
     * What the start-up check found on the topics: "as configured", or each difference (retention
     * longer than configured keeps personal data too long). Data only: the detector still serves.
     */
    static String topics(Map<String, List<String>> findings) {
        List<String> all = findings.values().stream().flatMap(List::stream).toList();
        return all.isEmpty() ? "as configured" : all.size() + " setting(s) differ: " + String.join("; ", all);
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
