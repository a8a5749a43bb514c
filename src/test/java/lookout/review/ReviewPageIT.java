package lookout.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

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
import lookout.detections.DetectionRecord;
import lookout.kafka.Topics;
import lookout.labels.LabelCodec;
import lookout.labels.LabelSample;
import lookout.testing.AppProcess;
import lookout.testing.Chromium;
import lookout.testing.LoginForm;
import lookout.testing.TestBroker;
import lookout.testing.TestFrames;
import lookout.testing.TestModels;
import lookout.testing.TestSettings;
import lookout.testing.TestUsers;

/**
 * The review page in a real headless Chromium against the packaged app ({@code serve} with review on):
 * frames offered on {@code lookout.review} (written here as the picker writes them, with boxes this
 * test knows) are answered with the mouse and keys as an operator would: boxes drawn, moved, resized and
 * deleted, a near miss clicked into a box, "nobody here", a plain accept. Each answer must arrive on
 * {@code lookout.labels} with the right pixels, the picture and the provenance; the page's own count of
 * keys, clicks and drags per frame is the reviewer's effort (targets: accept = 1 key, fixing one wrong
 * box at most 3 actions). The page asks for a login first, and lets only an operator in (a viewer is
 * refused the page and its data). Then hostile answers over HTTP are refused with their reasons.
 */
@Timeout(300)
class ReviewPageIT {
    static final int W = 640;
    static final int H = 480;
    /** Image pixels a box drawn with the mouse may be off by (the canvas is scaled to fit the window). */
    static final float PX = 1.5f;

    @RegisterExtension
    static final TestBroker broker = new TestBroker();
    static final String OPERATOR = "olga";
    static final String PASSWORD = "olga's long password";
    static final String VIEWER = "vera";
    static final String VIEWER_PASSWORD = "vera's long password";

    @TempDir
    Path tmp;

    private final byte[] picture = TestFrames.jpeg(W, H);
    private final LabelCodec codec = LabelCodec.fromConfig(TestSettings.config());

    static DetectionRecord.Item box(float x1, float y1, float x2, float y2, float score) {
        return new DetectionRecord.Item("person", score, new float[] {x1, y1, x2, y2}, null);
    }

    private ReviewItem offer(KafkaProducer<String, byte[]> producer, int seq, List<DetectionRecord.Item> boxes,
            List<ReviewItem.Hint> hints) throws Exception {
        long ts = 1_800_000_000_000L + seq * 60_000L;
        ReviewItem item = new ReviewItem(ReviewItem.idOf("gate", seq, ts), "gate", seq, ts, W, H,
                new DetectionRecord.ModelRef("lookout-tiny", "1"), 0.35f, boxes, hints, List.of("near-threshold:1"),
                1.0, ts + 1_000);
        RecordHeaders h = new RecordHeaders();
        h.add(Topics.HEADER_REVIEW_ITEM, item.toJson());
        producer.send(new ProducerRecord<>(Topics.REVIEW, null, item.id(), picture, h)).get();
        return item;
    }

