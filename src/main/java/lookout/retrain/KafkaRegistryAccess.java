package lookout.retrain;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.apache.kafka.clients.producer.KafkaProducer;

import lookout.registry.ModelIntegrityException;
import lookout.registry.ModelManifest;
import lookout.registry.ModelPublisher;
import lookout.registry.ModelRegistry;
import lookout.registry.RegistryState;
import lookout.registry.ServingPointer;

/** The registry on the broker, written through one transactional producer. */
public final class KafkaRegistryAccess implements RegistryAccess, AutoCloseable {
    private final String bootstrap;
    private final KafkaProducer<String, byte[]> producer;
    private final ModelPublisher publisher;

    public KafkaRegistryAccess(String bootstrap, String transactionalId) {
        this.bootstrap = bootstrap;
        this.producer = ModelRegistry.openProducer(bootstrap, transactionalId);
        this.publisher = new ModelPublisher(producer, ModelPublisher.DEFAULT_CHUNK_SIZE);
    }

    @Override
    public RegistryState snapshot() {
        return ModelRegistry.snapshot(bootstrap, Duration.ofMinutes(2));
    }

    @Override
    public synchronized ModelManifest publish(Path dir, String version, boolean serve, String previous)
            throws java.io.IOException, ModelIntegrityException {
        return publisher.publish(dir, version, serve, previous);
    }

    @Override
    public synchronized void setServing(ServingPointer pointer) {
        publisher.setServing(pointer);
    }

    @Override
    public synchronized List<String> prune(RegistryState state, int keep) {
        return publisher.prune(state, keep);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
