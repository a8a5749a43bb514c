package lookout.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import javax.imageio.ImageIO;

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
import lookout.kafka.Topics;
import lookout.testing.AppProcess;
import lookout.testing.Chromium;
import lookout.testing.TestBroker;
import lookout.testing.TestModels;
import lookout.testing.TestUsers;

/**
 * The live page in a real headless Chromium, against the packaged app serving with the tiny model.
 * While 50 cameras send 5 frames/s each (more than the model analyses here: most are answered
 * stale), every camera gets a tile with a picture and the page keeps up (updates drawn within a
 * bounded time of being sent, no camera far behind the server's newest). Then, with two cameras at
 * a rate the model keeps up with, each picture's boxes are those of the detections record of that
 * very frame on {@code lookout.detections} (same count, track ids and numbers; every box read back
 * from the canvas pixels). Before any of it, the page asks for a login, refuses a wrong password
 * (no picture drawn, no state served) and shows the cameras after the right one. Prints the figures
 * it measured.
 */
@Timeout(420)
class LivePageIT {
    static final int CAMERAS = 50;
    static final double FPS = 5;

    @RegisterExtension
    static final TestBroker broker = new TestBroker();
    static final String USER = "vera";
    static final String PASSWORD = "vera's long password";

    @TempDir
    Path tmp;

    private byte[] jpeg;

