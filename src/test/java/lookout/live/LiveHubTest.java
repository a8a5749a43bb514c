package lookout.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import lookout.common.Json;
import lookout.config.LiveSettings;
import lookout.detections.DetectionRecord;
import lookout.frames.DecodedImage;
import lookout.testing.TestFrames;
import lookout.testing.TestSettings;

class LiveHubTest {
    private static final long T0 = 1_800_000_000_000L;
    /** 2 updates/s per camera, 64-px thumbnails, 4 frames buffered, a 1-minute chart in 10-s steps. */
    private static final LiveSettings SETTINGS = new LiveSettings(true, 2, 64, 70, 4, Duration.ofMinutes(1),
            Duration.ofSeconds(10), 16L << 20, 64L << 20);

    private final AtomicLong now = new AtomicLong(T0);
    private final LiveHub hub = new LiveHub(SETTINGS, TestSettings.config().frameLimits(), now::get,
            camera -> camera.equals("door") ? new double[] {0, 0.6, 1, 0.6} : null);
    private final List<JsonNode> sent = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() {
        hub.close();
    }

    private void listen() {
        hub.updates().subscribe().with(s -> {
            try {
                sent.add(Json.MAPPER.readTree(s));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static DetectionRecord record(String camera, long seq, int people) {
        List<DetectionRecord.Item> items = new ArrayList<>();
        for (int i = 0; i < people; i++) {
            items.add(new DetectionRecord.Item("person", 0.9f, new float[] {10 * i, 20, 10 * i + 8, 40}, i == 0 ? 7L : null));
        }
        return new DetectionRecord(camera, seq, T0 - 100, 320, 240, new DetectionRecord.ModelRef("m", "3"),
                DetectionRecord.OK, null, items, null, new DetectionRecord.Timings(1.0, 20.0, 1, 150));
    }

    @Test
    void shouldPushAFramesBoxesWithAThumbnailOfThatVeryFrame() throws Exception {
        listen();
        // Given a frame and its detections record
        hub.frame("door", 41, TestFrames.jpeg(320, 240));
        hub.detections(record("door", 41, 2));
        // Then one update goes out with the record's numbers and a thumbnail scaled to 64 px wide
        assertThat(sent).hasSize(1);
        JsonNode u = sent.get(0);
        assertThat(u.get("type").asText()).isEqualTo("frame");
        assertThat(u.get("camera").asText()).isEqualTo("door");
        assertThat(u.get("seq").asLong()).isEqualTo(41);
        assertThat(u.get("people").asInt()).isEqualTo(2);
        assertThat(u.get("latencyMs").asLong()).isEqualTo(150);
        assertThat(u.get("model").asText()).isEqualTo("m v3");
        assertThat(u.get("detections")).hasSize(2);
        assertThat(u.get("detections").get(0).get("trackId").asLong()).isEqualTo(7);
        assertThat(u.get("detections").get(1).has("trackId")).isFalse();
        assertThat(u.get("line")).extracting(JsonNode::asDouble).containsExactly(0.0, 0.6, 1.0, 0.6);
        String thumb = u.get("thumb").asText();
        assertThat(thumb).startsWith("data:image/jpeg;base64,");
        DecodedImage small = TestSettings.decoder().decode(Base64.getDecoder().decode(thumb.substring(thumb.indexOf(',') + 1)));
        assertThat(small.width()).isEqualTo(64);
        assertThat(small.height()).isEqualTo(48);
    }

    @Test
    void shouldPushEachCameraAtMostMaxRateTimesASecondAndWithoutAPictureWhenItsFrameIsGone() {
        listen();
        // Given a camera at 5 frames/s for one second; only the last 4 frames stay buffered
        for (int seq = 1; seq <= 5; seq++) {
            hub.frame("door", seq, TestFrames.jpeg(64, 48));
        }
        for (int seq = 1; seq <= 5; seq++) {
            now.set(T0 + 200L * (seq - 1));
            hub.detections(record("door", seq, 1));
        }
        // Then 2 updates/s: frames 1, 4 (600 ms later), and no more within the second
        assertThat(sent).extracting(u -> u.get("seq").asLong()).containsExactly(1L, 4L);
        // frame 1 was pushed out of the 4-frame buffer by frames 2-5: numbers only; frame 4 has its picture
        assertThat(sent.get(0).has("thumb")).isFalse();
        assertThat(sent.get(1).has("thumb")).isTrue();
        assertThat(sent.get(1).get("fps").asDouble()).isEqualTo(5.0);
    }

    @Test
    void shouldSendAHistoryPointPerCameraWhenAStepEndsAndServeTheChartToNewPages() throws Exception {
        listen();
        // Given two cameras during one 10-s step: door sees 1, then 3 people; hall sees nobody
        hub.detections(record("door", 1, 1));
        now.addAndGet(600);
        hub.detections(record("door", 2, 3));
        hub.detections(record("hall", 1, 0));
        hub.tick();
        assertThat(sent).noneMatch(u -> u.get("type").asText().equals("history"));
        // When the step ends
        now.set((T0 / 10_000 + 1) * 10_000);
        hub.tick();
        // Then a history event carries each camera's mean and max for the step
        JsonNode h = sent.get(sent.size() - 1);
        assertThat(h.get("type").asText()).isEqualTo("history");
        assertThat(h.get("points").get("door").get("mean").asDouble()).isEqualTo(2.0);
        assertThat(h.get("points").get("door").get("max").asInt()).isEqualTo(3);
        assertThat(h.get("points").get("hall").get("max").asInt()).isZero();
        // and a page that opens now gets the cameras, each with its last picture and a 6-point chart
        JsonNode state = Json.MAPPER.readTree(hub.state());
        assertThat(state.get("cameras")).extracting(c -> c.get("camera").asText()).containsExactly("door", "hall");
        JsonNode door = state.get("cameras").get(0);
        assertThat(door.get("latest").get("seq").asLong()).isEqualTo(2);
        assertThat(door.get("history").get("max")).hasSize(6);
        assertThat(door.get("history").get("max").get(4).asInt()).isEqualTo(3);
        assertThat(door.get("history").get("max").get(5).isNull()).isTrue();
    }

    @Test
    void shouldSkipNumbersOfFramesNotLookedAtInTheChartButStillShowThem() throws Exception {
        listen();
        DetectionRecord skipped = new DetectionRecord("door", 9, T0 - 11_000, 320, 240, new DetectionRecord.ModelRef("m", "3"),
                DetectionRecord.SKIPPED, DetectionRecord.STALE, List.of(), null, new DetectionRecord.Timings(null, null, null, 11_000));
        hub.detections(skipped);
        assertThat(sent.get(0).get("status").asText()).isEqualTo("skipped");
        assertThat(sent.get(0).has("people")).isFalse();
        assertThat(Json.MAPPER.readTree(hub.state()).get("cameras").get(0).get("history").get("max"))
                .allMatch(JsonNode::isNull);
    }

    @Test
    void shouldKeepShowingTheLastAnalysedFrameWhileNewerFramesSupersedeOthers() throws Exception {
        listen();
        // Given an analysed frame, then a frame answered superseded a second later (a camera faster than the model)
        hub.frame("door", 1, TestFrames.jpeg(64, 48));
        hub.detections(record("door", 1, 2));
        now.addAndGet(1000);
        hub.detections(new DetectionRecord("door", 2, T0 + 900, 320, 240, new DetectionRecord.ModelRef("m", "3"),
                DetectionRecord.SKIPPED, DetectionRecord.SUPERSEDED, List.of(), null,
                new DetectionRecord.Timings(null, null, null, 5)));
        // Then no update blanks the picture: pages and new pages still see frame 1 with its boxes
        assertThat(sent).extracting(u -> u.get("seq").asLong()).containsExactly(1L);
        JsonNode latest = Json.MAPPER.readTree(hub.state()).get("cameras").get(0).get("latest");
        assertThat(latest.get("seq").asLong()).isEqualTo(1);
        assertThat(latest.get("people").asInt()).isEqualTo(2);
    }

    @Test
    void shouldNeitherKeepNorShowAFrameTheDetectorWouldRefuse() throws Exception {
        listen();
        // Given frames that fail the detector's checks: truncated, a decompression bomb, random bytes
        hub.frame("bomb", 1, TestFrames.pngBomb());
        hub.frame("junk", 1, TestFrames.randomBytes(5000, 3));
        hub.frame("door", 1, TestFrames.truncatedJpeg());
        // Then none is kept, and a camera that sent only such frames has no tile
        assertThat(hub.bufferedFrames()).isZero();
        assertThat(hub.refusedFrames()).isEqualTo(3);
        assertThat(Json.MAPPER.readTree(hub.state()).get("cameras")).isEmpty();
        // and the detections record of the truncated frame goes out without a thumbnail
        hub.detections(record("door", 1, 1));
        assertThat(sent).singleElement().satisfies(u -> assertThat(u.has("thumb")).isFalse());
    }
}
