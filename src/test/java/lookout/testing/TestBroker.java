package lookout.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import lookout.broker.EmbeddedBroker;
import lookout.config.KafkaSettings;
import lookout.kafka.KafkaClients;
import lookout.kafka.TopicAdmin;
import lookout.kafka.Topics;

/**
 * A real single-node Kafka for a test class, with the app's own client configuration pointed at it:
 * {@code @RegisterExtension static final TestBroker broker = new TestBroker();} starts it before the
 * class and stops it after.
 */
public final class TestBroker implements BeforeAllCallback, AfterAllCallback {
    private final boolean loopTopics;
    private EmbeddedBroker broker;

    /** A broker with no topics yet. */
    public TestBroker() {
        this(false);
    }

    private TestBroker(boolean loopTopics) {
        this.loopTopics = loopTopics;
    }

    /** A broker with the retraining loop's topics already created, as the trainer and detectors create them. */
    public static TestBroker withLoopTopics() {
        return new TestBroker(true);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        broker = EmbeddedBroker.start();
        if (loopTopics) {
            TopicAdmin.ensure(kafka(), Topics.LOOP);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (broker != null) {
            broker.close();
        }
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** The configured Kafka settings, against this broker. */
    public KafkaSettings kafka() {
        return TestSettings.config().kafka().withBootstrapServers(bootstrapServers());
    }

    public KafkaClients clients() {
        return new KafkaClients(kafka());
    }

    /** The configured Kafka settings, against this broker, creating topics with this many partitions. */
    public KafkaSettings kafka(int partitions) {
        KafkaSettings k = kafka();
        return new KafkaSettings(k.clientProperties(), k.topics().withPartitions(partitions), k.group());
    }

    /** Creates a topic as the registry specifies it (a name it does not list is a frames topic), with its own partition count. */
    public void createTopic(String topic, int partitions) {
        TopicAdmin.ensure(kafka(partitions), List.of(topic));
    }

    /** A read_committed consumer of a new group, subscribed to the topics from their beginning. */
    public KafkaConsumer<String, byte[]> consumer(String... topics) {
        KafkaConsumer<String, byte[]> consumer = clients().consumer("test-" + UUID.randomUUID(), "test");
        consumer.subscribe(List.of(topics));
        return consumer;
    }

    /** Reads until the predicate holds for what was read so far, or the timeout. */
    public static List<ConsumerRecord<String, byte[]>> readUntil(KafkaConsumer<String, byte[]> consumer,
            Predicate<List<ConsumerRecord<String, byte[]>>> enough, Duration timeout) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!enough.test(records) && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return records;
    }
}
