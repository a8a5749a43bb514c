package lookout.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import lookout.common.Json;
import lookout.dataset.Box;
import lookout.kafka.KafkaClients;
import lookout.kafka.TopicFollower;
import lookout.kafka.Topics;
import lookout.labels.LabelCodec;
import lookout.labels.LabelSet;
import lookout.registry.KafkaModelRegistry;
import lookout.registry.ModelManifest;
import lookout.registry.RegistryState;
import lookout.testing.LookoutProcess;
import lookout.testing.TestBroker;
import lookout.testing.TestKeys;
import lookout.testing.TestFrames;
import lookout.testing.TestModels;
import lookout.testing.TestSettings;

/**
 * The trainer (a real child process running {@code lookout trainer}) is SIGKILLed in the middle of
 * a retrain and started again: the command is run again and completes with exactly one outcome, no
 * label is lost, no model is half-published, and nothing is published twice.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class TrainerCrashIT {
    static final int SAMPLES = 20;
    static final String ID = "crash-1";

    @RegisterExtension
    static final TestBroker broker = TestBroker.withLoopTopics();
    @TempDir
    Path tmp;

    private LookoutProcess startTrainer(Path tiny) {
        Map<String, String> config = new HashMap<>();
        config.put("lookout.model.dir", tiny.toAbsolutePath().toString());
        config.put("lookout.trainer.work-dir", tmp.resolve("work").toString());
        config.put("lookout.instance-id", "trainer-crash-it"); // the same replica after the restart
        config.put("quarkus.http.host-enabled", "false");
        return LookoutProcess.start("trainer", config, Map.of(), "trainer", "--bootstrap-servers",
                broker.bootstrapServers());
    }

    private List<JsonNode> events(KafkaClients clients) {
        List<JsonNode> out = new ArrayList<>();
        TopicFollower.snapshot(clients, "it-events", Topics.EVENTS, Duration.ofMinutes(1), (k, v) -> {
            try {
                out.add(Json.MAPPER.readTree(v));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
        return out;
    }

    private List<JsonNode> awaitEvents(KafkaClients clients, Predicate<JsonNode> until, Duration timeout,
            LookoutProcess trainer) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<JsonNode> seen = events(clients);
            if (seen.stream().anyMatch(until)) {
                return seen;
            }
            assertThat(System.nanoTime()).as("event not seen in %s; trainer log:\n%s", timeout, trainer.tail())
                    .isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    private static boolean of(JsonNode e, String type) {
        return ID.equals(e.path("id").asText()) && type.equals(e.path("type").asText());
    }

    private static boolean outcome(JsonNode e) {
        return of(e, "published") || of(e, "rejected") || of(e, "failed");
    }

    @Test
    void shouldRunAKilledRetrainAgainAndCompleteItOnceWithNothingLostOrPublishedTwice() throws Exception {
        Path tiny = TestModels.tinyModelDir();
        LookoutProcess.assumePackaged();
        KafkaClients clients = broker.clients();
        // Given a camera's labelled frames
        try (KafkaProducer<String, byte[]> p = clients.producer("it-labels")) {
            for (int i = 0; i < SAMPLES; i++) {
                byte[] image = TestFrames.image("jpg", 160 + i, 120);
                int w = 160 + i;
                Box person = new Box(w / 3f, 30, w / 3f + Math.max(1, w / 10f), 90);
                p.send(new ProducerRecord<>(Topics.LABELS, "crash-cam/" + i, LabelCodec.encode(image, List.of(person),
                        List.of("person"), "crash-cam", "it"))).get();
            }
        }
        // When a retrain is running and the trainer is SIGKILLed after its first epoch
        LookoutProcess trainer = startTrainer(tiny);
        try {
            trainer.awaitOutput("waiting for commands", Duration.ofMinutes(2));
            try (KafkaProducer<String, byte[]> p = clients.producer("it-control")) {
                p.send(new ProducerRecord<>(Topics.CONTROL, null, ("{\"command\":\"retrain\",\"epochs\":4,"
                        + "\"camera\":\"crash-cam\",\"id\":\"" + ID + "\"}").getBytes(StandardCharsets.UTF_8))).get();
            }
            awaitEvents(clients, e -> of(e, "epoch"), Duration.ofMinutes(3), trainer);
            long killedAt = System.currentTimeMillis();
            trainer.kill();
            assertThat(events(clients)).as("no outcome before the kill").noneMatch(TrainerCrashIT::outcome);
            // and started again at once
            trainer = startTrainer(tiny);
            List<JsonNode> seen = awaitEvents(clients, TrainerCrashIT::outcome, Duration.ofMinutes(5), trainer);
            long doneAt = System.currentTimeMillis();
            Thread.sleep(3000); // a second outcome would show up now
            seen = events(clients);

            // Then the command ran again and completed exactly once
            List<JsonNode> outcomes = seen.stream().filter(TrainerCrashIT::outcome).toList();
            assertThat(outcomes).as("outcomes of %s", ID).hasSize(1);
            assertThat(seen.stream().filter(e -> of(e, "training-started")).count()).as("started before and after the kill")
                    .isEqualTo(2);
            JsonNode end = outcomes.get(0);
            assertThat(end.get("type").asText()).isIn("published", "rejected");
            // no label lost: the rerun trained and held out all of them
            JsonNode rerun = seen.stream().filter(e -> of(e, "training-started")).reduce((a, b) -> b).orElseThrow();
            assertThat(rerun.get("train").asInt() + rerun.get("holdout").asInt()).isEqualTo(SAMPLES);
            LabelSet labels = new LabelSet(LabelCodec.fromConfig(TestSettings.config()));
            TopicFollower.snapshot(clients, "it-labels-check", Topics.LABELS, Duration.ofMinutes(1), labels::apply);
            assertThat(labels.samples("crash-cam")).hasSize(SAMPLES);
            // no half-published model, nothing published twice
            Map<String, Integer> manifests = new HashMap<>();
            TopicFollower.snapshot(clients, "it-models", Topics.MODELS, Duration.ofMinutes(1), (k, v) -> {
                if (v != null && !k.contains("/") && !k.equals("serving")) {
                    manifests.merge(k, 1, Integer::sum);
                }
            });
            RegistryState registry;
            try (KafkaModelRegistry reader = new KafkaModelRegistry(clients, "it-reader", 4096, null, TestKeys.trust())) {
                registry = reader.snapshot();
            }
            List<String> versions = registry.versions().stream().map(ModelManifest::version).toList();
            assertThat(versions).isEqualTo(end.get("type").asText().equals("published") ? List.of("1", "2") : List.of("1"));
            assertThat(manifests.values()).as("each version's manifest written once").allMatch(n -> n == 1);
            for (String v : versions) {
                registry.assemble(v, tmp.resolve("check-" + v)); // every chunk present, sha256 verified
            }
            // and the command's offset is committed: it is done
            try (Admin admin = clients.admin(Duration.ofSeconds(30))) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(TrainerService.GROUP)
                        .partitionsToOffsetAndMetadata().get();
                assertThat(committed.get(new TopicPartition(Topics.CONTROL, 0)).offset()).isEqualTo(1);
            }
            System.out.printf("TrainerCrashIT: SIGKILL after epoch 1, restart at once: %s %s %.1f s after the kill "
                    + "(%d labels, versions %s, one outcome, offset committed)%n", end.get("type").asText(), ID,
                    (doneAt - killedAt) / 1000.0, SAMPLES, versions);
        } finally {
            trainer.kill();
        }
    }
}
