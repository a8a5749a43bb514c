package lookout.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import lookout.common.Json;
import lookout.config.DetectorSettings;
import lookout.config.LookoutConfig;
import lookout.config.TrainerSettings;
import lookout.frames.FrameDecoder;
import lookout.kafka.KafkaClients;
import lookout.labels.LabelCodec;
import lookout.labels.LabelsCommand;
import lookout.testing.TestKeys;
import lookout.testing.TestSettings;
import picocli.CommandLine;

/**
 * What the loop's broker-backed tests share: importing a sequence's labels, starting a trainer with the
 * real fine-tuner and scorer, sending a record, reading events and detections until one matches.
 */
final class LoopFixture {
    private LoopFixture() {
    }

    /** Imports frames of a MOT sequence as a camera's labels (the operator's `labels import`). */
    static void importLabels(String bootstrap, Path sequence, String camera, String frames) {
        assertThat(new CommandLine(new LabelsCommand()).execute("import", "--format", "mot", sequence.toString(),
                "--camera", camera, "--frames", frames, "--bootstrap-servers", bootstrap)).isZero();
    }

    /** A trainer with the real fine-tuner and scorer on the CPU, signing what it publishes with the test key. */
    static TrainerService startTrainer(KafkaClients clients, TrainerSettings settings, DetectorSettings detector) {
        LookoutConfig config = TestSettings.config();
        FrameDecoder decoder = TestSettings.decoder();
        String person = config.targetClass();
        return new TrainerService(clients, settings, LabelCodec.fromConfig(config), config.models().chunkBytes(),
                new DjlFineTuneTrainer("cpu", person, decoder, 0),
                new DjlModelScorer("cpu", 2, person, detector.scoreThreshold(), decoder))
                .withSigning(TestKeys.signer(), TestKeys.trust()).start();
    }

    static void send(KafkaClients clients, String topic, String key, byte[] value) throws Exception {
        try (KafkaProducer<String, byte[]> p = clients.producer("it")) {
            p.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    /** Reads JSON records (events, detections) into seen until one matches, or fails after the timeout. */
    static List<JsonNode> until(KafkaConsumer<String, byte[]> consumer, List<JsonNode> seen, Predicate<JsonNode> done,
            Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (seen.stream().noneMatch(done)) {
            assertThat(System.nanoTime()).as("record not seen in time; got %s", seen).isLessThan(deadline);
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                seen.add(Json.MAPPER.readTree(r.value()));
            }
        }
        return seen;
    }

    static JsonNode first(List<JsonNode> events, String type) {
        return events.stream().filter(e -> e.get("type").asText().equals(type)).findFirst().orElseThrow();
    }
}
