package lookout.registry;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import lookout.kafka.KafkaClients;
import lookout.kafka.TopicAdmin;
import lookout.kafka.TopicFollower;
import lookout.kafka.Topics;
import lookout.trust.ModelSigner;
import lookout.trust.TrustedKeys;

/**
 * The registry on {@code lookout.models}: snapshots read the compacted topic to its end and keep only
 * manifests signed by a trusted key; writes go through one transactional producer, opened on the
 * first write (a reader never needs one), and models are signed as they are published.
 */
public final class KafkaModelRegistry implements ModelRegistry, AutoCloseable {
    private static final Duration SNAPSHOT_TIMEOUT = Duration.ofMinutes(2);

    private final KafkaClients clients;
    private final String transactionalId;
    private final int chunkBytes;
    private final ModelSigner signer;
    private final TrustedKeys trust;
    private KafkaProducer<String, byte[]> producer;
    private ModelPublisher publisher;

    /**
     * @param transactionalId one per writer: a second writer with the same id fences the first
     * @param chunkBytes      size of the pieces model.pt is cut into
     * @param signer          signs what {@link #publish} writes; null for a writer that publishes no model
     *                        (promote, rollback, prune) or a test of unsigned models
     * @param trust           the keys whose models a snapshot shows (others are skipped with their reason)
     */
    public KafkaModelRegistry(KafkaClients clients, String transactionalId, int chunkBytes, ModelSigner signer,
            TrustedKeys trust) {
        this.clients = clients;
        this.transactionalId = transactionalId;
        this.chunkBytes = chunkBytes;
        this.signer = signer;
        this.trust = trust;
        TopicAdmin.ensure(clients.settings(), List.of(Topics.MODELS));
    }

    /** The registry as it stands now, this writer's own committed writes included (read-your-writes). */
    @Override
    public RegistryState snapshot() {
        RegistryState state = new RegistryState(RegistryState.LOGGED, trust);
        Map<TopicPartition, Long> ownWrites;
        synchronized (this) {
            ownWrites = publisher == null ? Map.of() : publisher.written();
        }
        TopicFollower.snapshot(clients, "lookout-registry-reader", Topics.MODELS, SNAPSHOT_TIMEOUT, ownWrites,
                state::apply);
        return state;
    }

    private synchronized ModelPublisher publisher() {
        if (publisher == null) {
            producer = clients.transactionalProducer(transactionalId);
            producer.initTransactions();
            publisher = new ModelPublisher(producer, chunkBytes, signer);
        }
        return publisher;
    }

    @Override
    public synchronized ModelManifest publish(Path dir, String version, boolean serve, String previous)
            throws IOException, ModelIntegrityException {
        return publisher().publish(dir, version, serve, previous);
    }

    @Override
    public ModelPublisher.Publication publication(Path dir, String version, boolean serve, String previous)
            throws IOException, ModelIntegrityException {
        return publisher().publication(dir, version, serve, previous);
    }

    @Override
    public synchronized void commit(List<ProducerRecord<String, byte[]>> records,
            Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        publisher().inTransaction(records, offsets, group);
    }

    @Override
    public synchronized void setServing(ServingPointer pointer) {
        publisher().setServing(pointer);
    }

    @Override
    public synchronized List<String> prune(RegistryState state, int keep) {
        return publisher().prune(state, keep);
    }

    /**
     * Drops the transactional producer (after it was fenced or failed fatally); the next write
     * opens a new one, which aborts whatever the old one left open.
     */
    public synchronized void reset() {
        if (producer != null) {
            try {
                producer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                // closing a fenced producer may complain; it is being replaced anyway
            }
        }
        producer = null;
        publisher = null;
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
    }
}