    @Test
    void shouldShowFiftyCamerasLiveWithTheBoxesOfTheirDetectionsRecords() throws Exception {
        jpeg = frame(TestModels.tinyModelDir().resolve("test.png"));
        Path users = new TestUsers().add(USER, Role.VIEWER, PASSWORD).write(tmp.resolve("users"));
        Map<String, String> env = Map.ofEntries(
                Map.entry("LOOKOUT_AUTH_USERS_FILE", users.toString()),
                Map.entry("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers()),
                Map.entry("LOOKOUT_MODEL_DIR", TestModels.tinyModelDir().toAbsolutePath().toString()),
                Map.entry("LOOKOUT_MODELS_WATCH", "false"),
                // the untrained tiny model scores low: publish and track from lower scores so there are boxes and ids
                Map.entry("LOOKOUT_SCORE_THRESHOLD", "0.3"),
                Map.entry("LOOKOUT_TRACK_HIGH_SCORE", "0.3"),
                Map.entry("LOOKOUT_TRACK_NEW_TRACK_SCORE", "0.3"),
                Map.entry("LOOKOUT_TRACK_LOW_SCORE", "0.1"),
                // 250 frames/s is more than the model does here: answer the backlog as stale soon, frame by
                // frame (under latest-frame every stopped camera's newest frame would be analysed, and the check
                // below that the two cameras still sending show fresh analysed frames would prove little)
                Map.entry("LOOKOUT_MAX_FRAME_AGE", "3s"),
                Map.entry("LOOKOUT_SCHEDULING", "every-frame"),
                Map.entry("LOOKOUT_LIVE_FRAME_BUFFER", "64"),
                Map.entry("LOOKOUT_APPLICATION_ID", "lookout-live-it"));
        AtomicBoolean flowing = new AtomicBoolean(true);
        Map<String, JsonNode> records = new ConcurrentHashMap<>();
        AtomicLong sent = new AtomicLong();
        ScheduledExecutorService cameras = Executors.newScheduledThreadPool(1);
        try (AppProcess app = AppProcess.start("live-page-it", "serve", env).awaitReady(Duration.ofMinutes(3));
                KafkaProducer<String, byte[]> producer = broker.clients().producer("live-it-cameras");
                Chromium chromium = Chromium.launch(1600, 1000)) {
            // Given a consumer of lookout.detections, and 50 cameras sending 5 frames/s each
            Thread reader = new Thread(() -> {
                try (KafkaConsumer<String, byte[]> consumer = broker.consumer(Topics.DETECTIONS)) {
                    while (flowing.get()) {
                        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                            try {
                                JsonNode d = Json.MAPPER.readTree(r.value());
                                records.put(d.get("camera").asText() + "/" + d.get("seq").asLong(), d);
                            } catch (java.io.IOException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    }
                }
            }, "live-it-detections");
            reader.start();
            long start = System.currentTimeMillis();
            var fleet = cameras.scheduleAtFixedRate(() -> send(producer, start, FPS, CAMERAS, sent), 0, (long) (1000 / FPS),
                    TimeUnit.MILLISECONDS);
            // When the page is opened in Chromium (verifying every box against the canvas pixels)
            chromium.navigate(app.url("/?verify=1"));
            logIn(chromium);
            JsonNode check = waitFor(chromium, c -> pictures(c) == CAMERAS, Duration.ofSeconds(120));
            assertThat(pictures(check)).as("cameras with a picture: %s", check).isEqualTo(CAMERAS);
            Thread.sleep(5_000);
            JsonNode first = chromium.evaluate("window.lookout.selfCheck()");
            long t0 = System.nanoTime();
            Thread.sleep(10_000);
            JsonNode last = chromium.evaluate("window.lookout.selfCheck()");
            double seconds = (System.nanoTime() - t0) / 1e9;
            JsonNode state = Json.MAPPER.readTree(app.get("/live/state", USER, PASSWORD));
            chromium.screenshot(Path.of("target/live-page-50-cameras.png"));

            // Then the page keeps up: pictures drawn soon after they are sent, every camera close to the newest
            double picturesPerSecond = (last.get("pictures").asLong() - first.get("pictures").asLong()) / seconds;
            long p95 = last.get("lagMs").get("p95").asLong();
            System.out.printf("live page, %d cameras at %.0f fps (%d frames sent): %.1f pictures/s drawn, %.1f updates/s"
                    + " received, lag send-to-drawn p50 %d ms p95 %d ms max %d ms, %d animation frames/s,"
                    + " server pushed %d updates, %d pages cut off for being too slow%n",
                    CAMERAS, FPS, sent.get(), picturesPerSecond,
                    (last.get("received").asLong() - first.get("received").asLong()) / seconds,
                    last.get("lagMs").get("p50").asLong(), p95, last.get("lagMs").get("max").asLong(),
                    last.get("animationFps").asInt(), state.get("pushed").asLong(), state.get("pagesCutOff").asLong());
            // a bound that says "keeps up" on a loaded 2-core CI machine (the figure itself is printed above and
            // tracked in docs/measured.md: 670 ms p95 measured; 2.4 s seen once with the suite's other JVMs beside it)
            assertThat(p95).as("95th percentile of send-to-drawn time").isLessThan(5_000);
            assertThat(state.get("pagesCutOff").asLong()).as("pages disconnected for falling behind").isZero();
            assertThat(picturesPerSecond).as("pictures drawn per second").isGreaterThan(CAMERAS * 0.5);
            for (JsonNode cam : state.get("cameras")) {
                JsonNode server = cam.get("picture");
                JsonNode page = last.get("cameras").path(cam.get("camera").asText()).path("picture");
                if (server.isNull() || page.isMissingNode()) {
                    continue;
                }
                assertThat(server.get("seq").asLong() - page.get("seq").asLong())
                        .as("%s: frames between the server's newest picture and the page's", cam.get("camera").asText())
                        .isLessThanOrEqualTo((long) (3 * FPS));
            }

            // When the fleet stops and two cameras go on at 2 frames/s, which the model keeps up with
            fleet.cancel(false);
            long restart = System.currentTimeMillis() - (long) ((sent.get() / CAMERAS + 1) * 1000 / 2.0);
            cameras.scheduleAtFixedRate(() -> send(producer, restart, 2, 2, sent), 0, 500, TimeUnit.MILLISECONDS);
            // (a stopped camera whose last frame was analysed before it went stale may show it too: that is right)
            JsonNode analysed = waitFor(chromium, c -> showsAnalysed(c, camera(0)) && showsAnalysed(c, camera(1)),
                    Duration.ofSeconds(120));
            assertThat(showsAnalysed(analysed, camera(0)) && showsAnalysed(analysed, camera(1)))
                    .as("both cameras still sending show an analysed frame with boxes: %s", analysed).isTrue();
            JsonNode now = chromium.evaluate("window.lookout.selfCheck()");
            chromium.screenshot(Path.of("target/live-page-analysed.png"));

            // Then every picture shows its own detections record: same boxes (on the canvas too), people, latency, model
            Thread.sleep(2_000); // the consumer may be a poll behind the page
            int boxes = 0;
            int tracked = 0;
            for (var e : (Iterable<Map.Entry<String, JsonNode>>) now.get("cameras")::fields) {
                JsonNode pic = e.getValue().get("picture");
                JsonNode rec = records.get(e.getKey() + "/" + pic.get("seq").asLong());
                assertThat(rec).as("the record of %s seq %s on lookout.detections", e.getKey(), pic.get("seq")).isNotNull();
                JsonNode items = rec.get("detections");
                assertThat(pic.get("status").asText()).isEqualTo(rec.get("status").asText());
                assertThat(pic.get("boxes").asInt()).as("boxes of %s", e.getKey()).isEqualTo(items.size());
                assertThat(pic.get("boxesOnCanvas").asInt()).as("boxes read back from %s's canvas", e.getKey())
                        .isEqualTo(items.size());
                if ("ok".equals(rec.get("status").asText())) {
                    assertThat(pic.get("people").asInt()).isEqualTo(items.size());
                }
                assertThat(pic.get("latencyMs").asLong()).isEqualTo(rec.get("timings").get("endToEndMs").asLong());
                assertThat(pic.get("model").asText()).isEqualTo(rec.get("model").get("name").asText() + " v"
                        + rec.get("model").get("version").asText());
                for (int i = 0; i < items.size(); i++) {
                    long id = items.get(i).path("trackId").asLong(0);
                    assertThat(pic.get("trackIds").get(i).asLong()).isEqualTo(id);
                    tracked += id > 0 ? 1 : 0;
                }
                boxes += items.size();
            }
            System.out.printf("live page: %d cameras' pictures match their lookout.detections records: %d boxes (%d with a"
                    + " track id) drawn and read back from the canvas%n", now.get("cameras").size(), boxes, tracked);
            assertThat(boxes).as("boxes drawn over all cameras").isPositive();
        } finally {
            cameras.shutdownNow();
            flowing.set(false);
        }
    }

    /**
     * The page asks for a login: a wrong password is refused (the form again, with its message; no
     * tile drawn, /live/state not served to this browser), the right one leads to the page asked for.
     */
    private static void logIn(Chromium chromium) throws Exception {
        JsonNode form = waitForPage(chromium, "/login");
        assertThat(form.get("path").asText()).as("a browser without a session lands on the login form").isEqualTo("/login");
        assertThat(form.get("hasForm").asBoolean()).isTrue();
        submit(chromium, USER, "not " + PASSWORD);
        JsonNode refused = waitForPage(chromium, "/login?error");
        assertThat(refused.get("text").asText()).as("after a wrong password").contains("Wrong user name or password");
        JsonNode probe = chromium.evaluate("(() => { const x = new XMLHttpRequest(); x.open('GET', '/live/state', false);"
                + " x.send(); return {status: x.status, url: x.responseURL, picture: x.responseText.includes('data:image')}; })()");
        assertThat(probe.get("picture").asBoolean()).as("/live/state after a wrong password: %s", probe).isFalse();
        assertThat(probe.get("url").asText()).as("/live/state after a wrong password: %s", probe).contains("/login");
        // (that probe made /live/state the place to return to after the login: ask for the page again)
        chromium.navigate(chromium.evaluate("location.origin").asText() + "/?verify=1");
        waitForPage(chromium, "/login");
        submit(chromium, USER, PASSWORD);
        JsonNode page = waitForPage(chromium, "/?verify=1");
        assertThat(page.get("path").asText() + page.get("search").asText()).as("after the right password")
                .isEqualTo("/?verify=1");
        System.out.printf("live page: login form shown, wrong password refused, right one let %s in%n", USER);
    }

    private static void submit(Chromium chromium, String user, String password) throws Exception {
        chromium.evaluate("(() => { document.getElementById('j_username').value = " + Json.MAPPER.writeValueAsString(user)
                + "; document.getElementById('j_password').value = " + Json.MAPPER.writeValueAsString(password)
                + "; document.getElementById('login').submit(); return true; })()");
    }

    /** Waits until the browser shows this path (+ query) and has loaded it; returns what it shows. */
    private static JsonNode waitForPage(Chromium chromium, String pathAndQuery) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = chromium.evaluate("({path: location.pathname, search: location.search, ready: document.readyState,"
                        + " hasForm: !!document.getElementById('login'), text: document.body ? document.body.innerText : ''})");
            } catch (IllegalStateException e) {
                last = null; // navigating: the old page's context is gone
            }
            if (last != null && (last.get("path").asText() + last.get("search").asText()).equals(pathAndQuery)
                    && "complete".equals(last.get("ready").asText())) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the browser did not show " + pathAndQuery + " within 30 s; it shows " + last);
    }

