package lookout.service;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.MeterRegistry;
import lookout.cli.Shutdown;
import lookout.config.DetectorSettings;
import lookout.config.KafkaSettings;
import lookout.config.LookoutConfig;
import lookout.config.ModelsSettings;
import lookout.detect.DjlDetector;
import lookout.detect.InferencePool;
import lookout.detect.swap.HotSwap;
import lookout.kafka.KafkaClients;

/**
 * Starts the detector service and, when {@code lookout.models.watch} is on, the hot swap that keeps
 * it on the registry's serving version; remembers the running service for the health checks. Only
 * the serve and demo commands call {@link #start}; other roles never start a topology.
 */
@ApplicationScoped
public class ServiceRuntime {
    @Inject
    MeterRegistry registry;
    @Inject
    Shutdown shutdown;

    private volatile DetectionService current;
    private volatile KafkaClients clients;

    /** Starts the service with these settings; it is closed on shutdown. Blocks for topics, model loading and warm-up. */
    public DetectionService start(KafkaSettings kafka, DetectorSettings settings) {
        KafkaClients clients = new KafkaClients(kafka);
        this.clients = clients;
        DetectionService service = new DetectionService(settings, clients, registry, DjlDetector::load,
                Clock.systemUTC());
        shutdown.register(service);
        current = service;
        service.start();
        ModelsSettings models = LookoutConfig.current().models();
        if (models.watch()) {
            // registered after the service: closed first
            HotSwap swap = shutdown.register(HotSwap.start(clients, service.pool(),
                    InferencePool.workerDevices(settings.devices(), settings.workersPerDevice()), service.metrics(),
                    models.cacheDir()));
            service.followRegistry(swap::inStep, swap::alive);
        }
        return service;
    }

    /** The Kafka clients the running service uses (the REST control door sends through them), or null. */
    public KafkaClients clients() {
        return clients;
    }

    /** The running service, or null in roles that do not detect. */
    public DetectionService current() {
        return current;
    }
}