    @Test
    void shouldTurnAnOperatorsMouseAndKeysIntoLabelsWithTheRightPixels() throws Exception {
        Path users = new TestUsers().add(OPERATOR, Role.OPERATOR, PASSWORD).add(VIEWER, Role.VIEWER, VIEWER_PASSWORD)
                .write(tmp.resolve("users"));
        Map<String, String> env = new HashMap<>(Map.of(
                "LOOKOUT_AUTH_USERS_FILE", users.toString(),
                "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "LOOKOUT_MODEL_DIR", TestModels.tinyModelDir().toAbsolutePath().toString(),
                "LOOKOUT_MODELS_WATCH", "false",
                "LOOKOUT_REVIEW_ENABLED", "true",
                "LOOKOUT_APPLICATION_ID", "lookout-review-page-it"));
        try (AppProcess app = AppProcess.start("review-page-it", "serve", env).awaitReady(Duration.ofMinutes(3));
                KafkaProducer<String, byte[]> producer = broker.clients().producer("review-page-it");
                KafkaConsumer<String, byte[]> labels = broker.consumer(Topics.LABELS);
                Chromium chromium = Chromium.launch(1600, 1000)) {
            // Given six frames offered for review, oldest first
            ReviewItem edit = offer(producer, 1, List.of(box(100, 100, 160, 260, .8f), box(300, 120, 350, 280, .4f),
                    box(480, 200, 540, 380, .6f)), List.of());
            ReviewItem accept = offer(producer, 2, List.of(box(100, 100, 160, 260, .9f), box(300, 120, 350, 280, .5f)),
                    List.of());
            ReviewItem resize = offer(producer, 3, List.of(box(100, 100, 160, 260, .9f), box(300, 120, 350, 240, .4f)),
                    List.of());
            ReviewItem delete = offer(producer, 4, List.of(box(100, 100, 160, 260, .9f), box(420, 20, 470, 90, .38f)),
                    List.of());
            ReviewItem hint = offer(producer, 5, List.of(box(100, 100, 160, 260, .9f)),
                    List.of(new ReviewItem.Hint(0.3f, new float[] {250, 110, 300, 270})));
            ReviewItem nobody = offer(producer, 6, List.of(box(20, 20, 60, 120, .36f)), List.of());
            ReviewItem hostile = offer(producer, 7, List.of(), List.of());
            awaitWaiting(app, 7);

            // a viewer may watch the live page, not review: neither the page nor its data
            assertThat(get(app, "/review.html", VIEWER, VIEWER_PASSWORD).statusCode()).isEqualTo(403);
            assertThat(get(app, "/api/review/items", VIEWER, VIEWER_PASSWORD).statusCode()).isEqualTo(403);
            assertThat(get(app, "/api/review/items/" + edit.id() + "/picture", null, null).statusCode())
                    .as("a picture without credentials").isIn(302, 401);
            chromium.navigate(app.url("/review.html"));
            LoginForm.logIn(chromium, OPERATOR, PASSWORD, "/review.html");
            awaitCurrent(chromium, edit.id());

            // When the operator moves box A, deletes box B, draws a missing person D and presses Enter
            chromium.drag(sx(chromium, 130, 180)[0], sx(chromium, 130, 180)[1], sx(chromium, 150, 190)[0],
                    sx(chromium, 150, 190)[1]);
            double[] b = sx(chromium, 325, 200);
            chromium.click(b[0], b[1]);
            chromium.key("Delete", "Delete", 46);
            double[] d1 = sx(chromium, 400, 50);
            double[] d2 = sx(chromium, 440, 150);
            chromium.drag(d1[0], d1[1], d2[0], d2[1]);
            chromium.screenshot(Path.of("target/review-page-edit.png"));
            chromium.key("Enter", "Enter", 13);
            // Then lookout.labels holds the frame with A moved, C as the model drew it and D, and says so
            LabelSample s = awaitLabel(labels, edit);
            assertThat(s.image()).as("the picture, byte for byte").isEqualTo(picture);
            assertThat(s.camera()).isEqualTo("gate");
            assertThat(s.boxes()).hasSize(3);
            assertBox(s.boxes().get(0), 120, 110, 180, 270, PX);
            assertBox(s.boxes().get(1), 480, 200, 540, 380, 0.01f);
            assertBox(s.boxes().get(2), 400, 50, 440, 150, PX);
            assertThat(s.provenance().accepted()).isEqualTo(1);
            assertThat(s.provenance().moved()).isEqualTo(1);
            assertThat(s.provenance().added()).isEqualTo(1);
            assertThat(s.provenance().deleted()).isEqualTo(1);
            assertThat(s.provenance().reviewer()).as("the logged-in operator").isEqualTo(OPERATOR);

            // When the next frame's boxes are right: one key
            awaitCurrent(chromium, accept.id());
            chromium.key("Enter", "Enter", 13);
            s = awaitLabel(labels, accept);
            assertThat(s.provenance().accepted()).isEqualTo(2);
            assertThat(s.provenance().unchanged()).isTrue();
            assertBox(s.boxes().get(1), 300, 120, 350, 280, 0.01f);

            // When a box is too short: drag its bottom edge down, Enter
            awaitCurrent(chromium, resize.id());
            double[] e1 = sx(chromium, 325, 240);
            double[] e2 = sx(chromium, 325, 285);
            chromium.drag(e1[0], e1[1], e2[0], e2[1]);
            chromium.key("Enter", "Enter", 13);
            s = awaitLabel(labels, resize);
            assertBox(s.boxes().get(1), 300, 120, 350, 285, PX);
            assertThat(s.provenance().moved()).isEqualTo(1);

            // When a box is on nobody: click it, Delete, Enter
            awaitCurrent(chromium, delete.id());
            double[] f = sx(chromium, 445, 55);
            chromium.click(f[0], f[1]);
            chromium.key("Delete", "Delete", 46);
            chromium.key("Enter", "Enter", 13);
            s = awaitLabel(labels, delete);
            assertThat(s.boxes()).hasSize(1);
            assertThat(s.provenance().deleted()).isEqualTo(1);

            // When the model scored a person just under the threshold: click its dotted box, Enter
            awaitCurrent(chromium, hint.id());
            double[] g = sx(chromium, 275, 190);
            chromium.click(g[0], g[1]);
            chromium.key("Enter", "Enter", 13);
            s = awaitLabel(labels, hint);
            assertThat(s.boxes()).hasSize(2);
            assertBox(s.boxes().get(1), 250, 110, 300, 270, 0.01f);
            assertThat(s.provenance().added()).isEqualTo(1);

            // When nobody is there: N
            awaitCurrent(chromium, nobody.id());
            chromium.key("n", "KeyN", 78);
            s = awaitLabel(labels, nobody);
            assertThat(s.boxes()).isEmpty();
            assertThat(s.provenance().nobody()).isTrue();
            assertThat(s.provenance().deleted()).isEqualTo(1);

            // Then the page counted what each frame took
            awaitCurrent(chromium, hostile.id());
            JsonNode stats = chromium.evaluate("window.review.stats()");
            Map<String, JsonNode> perItem = new HashMap<>();
            stats.get("items").forEach(i -> perItem.put(i.get("id").asText(), i));
            String[][] rows = {{edit.id(), "move + delete + draw"}, {accept.id(), "accept"}, {resize.id(), "resize one box"},
                    {delete.id(), "delete one box"}, {hint.id(), "add a near miss"}, {nobody.id(), "nobody here"}};
            for (String[] row : rows) {
                JsonNode i = perItem.get(row[0]);
                System.out.printf("review page effort: %-22s %d actions (%d keys, %d clicks, %d drags)%n", row[1],
                        i.get("actions").asInt(), i.get("keys").asInt(), i.get("clicks").asInt(), i.get("drags").asInt());
            }
            assertThat(perItem.get(accept.id()).get("actions").asInt()).as("accept").isEqualTo(1);
            assertThat(perItem.get(accept.id()).get("keys").asInt()).isEqualTo(1);
            assertThat(perItem.get(resize.id()).get("actions").asInt()).as("fix one wrong box").isLessThanOrEqualTo(3);
            assertThat(perItem.get(delete.id()).get("actions").asInt()).as("delete one wrong box").isLessThanOrEqualTo(3);
            assertThat(perItem.get(hint.id()).get("actions").asInt()).as("add one missed person").isLessThanOrEqualTo(3);
            assertThat(perItem.get(nobody.id()).get("actions").asInt()).as("nobody here").isEqualTo(1);
            assertThat(perItem.get(edit.id()).get("actions").asInt()).isEqualTo(5);

            // Hostile answers over HTTP are refused with their reasons, and the frame still waits
            assertThat(post(app, hostile.id(), "{\"boxes\":[[600,10,700,90]]}")).as("box outside the frame")
                    .satisfies(r -> assertRefused(r, 400, "box-outside-image"));
            assertThat(post(app, ReviewItem.idOf("gate", 99, 0), "{\"boxes\":[]}")).as("an item never offered")
                    .satisfies(r -> assertRefused(r, 404, "unknown-item"));
            assertThat(post(app, accept.id(), "{\"boxes\":[]}")).as("a replayed answer")
                    .satisfies(r -> assertRefused(r, 409, "already-answered"));
            assertThat(post(app, hostile.id(), "{\"boxes\":[[1,1,2]]}")).satisfies(r -> assertRefused(r, 400, "bad-box"));
            assertThat(post(app, hostile.id(), "{\"boxes\":[[10,10,50,90]]}").statusCode()).as("a good answer at last")
                    .isEqualTo(201);
            assertThat(post(app, hostile.id(), "{\"boxes\":[[10,10,50,90]]}")).satisfies(r -> assertRefused(r, 409,
                    "already-answered"));
            assertThat(labelsOf(labels, hostile).boxes()).hasSize(1);
        }
    }

