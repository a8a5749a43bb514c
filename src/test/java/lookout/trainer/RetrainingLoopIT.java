package lookout.trainer;

import static lookout.trainer.LoopFixture.first;
import static lookout.trainer.LoopFixture.importLabels;
import static lookout.trainer.LoopFixture.send;
import static lookout.trainer.LoopFixture.startTrainer;
import static lookout.trainer.LoopFixture.until;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lookout.common.Json;
import lookout.config.DetectorSettings;
import lookout.config.LookoutConfig;
import lookout.config.TrainerSettings;
import lookout.inference.DjlDetector;
import lookout.inference.swap.HotSwap;
import lookout.kafka.KafkaClients;
import lookout.kafka.Topics;
import lookout.registry.KafkaModelRegistry;
import lookout.registry.RegistryState;
import lookout.service.DetectionService;
import lookout.testing.TestBroker;
import lookout.testing.TestKeys;
import lookout.testing.TestModels;
import lookout.testing.TestSettings;

/**
 * The whole loop on a real broker with real models: TUD-Stadtmitte frames 1-90 imported as the
 * camera's labels (TUD-Campus 1-30 as another camera's), a detector serving the tiny model (hot swap
 * on), a trainer; a retrain command ends in "published" (then detections carry the new version) or
 * "rejected" with both scores, on the camera's holdout and on the general holdout (the other camera's).
 */
@Timeout(value = 9, unit = TimeUnit.MINUTES)
class RetrainingLoopIT {
    @RegisterExtension
    static final TestBroker broker = TestBroker.withLoopTopics();
    @TempDir
    Path tmp;

