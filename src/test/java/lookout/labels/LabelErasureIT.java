package lookout.labels;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import lookout.config.KafkaSettings;
import lookout.config.TopicRetention;
import lookout.dataset.Box;
import lookout.kafka.KafkaClients;
import lookout.kafka.TopicAdmin;
import lookout.kafka.Topics;
import lookout.testing.TestBroker;
import lookout.testing.TestFrames;
import lookout.testing.TestSettings;
import lookout.trainer.LabelsView;
import picocli.CommandLine;

/**
 * Erasure end to end on a real broker: {@code labels erase --camera door} tombstones every sample of
 * that camera; a trainer's labels view drops them at once; after compaction (the topic created with
 * the same settings as production, only in seconds instead of hours) a fresh read of the topic holds
 * no record of them at all, neither image nor tombstone, while the other camera's samples stay.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class LabelErasureIT {
    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    /** Production's labels settings, in seconds: segments roll after 1 s, tombstones last 1 s after compaction. */
    private static KafkaSettings fastCompaction() {
        KafkaSettings k = broker.kafka();
        TopicRetention r = k.topics().retention();
        TopicRetention fast = new TopicRetention(r.frames(), r.detections(), r.cameraStats(), r.deadLetters(),
                r.deadLetterBytes(), r.events(), r.control(), Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1));
        return new KafkaSettings(k.clientProperties(), new lookout.config.TopicSettings(k.topics().partitions(),
                k.topics().replication(), k.topics().frameMaxBytes(), k.topics().modelChunkBytes(), fast), k.group());
    }

    @Test
    void shouldLeaveNoRecordOfAnErasedCameraInAFreshReadAfterCompactionAndNoneInTheTrainersView() throws Exception {
        // Given the labels topic, and labelled frames of two cameras
        TopicAdmin.ensure(fastCompaction(), List.of(Topics.LABELS));
        KafkaClients clients = broker.clients();
        List<String> door = new ArrayList<>();
        List<String> yard = new ArrayList<>();
        try (KafkaProducer<String, byte[]> p = clients.producer("it-labels")) {
            for (int i = 0; i < 12; i++) {
                String camera = i % 3 == 0 ? "yard" : "door";
                String id = camera + "/seq/" + i;
                (camera.equals("door") ? door : yard).add(id);
                byte[] value = LabelCodec.encode(TestFrames.jpeg(64, 48), List.of(new Box(4, 4, 30, 40)), List.of("person"),
                        camera, "it");
                p.send(new ProducerRecord<>(Topics.LABELS, id, value)).get();
            }
        }
        LabelCodec codec = LabelCodec.fromConfig(TestSettings.config());
        try (LabelsView trainer = new LabelsView(clients, codec).start()) {
            trainer.sync(Duration.ofSeconds(60));
            assertThat(trainer.labels().samples("door")).hasSize(door.size());

            // When the operator erases camera door
            int exit = new CommandLine(new LabelsCommand()).execute("erase", "--camera", "door", "--bootstrap-servers",
                    broker.bootstrapServers());
            assertThat(exit).isZero();

            // Then the running trainer no longer sees any of its samples, and keeps the other camera's
            trainer.sync(Duration.ofSeconds(60));
            assertThat(trainer.labels().samples("door")).isEmpty();
            assertThat(trainer.labels().samples("yard")).hasSize(yard.size());
        }

        // and once compaction has run (segments roll on a write: keep writing to every partition), a fresh read
        // of the topic holds no record of door at all: no image, no tombstone
        Set<String> doorIds = new HashSet<>(door);
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        List<ConsumerRecord<String, byte[]>> all = List.of();
        try (KafkaProducer<String, byte[]> p = clients.producer("it-roll")) {
            while (System.nanoTime() < deadline) {
                for (int partition = 0; partition < 3; partition++) {
                    p.send(new ProducerRecord<>(Topics.LABELS, partition, "it/roll/" + partition, null)).get();
                }
                all = readAll(clients);
                if (all.stream().noneMatch(r -> doorIds.contains(r.key()))) {
                    break;
                }
                Thread.sleep(1500);
            }
        }
        assertThat(all.stream().filter(r -> doorIds.contains(r.key())).map(ConsumerRecord::key).toList())
                .as("records of the erased camera left in the topic").isEmpty();
        assertThat(all.stream().filter(r -> r.value() != null).map(ConsumerRecord::key).toList())
                .containsExactlyInAnyOrderElementsOf(yard);

        // and a trainer that starts now builds its data set without them
        try (LabelsView fresh = new LabelsView(clients, codec).start()) {
            fresh.sync(Duration.ofSeconds(60));
            assertThat(fresh.labels().samples()).extracting(LabelSample::id).containsExactlyInAnyOrderElementsOf(yard);
        }
    }

    /** Every record of the labels topic, from its beginning, with a consumer of no group. */
    private static List<ConsumerRecord<String, byte[]>> readAll(KafkaClients clients) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = clients.consumer(null, "it-fresh-" + UUID.randomUUID())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.LABELS).stream()
                    .map(p -> new TopicPartition(Topics.LABELS, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
