package lookout.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import lookout.config.GroupSettings;
import lookout.config.KafkaSettings;
import lookout.config.LookoutConfig;
import lookout.config.TopicSettings;

/**
 * One configuration path for every Kafka client: whatever a role builds, the operator's security
 * settings and bootstrap servers are in it, and no class builds a client another way.
 */
class KafkaClientsTest {
    static final Map<String, Object> SECURITY = Map.of("bootstrap.servers", "kafka-1:9093",
            "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";",
            "ssl.truststore.location", "/etc/lookout/truststore.p12", "ssl.truststore.password", "secret");
    static final KafkaClients CLIENTS = new KafkaClients(new KafkaSettings(SECURITY,
            new TopicSettings(4, (short) 3, 8_388_608, 524_288), new GroupSettings("replica-a", Duration.ofSeconds(10))));

    /** Every configuration a role's client is built from, by what builds it. */
    static Map<String, Map<String, Object>> everyClient() {
        return Map.of(
                "producer (events, labels import/delete, control send, REST)", CLIENTS.producerProperties("p", Map.of()),
                "transactional producer (registry: trainer, models CLI, REST)", CLIENTS.transactionalProducerProperties("t"),
                "consumer (followers: model watcher, labels view, snapshots, control events)",
                CLIENTS.consumerProperties(null, "c", false),
                "group member (trainer's control consumer)", CLIENTS.consumerProperties("lookout-trainer", "c", true),
                "admin (topic creation and checks, every role)", CLIENTS.adminProperties(Duration.ofSeconds(5)));
    }

    @Test
    void shouldGiveEveryClientTheOperatorsSecurityAndBootstrap() {
        everyClient().forEach((what, props) -> assertThat(props).as(what).containsAllEntriesOf(SECURITY));
    }

    @Test
    void shouldMakeTheTrainerAStaticGroupMemberWithTheConfiguredSessionTimeout() {
        assertThat(CLIENTS.consumerProperties("lookout-trainer", "c", true))
                .containsEntry("group.instance.id", "replica-a").containsEntry("session.timeout.ms", 10_000)
                .containsEntry("isolation.level", "read_committed").containsEntry("enable.auto.commit", false);
        assertThat(CLIENTS.consumerProperties("g", "c", false)).doesNotContainKey("group.instance.id");
    }

    @Test
    void shouldCreateEveryTopicWithTheConfiguredReplication() {
        System.setProperty("lookout.topics.replication", "3");
        try {
            TopicSettings topics = LookoutConfig.current().kafka().topics();
            for (String t : Stream.concat(Topics.DETECTOR.stream(), Topics.LOOP.stream()).toList()) {
                assertThat(Topics.spec(t, topics).replicationFactor()).as(t).isEqualTo((short) 3);
            }
        } finally {
            System.clearProperty("lookout.topics.replication");
        }
    }

    /** The classes that may construct a Kafka client, each from {@link KafkaClients}' properties. */
    static final Set<String> BUILDERS = Set.of("KafkaClients.java", "CameraProducers.java", "DetectionService.java",
            "EmbeddedBroker.java");
    static final Pattern CONSTRUCTION = Pattern.compile(
            "new (KafkaProducer|KafkaConsumer|KafkaStreams)\\s*<?|(Admin|AdminClient)\\.create\\(");

    @Test
    void shouldBuildKafkaClientsOnlyThroughTheOneConfigurationPath() throws IOException {
        Set<String> builders = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                if (CONSTRUCTION.matcher(Files.readString(f)).find()) {
                    builders.add(f.getFileName().toString());
                }
            }
        }
        assertThat(builders).as("classes that construct Kafka clients").isSubsetOf(BUILDERS);
        assertThat(Files.readString(Path.of("src/main/java/lookout/camera/CameraProducers.java")))
                .contains("clients.properties(");
        assertThat(Files.readString(Path.of("src/main/java/lookout/service/DetectionService.java")))
                .contains("clients.properties(");
    }
}
