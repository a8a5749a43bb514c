package lookout.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import lookout.config.FrameLimits;
import lookout.config.ReviewSettings;
import lookout.config.StatsSettings;
import lookout.config.TrackerSettings;
import lookout.detect.DetectionMetrics;
import lookout.detect.DetectionTopology;
import lookout.detections.Detection;
import lookout.frames.DecodedImage;
import lookout.frames.FrameDecoder;
import lookout.inference.Detector;
import lookout.inference.InferencePool;
import lookout.kafka.Topics;
import lookout.model.ModelMetadata;
import lookout.review.ReviewItem;
import lookout.review.ReviewMetrics;
import lookout.stats.CameraMetrics;
import lookout.stats.CountingLines;
import lookout.testing.SettableClock;
import lookout.testing.TestFrames;

/**
 * The review picker in the detector's whole topology (detect, track, statistics, pick) on
 * TopologyTestDriver, with a detector that answers what each test scripts frame by frame: which frames
 * reach {@code lookout.review}, with what picture, boxes and reasons, and how many per camera and hour.
 */
@Timeout(60)
class ReviewPickingTopologyTest {
    static final long MINUTE = 60_000;
    /** A whole hour: slots of every budget start here. */
    static final long T0 = 1_800_000_000_000L - 1_800_000_000_000L % 3_600_000;
    static final float THRESHOLD = 0.5f;
    static final int W = 320;
    static final int H = 240;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ScriptedDetector detector = new ScriptedDetector();
    private final AtomicLong wall = new AtomicLong(T0);
    private InferencePool pool;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> frames;
    private TestOutputTopic<String, byte[]> review;
    private long seq;

    /** Scripted detections, one list per analysed frame, in order (the topology analyses them one by one). */
    static final class ScriptedDetector implements Detector {
        final Deque<List<Detection>> script = new ArrayDeque<>();

        @Override
        public List<List<Detection>> detect(List<DecodedImage> batch) {
            List<List<Detection>> out = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                out.add(script.isEmpty() ? List.of() : script.removeFirst());
            }
            return out;
        }

        @Override
        public ModelMetadata model() {
            return new ModelMetadata("scripted", "3", "fake", List.of("__background__", "person"), 240, 320, null, null,
                    null, null, null, null, null);
        }

        @Override
        public String device() {
            return "cpu";
        }

