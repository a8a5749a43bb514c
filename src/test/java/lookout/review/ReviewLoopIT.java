package lookout.review;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import lookout.auth.Role;
import lookout.common.Json;
import lookout.dataset.Box;
import lookout.dataset.FrameRange;
import lookout.dataset.LabelledImage;
import lookout.dataset.MotDataset;
import lookout.kafka.Topics;
import lookout.labels.LabelCodec;
import lookout.labels.LabelSample;
import lookout.testing.AppProcess;
import lookout.testing.LookoutProcess;
import lookout.testing.TestBroker;
import lookout.testing.TestModels;
import lookout.testing.TestSettings;
import lookout.testing.TestUsers;

/**
 * The review loop end to end on a real broker with the tiny model: a camera replays TUD-Campus frames
 * into the detector (serve, review on); the picker offers frames on {@code lookout.review}; a simulated
 * reviewer answers each through the page's REST door from the ground truth, as a person would with the
 * page; the labels arrive on {@code lookout.labels} with their provenance; a trainer whose policy counts
 * reviewed labels retrains that camera by itself.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ReviewLoopIT {
    static final String CAMERA = "campus";
    static final int REVIEWED = 8;

    @RegisterExtension
    static final TestBroker broker = TestBroker.withLoopTopics();
    static final String OPERATOR = "otto";
    static final String PASSWORD = "otto's long password";

    @TempDir
    Path tmp;

    @Test
    void shouldTurnPickedFramesIntoReviewedLabelsAndRetrainTheCameraByPolicy() throws Exception {
        Path tiny = TestModels.tinyModelDir().toAbsolutePath();
        List<LabelledImage> frames = MotDataset.load(TestModels.dataDir("tud/TUD-Campus"), FrameRange.ALL);
        Path users = new TestUsers().add(OPERATOR, Role.OPERATOR, PASSWORD).write(tmp.resolve("users"));
        Map<String, String> serve = new HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "LOOKOUT_MODEL_DIR", tiny.toString(),
                "LOOKOUT_MODELS_WATCH", "false",
                "LOOKOUT_SCHEDULING", "every-frame",
                "LOOKOUT_APPLICATION_ID", "lookout-review-loop-it",
                "LOOKOUT_REVIEW_ENABLED", "true",
                // a pick per second of capture time, from any analysed frame: the tiny model is unsure of everything
                "LOOKOUT_REVIEW_BUDGET_PER_HOUR", "3600",
                "LOOKOUT_REVIEW_MIN_GAP", "0s",
                "LOOKOUT_REVIEW_MIN_UNCERTAINTY", "0"));
        serve.put("LOOKOUT_REVIEW_IDLE_FLUSH", "2s");
        serve.put("LOOKOUT_AUTH_USERS_FILE", users.toString());
        Map<String, String> trainer = Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "LOOKOUT_MODEL_DIR", tiny.toString(),
                "LOOKOUT_INSTANCE_ID", "review-loop-trainer",
                "LOOKOUT_TRAINER_EPOCHS", "1",
                "LOOKOUT_TRAINER_WORK_DIR", Path.of("target/review-loop-trainer").toAbsolutePath().toString(),
                "LOOKOUT_TRAINER_POLICY_NEW_REVIEWED_LABELS", String.valueOf(REVIEWED),
                "LOOKOUT_TRAINER_POLICY_CHECK_INTERVAL", "1s");
        LabelCodec codec = LabelCodec.fromConfig(TestSettings.config());
        try (AppProcess app = AppProcess.start("review-loop-serve", "serve", serve).awaitReady(Duration.ofMinutes(3));
                KafkaProducer<String, byte[]> camera = broker.clients().producer("review-loop-camera");
                KafkaConsumer<String, byte[]> labels = broker.consumer(Topics.LABELS);
                KafkaConsumer<String, byte[]> events = broker.consumer(Topics.EVENTS)) {
            // Given a camera sending its frames at 2 per second
            for (int i = 0; i < 30; i++) {
                LabelledImage f = frames.get(i);
                RecordHeaders h = new RecordHeaders();
                h.add(Topics.HEADER_SEQ, String.valueOf(i + 1).getBytes(StandardCharsets.US_ASCII));
                h.add(Topics.HEADER_TS, String.valueOf(System.currentTimeMillis()).getBytes(StandardCharsets.US_ASCII));
                camera.send(new ProducerRecord<>(Topics.FRAMES, null, CAMERA, f.bytes(), h));
                Thread.sleep(500);
            }
            camera.flush();

            // When a reviewer who knows the truth answers the frames offered, through the page's REST door
            Map<String, SimulatedReviewer.Answer> answers = new LinkedHashMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (answers.size() < REVIEWED && System.nanoTime() < deadline) {
                for (JsonNode item : Json.MAPPER.readTree(app.get("/api/review/items?camera=" + CAMERA, OPERATOR, PASSWORD)).get("items")) {
                    ReviewItem it = Json.MAPPER.treeToValue(item, ReviewItem.class);
                    List<Box> offered = it.detections().stream()
                            .map(d -> new Box(d.box()[0], d.box()[1], d.box()[2], d.box()[3])).toList();
                    SimulatedReviewer.Answer a = SimulatedReviewer.answer(offered, frames.get((int) it.seq() - 1).boxes(),
                            it.width(), it.height());
                    List<float[]> boxes = a.boxes().stream().map(b -> new float[] {b.x1(), b.y1(), b.x2(), b.y2()}).toList();
                    HttpResponse<String> r = post(app, it.id(), Json.MAPPER.writeValueAsString(Map.of("boxes", boxes)));
                    assertThat(r.statusCode()).as("answer to %s: %s", it.id(), r.body()).isEqualTo(201);
                    answers.put(ReviewDesk.labelKey(it), a);
                }
                Thread.sleep(500);
            }
            assertThat(answers).as("frames answered").hasSizeGreaterThanOrEqualTo(REVIEWED);

            // Then each answer is a label of that camera, with the truth's boxes and what the reviewer changed
            Map<String, LabelSample> written = new HashMap<>();
            for (ConsumerRecord<String, byte[]> r : TestBroker.readUntil(labels, rs -> rs.size() >= answers.size(),
                    Duration.ofSeconds(60))) {
                written.put(r.key(), codec.parse(r.key(), r.value()));
            }
            assertThat(written.keySet()).containsExactlyInAnyOrderElementsOf(answers.keySet());
            int corrections = 0;
            for (var e : answers.entrySet()) {
                LabelSample s = written.get(e.getKey());
                assertThat(s.camera()).isEqualTo(CAMERA);
                assertThat(s.boxes()).hasSameSizeAs(e.getValue().boxes());
                assertThat(s.provenance().accepted()).as(e.getKey()).isEqualTo(e.getValue().accepted());
                assertThat(s.provenance().reviewer()).isEqualTo(OPERATOR);
                assertThat(s.provenance().accepted() + s.provenance().moved() + s.provenance().added())
                        .isEqualTo(s.boxes().size());
                corrections += s.provenance().moved() + s.provenance().added() + s.provenance().deleted();
            }
            System.out.printf("review loop: %d frames answered from the truth, %d boxes corrected on them%n",
                    answers.size(), corrections);

            // When a trainer runs whose policy retrains a camera after 8 reviewed labels
            try (LookoutProcess t = LookoutProcess.start("review-loop-trainer", Map.of(), trainer, "trainer")) {
                // Then it retrains the camera by itself and says how it ended
                List<JsonNode> seen = new ArrayList<>();
                long until = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                JsonNode outcome = null;
                while (outcome == null && System.nanoTime() < until) {
                    for (ConsumerRecord<String, byte[]> r : events.poll(Duration.ofMillis(500))) {
                        JsonNode e = Json.MAPPER.readTree(r.value());
                        seen.add(e);
                        // the policy's run (not the trainer seeding an empty registry with its base model)
                        if (List.of("published", "rejected", "failed").contains(e.path("type").asText())
                                && e.path("trigger").asText().equals("policy")) {
                            outcome = e;
                        }
                    }
                }
                assertThat(outcome).as("an outcome event; seen %s; trainer log:\n%s", seen, t.tail()).isNotNull();
                JsonNode started = seen.stream().filter(e -> e.path("type").asText().equals("training-started"))
                        .findFirst().orElseThrow();
                assertThat(started.get("trigger").asText()).isEqualTo("policy");
                assertThat(started.get("camera").asText()).isEqualTo(CAMERA);
                assertThat(started.get("train").asInt() + started.get("holdout").asInt()).isEqualTo(answers.size());
                assertThat(outcome.get("camera").asText()).isEqualTo(CAMERA);
                System.out.printf("review loop: the policy retrained %s on %d reviewed labels: %s%n", CAMERA,
                        answers.size(), outcome);
            }
        }
    }

    private static HttpResponse<String> post(AppProcess app, String id, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(app.url("/api/review/items/" + id)))
                .header("Content-Type", "application/json").header("Authorization", AppProcess.basic(OPERATOR, PASSWORD))
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
