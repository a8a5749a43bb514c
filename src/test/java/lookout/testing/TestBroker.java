package lookout.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    /** With an authorizer: the super user, then the other users; null for a PLAINTEXT broker without authorizer. */
    private final List<String> users;
    private final Map<String, String> passwords = new LinkedHashMap<>();
    private Path tlsDir;
    private TestTls tls;
    private EmbeddedBroker broker;

    /** A broker with no topics yet. */
    public TestBroker() {
        this(false, null);
    }

    private TestBroker(boolean loopTopics, List<String> users) {
        this.loopTopics = loopTopics;
        this.users = users;
    }

    /** A broker with the retraining loop's topics already created, as the trainer and detectors create them. */
    public static TestBroker withLoopTopics() {
        return new TestBroker(true, null);
    }

    /**
     * A broker whose only client listener is SASL_SSL (SCRAM-SHA-512, a CA generated at start) and
     * which runs Kafka's StandardAuthorizer: {@code superUser} may do everything, each of the other
     * users only what ACLs allow (none at start). {@link #kafka()} and {@link #clients()} speak as the
     * super user, {@link #kafka(String)} as any user.
     */
    public static TestBroker withAuthorizer(String superUser, Collection<String> users) {
        List<String> all = new ArrayList<>();
        all.add(superUser);
        all.addAll(users);
        return new TestBroker(false, all);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (users == null) {
            broker = EmbeddedBroker.start();
        } else {
            tlsDir = Files.createTempDirectory("lookout-tls-");
            tls = TestTls.generate(tlsDir);
            for (String u : users) {
                passwords.put(u, "scram-" + UUID.randomUUID());
            }
            broker = EmbeddedBroker.start(0, null, new EmbeddedBroker.Security(tls.keystore(), tls.password(),
                    passwords, List.of(users.get(0))));
        }
        if (loopTopics) {
            TopicAdmin.ensure(kafka(), Topics.LOOP);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (broker != null) {
            broker.close();
        }
        if (tlsDir != null) {
            try (var files = Files.walk(tlsDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /**
     * How a process speaks as this user: the {@code KAFKA_*} environment variables an operator sets
     * (SASL_SSL, SCRAM-SHA-512, the user's JAAS line, the CA's trust store). Empty without an authorizer.
     */
    public Map<String, String> env(String user) {
        if (tls == null) {
            return Map.of();
        }
        String password = passwords.get(user);
        if (password == null) {
            throw new IllegalArgumentException("no user " + user + " on this broker");
        }
        return Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + user + "\" password=\"" + password + "\";",
                "KAFKA_SSL_TRUSTSTORE_LOCATION", tls.truststore().toAbsolutePath().toString(),
                "KAFKA_SSL_TRUSTSTORE_PASSWORD", tls.password(), "KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12");
    }

    /** The configured Kafka settings, against this broker, speaking as this user (see {@link #env}). */
    public KafkaSettings kafka(String user) {
        KafkaSettings k = TestSettings.config().kafka().withBootstrapServers(bootstrapServers());
        Map<String, Object> props = new HashMap<>(k.clientProperties());
        env(user).forEach((key, v) -> props.put(key.substring("KAFKA_".length()).toLowerCase().replace('_', '.'), v));
        return new KafkaSettings(props, k.topics(), k.group());
    }

    public KafkaClients clients(String user) {
        return new KafkaClients(kafka(user));
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** The configured Kafka settings, against this broker (as the super user on a broker with an authorizer). */
    public KafkaSettings kafka() {
        return users == null ? TestSettings.config().kafka().withBootstrapServers(bootstrapServers()) : kafka(users.get(0));
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
