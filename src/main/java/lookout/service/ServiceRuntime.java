package lookout.service;

import java.nio.file.Path;
import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;

import io.micrometer.core.instrument.MeterRegistry;
import lookout.Shutdown;
import lookout.detect.DjlDetector;
import lookout.detect.InferencePool;
import lookout.kafka.Instance;
import lookout.registry.HotSwap;

/**
 * Builds the detector service from configuration and remembers the running one for the health
 * checks. Only the serve and demo commands call {@link #start}; other roles never start a topology.
 */
@ApplicationScoped
public class ServiceRuntime {
    @Inject
    Config config;
    @Inject
    MeterRegistry registry;
    @Inject
    Shutdown shutdown;

    private volatile DetectionService current;

    /**
     * Starts the service against {@code bootstrap} (null = {@code kafka.bootstrap.servers}); it is
     * closed on shutdown. Blocks for topic creation, model loading and warm-up.
     */
    public DetectionService start(String bootstrap) {
        return start(bootstrap, null);
    }

    /** As {@link #start(String)}, with another model directory than {@code lookout.model.dir} (null = that). */
    public DetectionService start(String bootstrap, java.nio.file.Path modelDir) {
        return start(bootstrap, modelDir, java.util.function.UnaryOperator.identity());
    }

    /** As {@link #start(String, java.nio.file.Path)}, with the settings adjusted by the caller (the demo). */
    public DetectionService start(String bootstrap, java.nio.file.Path modelDir,
            java.util.function.UnaryOperator<ServiceSettings> adjust) {
        ServiceSettings settings = ServiceSettings.from(config);
        if (modelDir != null) {
            settings = settings.withModelDir(modelDir);
        }
        settings = adjust.apply(settings);
        DetectionService service = new DetectionService(settings, DetectionService.kafkaProperties(config, bootstrap),
                registry, DjlDetector::load, Clock.systemUTC());
        shutdown.register(service);
        current = service;
        service.start();
        if (config.getOptionalValue("lookout.models.watch", Boolean.class).orElse(true)) {
            // hot swap: follow the registry's serving pointer (registered after the service: closed first)
            String servers = String.valueOf(DetectionService.kafkaProperties(config, bootstrap).get("bootstrap.servers"));
            shutdown.register(HotSwap.start(servers, service.pool(),
                    InferencePool.workerDevices(settings.devices(), settings.workersPerDevice()),
                    settings.scoreThreshold(), registry,
                    Path.of(config.getOptionalValue("lookout.models.cache-dir", String.class).orElse("build/model-cache")),
                    Instance.id()));
        }
        return service;
    }

    /** The running service, or null in roles that do not detect. */
    public DetectionService current() {
        return current;
    }
}
