package lookout.registry;

import java.time.Duration;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

import lookout.kafka.KafkaClients;
import lookout.kafka.TopicReader;
import lookout.kafka.Topics;

/** Entry points to the model registry on a broker: snapshot it, or open a transactional publisher. */
public final class ModelRegistry {
    private ModelRegistry() {
    }

    /** The registry as it stands now (committed records only). */
    public static RegistryState snapshot(String bootstrap, Duration timeout) {
        RegistryState state = new RegistryState();
        try (KafkaConsumer<String, byte[]> c = KafkaClients.consumer(bootstrap, null, "lookout-registry-reader")) {
            TopicReader.readToEnd(c, Topics.MODELS, timeout, state::apply);
        }
        return state;
    }

    /** A transactional producer ready for {@link ModelPublisher}; close it when done. */
    public static KafkaProducer<String, byte[]> openProducer(String bootstrap, String transactionalId) {
        KafkaProducer<String, byte[]> p = KafkaClients.transactionalProducer(bootstrap, transactionalId);
        p.initTransactions();
        return p;
    }

    /** The version after the newest one published (versions are integers, "1", "2"...). */
    public static String nextVersion(RegistryState state) {
        long max = 0;
        for (ModelManifest m : state.versions()) {
            try {
                max = Math.max(max, Long.parseLong(m.version()));
            } catch (NumberFormatException e) {
                // non-numeric versions do not take part in numbering
            }
        }
        return String.valueOf(max + 1);
    }
}
