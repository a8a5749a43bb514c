package lookout.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import lookout.config.KafkaSettings;
import lookout.testing.TestBroker;
import picocli.CommandLine;

/**
 * Retention on a real broker: every topic Lookout creates carries its configured retention (read back
 * from the broker, not from the spec); an existing topic with the broker's default week is reported
 * (the finding behind the WARN line, the gauge and the health data), {@code topics check} fails on it,
 * {@code topics apply} fixes it; {@code topics purge} deletes what a camera's partition holds before a time.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TopicRetentionIT {
    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    /**
     * A topic's configs as the broker describes them. A topic just created may not be in the broker's
     * metadata yet (unknown, or described without configs): asked again until it is, for up to 30 s.
     */
    private static Map<String, String> configsOf(Admin admin, String topic) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                Config c = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic))).all()
                        .get(30, TimeUnit.SECONDS).values().iterator().next();
                Map<String, String> m = new HashMap<>();
                c.entries().forEach(e -> m.put(e.name(), e.value()));
                if (m.containsKey("retention.ms") || System.nanoTime() > deadline) {
                    return m;
                }
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                        || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            Thread.sleep(100);
        }
    }

    /**
     * A topic's configs once {@code key} reads {@code value} (or after 30 s, for the assertion to show): a KRaft
     * broker applies an altered config from its metadata log, so a describe right after the alter can still
     * read the old value.
     */
    private static Map<String, String> configsOnceApplied(Admin admin, String topic, String key, String value)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Map<String, String> m = configsOf(admin, topic);
        while (!value.equals(m.get(key)) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            m = configsOf(admin, topic);
        }
        return m;
    }

    private static int run(PrintStream out, String... args) {
        PrintStream old = System.out;
        System.setOut(out);
        try {
            return new CommandLine(new TopicsCommand()).execute(args);
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void shouldCreateEveryTopicWithItsRetentionAndReportFixAndPurgeExistingOnes() throws Exception {
        KafkaSettings kafka = broker.kafka();
        // Given every topic created as the roles create them
        List<String> mine = new ArrayList<>(Topics.ALL);
        mine.remove(Topics.FRAMES);
        TopicAdmin.ensure(kafka, mine);
        try (Admin admin = broker.clients().admin(Duration.ofSeconds(30))) {
            // and lookout.frames created by someone else with the broker's defaults (a day on this broker)
            admin.createTopics(List.of(new NewTopic(Topics.FRAMES, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            configsOf(admin, Topics.FRAMES); // returns once the broker describes it (before the role's check below)
            // Then each created topic has, on the broker, the retention its spec gives it
            for (String t : mine) {
                Map<String, String> actual = configsOf(admin, t);
                Topics.retention(t, kafka.topics().retention()).forEach((k, v) ->
                        assertThat(actual).as(t + " " + k).containsEntry(k, v));
                if (!t.equals(Topics.MODELS)) {
                    assertThat(Topics.retention(t, kafka.topics().retention())).as(t).isNotEmpty();
                }
            }
            assertThat(configsOf(admin, Topics.DETECTIONS)).containsEntry("retention.ms", "86400000");
            assertThat(configsOf(admin, Topics.LABELS)).containsEntry("cleanup.policy", "compact")
                    .containsEntry("max.compaction.lag.ms", "86400000");

            // When a role starts against the hand-made frames topic, the difference is found and kept for the gauge
            TopicAdmin.ensure(kafka, List.of(Topics.FRAMES));
            assertThat(TopicAdmin.findings().get(Topics.FRAMES)).anyMatch(p -> p.contains("retention.ms=86400000 (1d), "
                    + "configured 3600000 (1h): records are kept longer than configured"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(run(new PrintStream(out, true, StandardCharsets.UTF_8), "check", "--bootstrap-servers",
                    broker.bootstrapServers())).isEqualTo(1);
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("differs: topic lookout.frames has retention.ms");

            // and apply sets the configured retention, after which check passes and the finding is gone
            assertThat(run(System.out, "apply", "--bootstrap-servers", broker.bootstrapServers())).isZero();
            assertThat(configsOnceApplied(admin, Topics.FRAMES, "retention.ms", "3600000"))
                    .containsEntry("retention.ms", "3600000").containsEntry("segment.ms", "900000");
            assertThat(run(System.out, "check", "--bootstrap-servers", broker.bootstrapServers())).isZero();
            TopicAdmin.ensure(kafka, List.of(Topics.FRAMES));
            assertThat(TopicAdmin.findings().get(Topics.FRAMES)).isEmpty();
        }

        // purge: a camera's partition loses what was written before now; another partition keeps its records
        int doorPartition = TopicsCommand.partitionOf("door", 2);
        try (KafkaProducer<String, byte[]> p = broker.clients().producer("it-purge")) {
            for (int i = 0; i < 5; i++) {
                p.send(new ProducerRecord<>(Topics.FRAMES, doorPartition, "door", new byte[] {1})).get();
                p.send(new ProducerRecord<>(Topics.FRAMES, 1 - doorPartition, "other", new byte[] {2})).get();
            }
        }
        assertThat(run(System.out, "purge", "--topic", Topics.FRAMES, "--camera", "door", "--before", "now",
                "--bootstrap-servers", broker.bootstrapServers())).isZero();
        assertThat(run(System.out, "purge", "--topic", Topics.LABELS, "--before", "now", "--bootstrap-servers",
                broker.bootstrapServers())).as("compacted topics are refused").isEqualTo(1);
        try (KafkaConsumer<String, byte[]> c = broker.clients().consumer(null, "it-purge-read")) {
            TopicPartition door = new TopicPartition(Topics.FRAMES, doorPartition);
            TopicPartition other = new TopicPartition(Topics.FRAMES, 1 - doorPartition);
            c.assign(List.of(door, other));
            c.seekToBeginning(List.of(door, other));
            assertThat(c.position(door)).isEqualTo(c.endOffsets(List.of(door)).get(door)); // nothing left to read
            assertThat(c.position(other)).isZero();
        }
    }
}
