package lookout.registry;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/** The model registry: published versions and the serving pointer (Kafka in production, in memory in unit tests). */
public interface ModelRegistry {
    /** The registry as it stands now (committed records only). */
    RegistryState snapshot();

    /**
     * Publishes the artifact in dir ({@code model.pt} + {@code model.json}) as the given version.
     *
     * @param serve    when true the serving pointer moves to this version in the same transaction
     * @param previous the version served until now (recorded in the pointer for rollback), or null
     */
    ModelManifest publish(Path dir, String version, boolean serve, String previous) throws Exception;

    /** The records that would publish the artifact in dir as the given version, not yet sent. */
    ModelPublisher.Publication publication(Path dir, String version, boolean serve, String previous) throws Exception;

    /**
     * As {@link #publication(Path, String, boolean, String)}, but with a camera, serve moves that
     * camera's own pointer instead of the general one (previous: the camera's own version before, or
     * null, so a rollback returns it to the general model).
     */
    default ModelPublisher.Publication publication(Path dir, String version, boolean serve, String previous,
            String camera) throws Exception {
        if (camera == null) {
            return publication(dir, version, serve, previous);
        }
        ModelPublisher.Publication p = publication(dir, version, false, null);
        if (!serve) {
            return p;
        }
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(p.records());
        records.add(ModelPublisher.servingRecord(camera,
                new ServingPointer(version, previous, "published", System.currentTimeMillis())));
        return new ModelPublisher.Publication(p.manifest(), records);
    }

    /**
     * Sends records (registry changes, events) in one transaction; with offsets, the consumed
     * position of the command that caused them commits in it too.
     *
     * @param group the consuming group's metadata; null without offsets
     */
    void commit(List<ProducerRecord<String, byte[]>> records, Map<TopicPartition, OffsetAndMetadata> offsets,
            ConsumerGroupMetadata group);

    /** Moves the serving pointer (promote or rollback). */
    void setServing(ServingPointer pointer);

    /**
     * Tombstones all but the newest {@code keep} versions; those a pointer (general or a camera's) names are kept.
     *
     * @return the pruned versions
     */
    List<String> prune(RegistryState state, int keep);
}
