package lookout.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import lookout.config.KafkaSettings;

/**
 * The one way Lookout configures a Kafka client, for every role and command. A client's
 * properties are layered: the role's tuning, then the operator's {@code kafka.*} keys (security,
 * timeouts, any tuning of their own), then what the role's guarantee rests on and may not be
 * configured away (idempotence and acks=all for producers, read_committed for consumers,
 * transactional and group ids, serializers).
 */
public final class KafkaClients {
    private final KafkaSettings settings;

    public KafkaClients(KafkaSettings settings) {
        this.settings = settings;
    }

    public KafkaSettings settings() {
        return settings;
    }

    public String bootstrapServers() {
        return settings.bootstrapServers();
    }

    /** The layering rule: tuning, then the operator's kafka.* keys, then what the role requires. */
    public Map<String, Object> properties(Map<String, ?> tuning, Map<String, ?> required) {
        Map<String, Object> p = new HashMap<>(tuning);
        p.putAll(settings.clientProperties());
        p.putAll(required);
        return p;
    }

    /** Durable producer: acks=all and idempotent, so a retry neither loses nor duplicates a record. */
    public static Map<String, Object> durable() {
        return Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    }

    /** Producer for the loop's topics; records up to the largest any loop topic takes. */
    public KafkaProducer<String, byte[]> producer(String clientId) {
        return new KafkaProducer<>(producerProperties(clientId, Map.of()), new StringSerializer(), new ByteArraySerializer());
    }

    /** Transactional producer: everything between begin and commit appears at once or never. */
    public KafkaProducer<String, byte[]> transactionalProducer(String transactionalId) {
        return new KafkaProducer<>(transactionalProducerProperties(transactionalId), new StringSerializer(),
                new ByteArraySerializer());
    }

    Map<String, Object> producerProperties(String clientId, Map<String, Object> extra) {
        Map<String, Object> required = new HashMap<>(durable());
        required.put(ProducerConfig.CLIENT_ID_CONFIG, unique(clientId));
        required.putAll(extra);
        int largest = Topics.LOOP.stream().mapToInt(t -> Topics.maxRecordBytes(t, settings.topics())).max().orElseThrow();
        return properties(Map.of(ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.MAX_REQUEST_SIZE_CONFIG, largest),
                required);
    }

    Map<String, Object> transactionalProducerProperties(String transactionalId) {
        return producerProperties(transactionalId, Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 120_000));
    }

    /**
     * Read-committed consumer (aborted or open transactions stay invisible) that commits only when
     * told to. With a null group the caller assigns partitions itself; with a group it starts from
     * the earliest offset the first time.
     */
    public KafkaConsumer<String, byte[]> consumer(String groupId, String clientId) {
        return new KafkaConsumer<>(consumerProperties(groupId, clientId, false), new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    /**
     * A consumer that is this replica's long-lived member of a group (the trainer's control
     * consumer): a static member ({@code group.instance.id} = the replica's name), so a restarted
     * replica takes its partitions back at once, and a session timeout of
     * {@code lookout.group.session-timeout} for one that does not come back.
     */
    public KafkaConsumer<String, byte[]> memberConsumer(String groupId, String clientId) {
        return new KafkaConsumer<>(consumerProperties(groupId, clientId, true), new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    /**
     * A read_committed consumer without group, with small fetches, for following what lands at the
     * end of a topic (the detector's frame tail).
     */
    public KafkaConsumer<byte[], byte[]> tailConsumer(String clientId) {
        return new KafkaConsumer<>(consumerProperties(null, clientId, false, 1024 * 1024), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    Map<String, Object> consumerProperties(String groupId, String clientId, boolean member) {
        return consumerProperties(groupId, clientId, member, 8 * 1024 * 1024);
    }

    private Map<String, Object> consumerProperties(String groupId, String clientId, boolean member,
            int partitionFetchBytes) {
        Map<String, Object> required = new HashMap<>();
        required.put(ConsumerConfig.CLIENT_ID_CONFIG, unique(clientId));
        required.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        required.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        if (groupId != null) {
            required.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        Map<String, Object> tuning = new HashMap<>(Map.of(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                partitionFetchBytes, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
        if (member) {
            tuning.putAll(membership(""));
            required.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, settings.group().instanceId());
        }
        return properties(tuning, required);
    }

    /**
     * Group tuning of a long-lived member (the session timeout), under a config prefix (Kafka
     * Streams' {@code main.consumer.}, or none); the operator's {@code kafka.*} keys still win.
     */
    public Map<String, Object> membership(String prefix) {
        return Map.of(prefix + ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) settings.group().sessionTimeout().toMillis());
    }

    /** Admin client (topic creation and checks) that gives up after the timeout with a clear error. */
    Map<String, Object> adminProperties(Duration timeout) {
        return properties(Map.of(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000)),
                Map.of(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis(),
                        AdminClientConfig.CLIENT_ID_CONFIG, unique("lookout-admin")));
    }

    public Admin admin(Duration timeout) {
        return Admin.create(adminProperties(timeout));
    }

    /** Client ids must differ between the clients of one process (metrics register per id). */
    private static String unique(String clientId) {
        return clientId + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