    /** Where an image pixel of the current frame is on the screen. */
    private static double[] sx(Chromium c, double x, double y) throws Exception {
        JsonNode p = c.evaluate("window.review.toScreen(" + x + "," + y + ")");
        return new double[] {p.get("x").asDouble(), p.get("y").asDouble()};
    }

    private static void assertBox(Box b, float x1, float y1, float x2, float y2, float tol) {
        assertThat(b.x1()).isCloseTo(x1, within(tol));
        assertThat(b.y1()).isCloseTo(y1, within(tol));
        assertThat(b.x2()).isCloseTo(x2, within(tol));
        assertThat(b.y2()).isCloseTo(y2, within(tol));
    }

    private static void assertRefused(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        try {
            assertThat(Json.MAPPER.readTree(r.body()).get("error").asText()).isEqualTo(code);
        } catch (java.io.IOException e) {
            throw new AssertionError(r.body(), e);
        }
    }

    private static HttpResponse<String> post(AppProcess app, String id, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(app.url("/api/review/items/" + id)))
                .header("Content-Type", "application/json").header("Authorization", AppProcess.basic(OPERATOR, PASSWORD))
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A GET as this user (basic credentials), or without any (user null); redirects are not followed. */
    private static HttpResponse<String> get(AppProcess app, String path, String user, String password) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app.url(path))).timeout(Duration.ofSeconds(30));
        if (user != null) {
            b.header("Authorization", AppProcess.basic(user, password));
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitWaiting(AppProcess app, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int waiting = -1;
        while (System.nanoTime() < deadline) {
            waiting = Json.MAPPER.readTree(app.get("/api/review/items", OPERATOR, PASSWORD)).get("waiting").asInt();
            if (waiting >= n) {
                return;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("the page's server sees " + waiting + " items waiting, not " + n + ":\n" + app.tail());
    }

    private static void awaitCurrent(Chromium c, String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode cur = null;
        while (System.nanoTime() < deadline) {
            cur = c.evaluate("window.review && window.review.current()");
            if (cur != null && id.equals(cur.path("id").asText())) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the page shows " + cur + ", not " + id);
    }

    private final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

    private LabelSample awaitLabel(KafkaConsumer<String, byte[]> consumer, ReviewItem item) throws Exception {
        return labelsOf(consumer, item);
    }

    private LabelSample labelsOf(KafkaConsumer<String, byte[]> consumer, ReviewItem item) throws Exception {
        String key = ReviewDesk.labelKey(item);
        Predicate<List<ConsumerRecord<String, byte[]>>> has = rs -> rs.stream().anyMatch(r -> key.equals(r.key()));
        if (!has.test(seen)) {
            seen.addAll(TestBroker.readUntil(consumer, rs -> has.test(rs), Duration.ofSeconds(30)));
        }
        ConsumerRecord<String, byte[]> r = seen.stream().filter(x -> key.equals(x.key())).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no label " + key + " on lookout.labels"));
        return codec.parse(r.key(), r.value());
    }
}
