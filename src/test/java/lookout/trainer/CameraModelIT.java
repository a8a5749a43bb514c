package lookout.trainer;

import static lookout.trainer.LoopFixture.importLabels;
import static lookout.trainer.LoopFixture.send;
import static lookout.trainer.LoopFixture.startTrainer;
import static lookout.trainer.LoopFixture.until;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

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
 * A camera's model of its own, end to end on a real broker with the tiny model: the gate is set so a
 * camera's candidate passes its own holdout and fails the general one (camera tolerance 1, general
 * tolerance -1), so the trainer publishes it for that camera alone; the detector then runs that
 * camera's frames on it and another camera's on version 1, and a camera rollback returns it to 1.
 */
@Timeout(value = 9, unit = TimeUnit.MINUTES)
class CameraModelIT {
    private static final String CAMERA = "tud-stadtmitte";
    private static final String OTHER = "tud-campus";
    @RegisterExtension
    static final TestBroker broker = TestBroker.withLoopTopics();
    @TempDir
    Path tmp;

    @Test
    void shouldServeACameraRetrainThatCostsTheOthersToThatCameraAloneAndRollItBackToTheGeneralModel() throws Exception {
        Path tiny = TestModels.tinyModelDir();
        Path tud = TestModels.dataDir("tud/TUD-Stadtmitte");
        Path campus = TestModels.dataDir("tud/TUD-Campus");
        String bs = broker.bootstrapServers();
        importLabels(bs, tud, CAMERA, "1-40");
        importLabels(bs, campus, OTHER, "1-30");
        LookoutConfig config = TestSettings.config();
        DetectorSettings settings = TestSettings.detector(tiny, "it-camera-model", 2);
        TrainerSettings configured = config.trainer();
        // Given a gate no candidate passes for everyone (general tolerance -1) and every candidate passes for its camera
        // (no confidence asked of its holdout: the tiny model's candidates are noise)
        TrainerSettings trainerSettings = new TrainerSettings(0.2, 1.0, 1, 0.005, 2, "cpu",
                configured.scoreBatchSize(), true, 5, tmp.resolve("work"), tiny, configured.policy(), -1.0,
                configured.generalHoldoutMax(), 0, 0, 0, true, 0, false);
        KafkaClients clients = broker.clients();
        try (KafkaConsumer<String, byte[]> events = clients.consumer(null, "it-events");
                KafkaConsumer<String, byte[]> detections = clients.consumer(null, "it-detections");
                DetectionService detector = new DetectionService(settings, clients, new SimpleMeterRegistry(),
                        DjlDetector::load, Clock.systemUTC()).start();
                HotSwap hotSwap = HotSwap.start(clients, detector.pool(), List.of("cpu"), detector.factory(),
                        detector.metrics(), tmp.resolve("cache"), TestKeys.trust());
                TrainerService trainer = startTrainer(clients, trainerSettings, settings)) {
            events.assign(List.of(new TopicPartition(Topics.EVENTS, 0)));
            events.seekToBeginning(events.assignment());
            detections.assign(detections.partitionsFor(Topics.DETECTIONS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList());
            detections.seekToBeginning(detections.assignment()); // no frame was sent before this test's
            List<JsonNode> seen = new ArrayList<>();

            // When the camera is retrained
            send(clients, Topics.CONTROL, null, ("{\"command\":\"retrain\",\"epochs\":1,\"camera\":\"" + CAMERA
                    + "\",\"id\":\"cm-1\"}").getBytes(StandardCharsets.UTF_8));
            Predicate<JsonNode> ended = e -> "cm-1".equals(e.path("id").asText())
                    && List.of("published", "rejected", "failed").contains(e.get("type").asText());
            until(events, seen, ended, Duration.ofMinutes(6));

            // Then it is published for that camera alone: the general pointer stays at 1
            JsonNode published = seen.stream().filter(ended).findFirst().orElseThrow();
            assertThat(published.get("type").asText()).as("outcome %s", published).isEqualTo("published");
            assertThat(published.get("scope").asText()).isEqualTo("camera");
            assertThat(published.get("why").asText()).contains(CAMERA).contains("general holdout");
            String version = published.get("version").asText();
            try (KafkaModelRegistry reader = new KafkaModelRegistry(clients, "it-reader", config.models().chunkBytes(),
                    null, TestKeys.trust())) {
                RegistryState registry = reader.snapshot();
                assertThat(registry.serving().version()).isEqualTo("1");
                assertThat(registry.serving(CAMERA).version()).isEqualTo(version);
            }
            until(events, seen, e -> e.get("type").asText().equals("model-loaded")
                    && CAMERA.equals(e.path("camera").asText()) && version.equals(e.path("version").asText()),
                    Duration.ofMinutes(2));
            assertThat(hotSwap.inStep()).isTrue();

            // And the detector runs that camera's frames on it, the other camera's on the general model
            byte[] frame = Files.readAllBytes(tud.resolve("img1/000120.jpg"));
            send(clients, Topics.FRAMES, CAMERA, frame);
            send(clients, Topics.FRAMES, OTHER, frame);
            assertThat(modelOf(detections, CAMERA)).isEqualTo(version);
            assertThat(modelOf(detections, OTHER)).isEqualTo("1");

            // When the camera is rolled back (it has no earlier model of its own), Then it follows version 1 again
            send(clients, Topics.CONTROL, null, ("{\"command\":\"rollback\",\"camera\":\"" + CAMERA
                    + "\",\"id\":\"cm-2\"}").getBytes(StandardCharsets.UTF_8));
            until(events, seen, e -> e.get("type").asText().equals("model-loaded")
                    && "camera-follows-general".equals(e.path("reason").asText()), Duration.ofMinutes(2));
            send(clients, Topics.FRAMES, CAMERA, frame);
            assertThat(modelOf(detections, CAMERA)).isEqualTo("1");
            assertThat(hotSwap.inStep()).isTrue();
        }
    }

    /** Detections records read but not yet asked for. */
    private final List<JsonNode> unread = new ArrayList<>();

    /** The model version of a camera's next detections record. */
    private String modelOf(KafkaConsumer<String, byte[]> detections, String camera) throws Exception {
        Predicate<JsonNode> ofCamera = d -> camera.equals(d.path("camera").asText());
        until(detections, unread, ofCamera, Duration.ofMinutes(2));
        JsonNode d = unread.stream().filter(ofCamera).findFirst().orElseThrow();
        unread.remove(d);
        return d.get("model").get("version").asText();
    }
}
