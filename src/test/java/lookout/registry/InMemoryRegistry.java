package lookout.registry;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import lookout.testing.TestKeys;

/** The real publisher over a MockProducer, signing with the test key; snapshots replay what was committed, trusting it. */
public final class InMemoryRegistry implements ModelRegistry {
    final MockProducer<String, byte[]> producer =
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    final ModelPublisher publisher;
    private final int chunkBytes;

    public InMemoryRegistry() {
        this(4096);
    }

    public InMemoryRegistry(int chunkBytes) {
        producer.initTransactions();
        this.chunkBytes = chunkBytes;
        publisher = new ModelPublisher(producer, chunkBytes, TestKeys.signer());
    }

    /** Another writer of the same topic, signing with this signer (null: unsigned): hostile publishes. */
    public ModelPublisher publisher(lookout.trust.ModelSigner signer) {
        return new ModelPublisher(producer, chunkBytes, signer);
    }

    /** Writes records as they are (a hostile writer's own records) in one transaction. */
    public void write(List<ProducerRecord<String, byte[]>> records) {
        publisher.inTransaction(records, Map.of(), null);
    }

    /** Every record written so far, in order (what a reader of lookout.models would see). */
    public List<ProducerRecord<String, byte[]>> history() {
        return producer.history();
    }

    @Override
    public RegistryState snapshot() {
        RegistryState state = new RegistryState(RegistryState.LOGGED, TestKeys.trust());
        for (ProducerRecord<String, byte[]> r : producer.history()) {
            state.apply(r.key(), r.value());
        }
        return state;
    }

    @Override
    public ModelManifest publish(Path dir, String version, boolean serve, String previous) throws Exception {
        return publisher.publish(dir, version, serve, previous);
    }

    @Override
    public ModelPublisher.Publication publication(Path dir, String version, boolean serve, String previous)
            throws Exception {
        return publisher.publication(dir, version, serve, previous);
    }

    @Override
    public void commit(List<ProducerRecord<String, byte[]>> records, Map<TopicPartition, OffsetAndMetadata> offsets,
            ConsumerGroupMetadata group) {
        publisher.inTransaction(records, offsets, group);
    }

    /** Offsets committed with transactions, per group (what a restarted consumer would start from). */
    public List<Map<String, Map<TopicPartition, OffsetAndMetadata>>> committedOffsets() {
        return producer.consumerGroupOffsetsHistory();
    }

    @Override
    public void setServing(ServingPointer pointer) {
        publisher.setServing(pointer);
    }

    @Override
    public List<String> prune(RegistryState state, int keep) {
        return publisher.prune(state, keep);
    }
}