    static String camera(int c) {
        return String.format("cam-%02d", c);
    }

    /** Sends the frame of this moment for the first {@code count} cameras, numbered from {@code start} at {@code fps}. */
    private void send(KafkaProducer<String, byte[]> producer, long start, double fps, int count, AtomicLong sent) {
        long seq = Math.round((System.currentTimeMillis() - start) * fps / 1000) + 1;
        for (int c = 0; c < count; c++) {
            RecordHeaders h = new RecordHeaders();
            h.add(Topics.HEADER_SEQ, Long.toString(seq).getBytes(StandardCharsets.US_ASCII));
            h.add(Topics.HEADER_TS, Long.toString(System.currentTimeMillis()).getBytes(StandardCharsets.US_ASCII));
            producer.send(new ProducerRecord<>(Topics.FRAMES, null, camera(c), jpeg, h));
            sent.incrementAndGet();
        }
    }

    /** Cameras with a picture. */
    private static int pictures(JsonNode check) {
        int n = 0;
        if (check != null) {
            for (JsonNode cam : check.get("cameras")) {
                n += cam.get("picture").isNull() ? 0 : 1;
            }
        }
        return n;
    }

    private static boolean showsAnalysed(JsonNode check, String camera) {
        JsonNode pic = check == null ? null : check.get("cameras").path(camera).path("picture");
        return pic != null && pic.isObject() && "ok".equals(pic.path("status").asText()) && pic.path("boxes").asInt() > 0;
    }

    private static JsonNode waitFor(Chromium chromium, java.util.function.Predicate<JsonNode> done, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode check = null;
        while (System.nanoTime() < deadline) {
            check = chromium.evaluate("window.lookout && window.lookout.selfCheck()");
            if (check != null && done.test(check)) {
                return check;
            }
            Thread.sleep(1000);
        }
        return check;
    }

    /** The tiny model's own test picture as a camera JPEG. */
    private static byte[] frame(Path png) throws Exception {
        BufferedImage img = ImageIO.read(png.toFile());
        BufferedImage rgb = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        rgb.getGraphics().drawImage(img, 0, 0, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(rgb, "jpg", out);
        return out.toByteArray();
    }
}