    @Test
    void shouldRetrainOnCameraLabelsAndServeThePublishedModelOrRejectItWithBothScores() throws Exception {
        Path tiny = TestModels.tinyModelDir();
        Path tud = TestModels.dataDir("tud/TUD-Stadtmitte");
        String bs = broker.bootstrapServers();

        // Given the camera's first 90 frames as labels
        importLabels(bs, tud, "tud-stadtmitte", "1-90");
        // and another camera's labels: their held-out frames are the general holdout of this camera's retrain
        Path campus = TestModels.dataDir("tud/TUD-Campus");
        importLabels(bs, campus, "tud-campus", "1-30");

        // and a detector serving the tiny model, following the registry
        LookoutConfig config = TestSettings.config();
        DetectorSettings settings = TestSettings.detector(tiny, "it-loop", 2);
        TrainerSettings configured = config.trainer();
        TrainerSettings trainerSettings = new TrainerSettings(0.2, 0.0, 1, 0.005, 2, "cpu",
                configured.scoreBatchSize(), true, 5, tmp.resolve("work"), tiny, configured.policy(),
                configured.generalTolerance(), configured.generalHoldoutMax());
        KafkaClients clients = broker.clients();
        try (KafkaConsumer<String, byte[]> events = clients.consumer(null, "it-events");
                DetectionService detector = new DetectionService(settings, clients, new SimpleMeterRegistry(),
                        DjlDetector::load, Clock.systemUTC()).start();
                HotSwap hotSwap = HotSwap.start(clients, detector.pool(), List.of("cpu"), detector.factory(), detector.metrics(),
                        tmp.resolve("cache"), TestKeys.trust());
                TrainerService trainer = startTrainer(clients, trainerSettings, settings)) {
            events.assign(List.of(new TopicPartition(Topics.EVENTS, 0)));
            events.seekToBeginning(events.assignment());
            List<JsonNode> seen = new ArrayList<>();

            // When an operator sends a malformed command, then a retrain
            send(clients, Topics.CONTROL, null, "{\"command\":\"retrian\",\"id\":\"typo\"}".getBytes(StandardCharsets.UTF_8));
            until(events, seen, e -> e.get("type").asText().equals("error"), Duration.ofSeconds(60));
            assertThat(first(seen, "error").get("id").asText()).isEqualTo("typo");
            assertThat(first(seen, "error").get("error").asText()).contains("unknown command");
            send(clients, Topics.CONTROL, null, ("{\"command\":\"retrain\",\"epochs\":1,\"camera\":\"tud-stadtmitte\","
                    + "\"id\":\"it-1\"}").getBytes(StandardCharsets.UTF_8));

            // Then the trainer reports each step and ends with published or rejected
            Predicate<JsonNode> ended = e -> "it-1".equals(e.path("id").asText())
                    && List.of("published", "rejected", "failed").contains(e.get("type").asText());
            until(events, seen, ended, Duration.ofMinutes(6));
            JsonNode started = first(seen, "training-started");
            assertThat(started.get("train").asInt() + started.get("holdout").asInt()).isEqualTo(90);
            assertThat(started.get("holdout").asInt()).isBetween(8, 30);
            assertThat(started.get("baseVersion").asText()).isEqualTo("1"); // the seeded registry
            JsonNode epoch = first(seen, "epoch");
            assertThat(epoch.get("loss").asDouble()).isPositive();
            assertThat(epoch.get("losses").size()).isPositive();
            assertThat(epoch.get("gradNorm").get("max").asDouble()).isPositive(); // the real fine-tuner's, before clipping
            assertThat(epoch.get("gradNorm").get("clipped").asInt()).isNotNegative();
            JsonNode evaluated = first(seen, "evaluated");
            assertThat(evaluated.get("candidate").has("ap50")).isTrue();
            assertThat(evaluated.get("current").has("ap50")).isTrue();
            // forgetting is measured on the other camera's held-out frames, never this camera's
            JsonNode general = evaluated.get("general");
            assertThat(general.get("holdout").asInt()).isBetween(1, 15);
            assertThat(general.get("cameras").toString()).isEqualTo("[\"tud-campus\"]");
            assertThat(general.get("candidate").has("ap50") && general.get("current").has("ap50")).isTrue();
            JsonNode end = seen.stream().filter(ended).findFirst().orElseThrow();
            assertThat(end.get("type").asText()).isIn("published", "rejected");
            assertThat(end.has("candidateAp50") && end.has("currentAp50")).isTrue();
            assertThat(end.has("candidateGeneralAp50") && end.has("currentGeneralAp50")).isTrue();
            assertThat(end.get("generalHoldout").asInt()).isEqualTo(general.get("holdout").asInt());
            assertThat(end.get("generalTolerance").asDouble()).isEqualTo(configured.generalTolerance());

            RegistryState registry;
            try (KafkaModelRegistry reader = new KafkaModelRegistry(clients, "it-reader", config.models().chunkBytes(),
                    null, TestKeys.trust())) {
                registry = reader.snapshot();
            }
            if (end.get("type").asText().equals("published")) {
                String version = end.get("version").asText();
                assertThat(version).isEqualTo("2");
                assertThat(registry.serving().version()).isEqualTo("2");
                assertThat(registry.manifest("2").meta().parent()).isEqualTo("1");
                // and every detector swaps to it: later detections carry the new version
                until(events, seen, e -> e.get("type").asText().equals("model-loaded")
                        && e.get("version").asText().equals(version), Duration.ofMinutes(2));
                assertThat(detector.model().version()).isEqualTo(version);
                assertThat(hotSwap.inStep()).as("serving the registry's serving version").isTrue();
                send(clients, Topics.FRAMES, "tud-stadtmitte", java.nio.file.Files.readAllBytes(tud.resolve("img1/000120.jpg")));
                try (KafkaConsumer<String, byte[]> dets = clients.consumer("it-dets", "it-dets")) {
                    dets.subscribe(List.of(Topics.DETECTIONS));
                    JsonNode d = null;
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                    while (d == null && System.nanoTime() < deadline) {
                        for (ConsumerRecord<String, byte[]> r : dets.poll(Duration.ofMillis(300))) {
                            d = Json.MAPPER.readTree(r.value());
                        }
                    }
                    assertThat(d).as("a detections record").isNotNull();
                    assertThat(d.get("model").get("version").asText()).isEqualTo(version);
                }
            } else {
                // an honest rejection: nothing new published, version 1 keeps serving
                assertThat(end.get("reason").asText()).contains("candidate AP50");
                double cameraThreshold = end.get("currentAp50").asDouble() - end.get("tolerance").asDouble();
                if (end.get("candidateAp50").asDouble() >= cameraThreshold) {
                    // it gained (or tied) on the camera: the other camera's holdout refused it
                    assertThat(end.get("reason").asText()).contains("general holdout");
                    assertThat(end.get("candidateGeneralAp50").asDouble()).isLessThan(
                            end.get("currentGeneralAp50").asDouble() - end.get("generalTolerance").asDouble());
                }
                assertThat(registry.versions()).hasSize(1);
                assertThat(registry.serving().version()).isEqualTo("1");
            }
            System.out.printf("RetrainingLoopIT outcome: %s (candidate AP50 %s, current AP50 %s; general holdout of %s "
                    + "frames: candidate %s, current %s)%n", end.get("type").asText(), end.get("candidateAp50"),
                    end.get("currentAp50"), end.get("generalHoldout"), end.get("candidateGeneralAp50"),
                    end.get("currentGeneralAp50"));
        }
    }
}