        @Override
        public void close() {
        }
    }

    private void start(ReviewSettings picking) {
        pool = new InferencePool(List.of(detector), 1, Duration.ofMillis(1), 8, new DetectionMetrics(registry)).start();
        DetectionTopology topology = new DetectionTopology(
                new DetectionTopology.Settings(Duration.ofMinutes(10), THRESHOLD, Duration.ofSeconds(5), 1024 * 1024,
                        1024 * 1024, Duration.ofSeconds(5)),
                new FrameDecoder(new FrameLimits(2_000_000, 8192, 8192L * 4608)), pool, new DetectionMetrics(registry),
                new SettableClock(wall));
        AnalyticsStage stage = new AnalyticsStage(TrackerSettings.byteTrack(),
                new StatsSettings(Duration.ofMinutes(1), Duration.ofSeconds(5), 0.02, null), Duration.ofSeconds(5),
                new CountingLines(),
                new CameraMetrics(registry)).withReview(picking, THRESHOLD, 4 * 1024 * 1024, new ReviewMetrics(registry));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "lookout-detector-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(topology.build(stage), props, Instant.ofEpochMilli(T0));
        frames = driver.createInputTopic(Topics.FRAMES, new StringSerializer(), new ByteArraySerializer());
        review = driver.createOutputTopic(Topics.REVIEW, new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void tearDown() {
        if (driver != null) {
            driver.close();
        }
        if (pool != null) {
            pool.close();
        }
    }

    /** The service's defaults, at a budget of this many frames per hour. */
    static ReviewSettings settings(int budget) {
        return new ReviewSettings(true, budget, Map.of(), Duration.ofSeconds(30), 0.3, 0.15, 0.25, 2, 0.05, 4, 8,
                Duration.ofSeconds(30), 500);
    }

    /** A person standing in the middle of the picture, at this score (box [x, 60, x + 40, 200]). */
    static Detection person(float x, float score) {
        return new Detection("person", score, x, 60, x + 40, 200);
    }

    /**
     * Sends a frame captured at {@code ts}, analysed with these detections, read 100 ms later by the
     * detector (its clock); the driver's wall clock, which the picker's idle flush follows, stays put.
     */
    private byte[] send(String camera, long ts, byte[] picture, Detection... dets) {
        detector.script.add(List.of(dets));
        wall.set(ts + 100);
        seq++;
        RecordHeaders h = new RecordHeaders();
        h.add(Topics.HEADER_SEQ, String.valueOf(seq).getBytes(StandardCharsets.UTF_8));
        h.add(Topics.HEADER_TS, String.valueOf(ts).getBytes(StandardCharsets.UTF_8));
        frames.pipeInput(new TestRecord<>(camera, picture, h, Instant.ofEpochMilli(ts)));
        return picture;
    }

    private byte[] send(String camera, long ts, Detection... dets) {
        return send(camera, ts, scene(0), dets);
    }

    /** Scene 0: a street with a figure; scenes 1-12: plain colours, each far enough from the others for the scene check. */
    static byte[] scene(int n) {
        return n == 0 ? TestFrames.jpeg(W, H) : TestFrames.solid("jpg", W, H, new Color(20 * n, 90, 200));
    }

    private List<TestRecord<String, byte[]>> picks() {
        return review.readRecordsToList();
    }

    static ReviewItem item(TestRecord<String, byte[]> r) throws Exception {
        Header h = r.headers().lastHeader(Topics.HEADER_REVIEW_ITEM);
        assertThat(h).as("item header").isNotNull();
        return ReviewItem.parse(h.value());
    }

    @Test
    void shouldOfferTheSlotsMostUncertainFrameWithItsPictureBoxesAndReason() throws Exception {
        start(settings(60)); // one frame per minute at most
        // Given a minute of frames where the model is sure, but for one frame with a person it barely sees
        send("door", T0 + 1_000, person(100, 0.95f));
        send("door", T0 + 11_000, person(102, 0.95f));
        byte[] doubtful = send("door", T0 + 21_000, scene(1), person(104, 0.95f), person(200, 0.55f));
        send("door", T0 + 31_000, person(106, 0.95f));
        assertThat(picks()).as("the minute is not over: its best frame is held").isEmpty();
        // When the first frame of the next minute arrives
        send("door", T0 + MINUTE + 1_000, person(108, 0.95f));
        // Then the doubtful frame is offered for review: its own picture, the model's boxes, the reason
        List<TestRecord<String, byte[]>> picks = picks();
        assertThat(picks).hasSize(1);
        ReviewItem item = item(picks.get(0));
        assertThat(picks.get(0).key()).isEqualTo(item.id()).isEqualTo(ReviewItem.idOf("door", 3, T0 + 21_000));
        assertThat(picks.get(0).value()).as("the picture, byte for byte").isEqualTo(doubtful);
        assertThat(item.camera()).isEqualTo("door");
        assertThat(item.seq()).isEqualTo(3);
        assertThat(item.width()).isEqualTo(W);
        assertThat(item.detections()).extracting(d -> d.box()[0]).containsExactly(104f, 200f);
        assertThat(item.reasons()).containsExactly("near-threshold:1");
        assertThat(item.model().name()).isEqualTo("scripted");
        // and nothing of the picture leaks into lookout.detections
        var detections = driver.createOutputTopic(Topics.DETECTIONS, new StringDeserializer(), new ByteArrayDeserializer())
                .readRecordsToList();
        assertThat(detections).hasSize(5).allSatisfy(d -> assertThat(d.headers().toArray()).isEmpty());
    }

    @Test
    void shouldOfferAFrameWhereATrackVanishesInTheMiddleOfThePicture() throws Exception {
        start(settings(60));
        // Given a person tracked for five frames (confirmed), then missed while standing in the middle
        for (int i = 0; i < 5; i++) {
            send("door", T0 + 1_000 + i * 2_000, person(140 + i, 0.9f));
        }
        send("door", T0 + 11_000);
        send("door", T0 + 13_000, person(146, 0.9f));
        send("door", T0 + MINUTE + 1_000, person(148, 0.9f));
        // Then the frame without them is the minute's pick, because the track was lost there
        ReviewItem item = item(picks().get(0));
        assertThat(item.seq()).isEqualTo(6);
        assertThat(item.reasons()).containsExactly("track-lost:1");
        assertThat(item.detections()).isEmpty();
    }

    @Test
    void shouldOfferNearMissesUnderTheThresholdAsHints() throws Exception {
        start(settings(60));
        send("door", T0 + 1_000, person(100, 0.9f), person(220, 0.41f), person(10, 0.2f));
        send("door", T0 + MINUTE + 1_000, person(100, 0.9f));
        ReviewItem item = item(picks().get(0));
        assertThat(item.detections()).hasSize(1);
        assertThat(item.below()).as("0.41 is within 0.25 under 0.5; 0.2 is not").singleElement()
                .satisfies(h -> assertThat(h.box()[0]).isEqualTo(220f));
        assertThat(item.reasons()).containsExactly("near-threshold:1");
    }

    @Test
    void shouldKeepEachCameraWithinItsHourlyBudget() throws Exception {
        start(settings(6)); // one frame per 10 minutes
        // Given two hours of doubtful frames every 20 s
        for (long t = T0; t < T0 + 120 * MINUTE; t += 20_000) {
            send("door", t + 500, scene(1 + (int) ((t - T0) / (10 * MINUTE))), person(100, 0.52f));
        }
        // Then at most 6 frames an hour, at most one per 10-minute slot, at least the minimum gap apart
        List<ReviewItem> items = new ArrayList<>();
        for (TestRecord<String, byte[]> r : picks()) {
            items.add(item(r));
        }
        assertThat(items).hasSizeBetween(11, 12);
        for (int i = 1; i < items.size(); i++) {
            long a = items.get(i - 1).captureTs();
            long b = items.get(i).captureTs();
            assertThat((b - T0) / (10 * MINUTE)).as("slot of pick %d", i).isGreaterThan((a - T0) / (10 * MINUTE));
            assertThat(b - a).isGreaterThanOrEqualTo(30_000);
        }
        assertThat(registry.get("lookout_review_picked_total").tag("camera", "door").tag("reason", "any").counter()
                .count()).isEqualTo(items.size());
    }

    @Test
    void shouldPickNothingFromACameraWhoseBudgetIsZeroAndNothingWithoutDoubt() throws Exception {
        ReviewSettings s = settings(60);
        start(new ReviewSettings(true, 60, Map.of("lobby", 0), s.minGap(), s.minUncertainty(), s.below(), s.above(),
                s.countJump(), s.borderMargin(), s.minSceneDistance(), s.recentScenes(), s.idleFlush(), s.maxPending()));
        for (int m = 0; m < 3; m++) {
            send("lobby", T0 + m * MINUTE + 1_000, person(100, 0.51f));
            send("door", T0 + m * MINUTE + 2_000, person(100, 0.99f));
        }
        send("door", T0 + 4 * MINUTE, person(100, 0.99f));
        assertThat(picks()).as("lobby is off; door's model is sure of everything").isEmpty();
    }

    @Test
    void shouldNotOfferTheSameSceneAgainButADifferentOne() throws Exception {
        start(settings(60));
        // Given the same doubtful picture minute after minute (a sign post the model half takes for a person)
        for (int m = 0; m < 4; m++) {
            send("door", T0 + m * MINUTE + 1_000, scene(0), person(100, 0.55f));
        }
        // When the scene changes
        send("door", T0 + 4 * MINUTE + 1_000, scene(1), person(100, 0.55f));
        send("door", T0 + 5 * MINUTE + 1_000, scene(1));
        // Then the scene is offered once, and the new one too
        assertThat(picks().stream().map(r -> {
            try {
                return item(r).seq();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList()).containsExactly(1L, 5L);
    }

    @Test
    void shouldSendTheHeldFrameOfACameraThatFellSilent() throws Exception {
        start(settings(60));
        send("door", T0 + 1_000, person(100, 0.55f));
        assertThat(picks()).isEmpty();
        // When no frame comes for the idle-flush time (30 s) of wall clock
        driver.advanceWallClockTime(Duration.ofSeconds(35));
        // Then the held frame is offered without waiting for the next minute's frame
        assertThat(picks()).singleElement().satisfies(r -> assertThat(r.key()).isEqualTo(ReviewItem.idOf("door", 1,
                T0 + 1_000)));
    }
}
