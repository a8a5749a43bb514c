package lookout.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import lookout.common.Json;
import lookout.config.FrameLimits;
import lookout.config.StatsSettings;
import lookout.config.TileSettings;
import lookout.config.TrackerSettings;
import lookout.detect.DetectionMetrics;
import lookout.detect.DetectionTopology;
import lookout.frames.FrameDecoder;
import lookout.inference.FakeDetector;
import lookout.inference.InferencePool;
import lookout.kafka.Topics;
import lookout.stats.CameraMetrics;
import lookout.stats.CountingLines;
import lookout.testing.SettableClock;
import lookout.testing.TestFrames;
import lookout.tiles.TilePlanner;

/** The detector's whole topology as serve runs it: detect, then track, then per-camera statistics. */
@Timeout(60)
class AnalyticsStageTest {
    static final long NOW = 1_800_000_000_000L - 1_800_000_000_000L % 60_000;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final FakeDetector detector = new FakeDetector();
    /** The detector's wall clock, moved by each test: how old a frame is when it is read. */
    private final AtomicLong wall = new AtomicLong(NOW);
    private InferencePool pool;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> frames;

    @BeforeEach
    void setUp() {
        build(null);
    }

    /** The topology as serve builds it, with per-camera tiles when {@code tiles} is given. */
    private void build(TilePlanner tiles) {
        pool = new InferencePool(List.of(detector), 4, Duration.ofMillis(5), 8, new DetectionMetrics(registry))
                .start();
        DetectionTopology topology = new DetectionTopology(
                new DetectionTopology.Settings(Duration.ofSeconds(10), 0.5f, Duration.ofSeconds(5), 1024 * 1024, 1024 * 1024,
                        Duration.ofSeconds(5)),
                new FrameDecoder(new FrameLimits(200_000, 8192, 8192L * 4608)), pool, new DetectionMetrics(registry),
                new SettableClock(wall)).tiled(tiles);
        AnalyticsStage stage = new AnalyticsStage(TrackerSettings.byteTrack(),
                new StatsSettings(Duration.ofMinutes(1), Duration.ofSeconds(5), 0.02, null), Duration.ofSeconds(5),
                new CountingLines(), new CameraMetrics(registry), tiles);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "lookout-detector-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(topology.build(stage), props, Instant.ofEpochMilli(NOW));
        frames = driver.createInputTopic(Topics.FRAMES, new StringSerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
        pool.close();
    }

    /** Moves the detector's clock and Kafka Streams' (the statistics' clock) together. */
    private void setWall(long millis) {
        long ahead = millis - wall.get();
        wall.set(millis);
        if (ahead > 0) {
            driver.advanceWallClockTime(Duration.ofMillis(ahead));
        }
    }

    /** A frame read {@code ageMs} after its capture (it was sent when captured and waited in Kafka). */
    private void send(String camera, long seq, long captureTs, long ageMs) {
        setWall(captureTs + ageMs);
        RecordHeaders h = new RecordHeaders();
        h.add(Topics.HEADER_SEQ, String.valueOf(seq).getBytes(StandardCharsets.UTF_8));
        h.add(Topics.HEADER_TS, String.valueOf(captureTs).getBytes(StandardCharsets.UTF_8));
        frames.pipeInput(new TestRecord<>(camera, TestFrames.jpeg(64, 48), h, Instant.ofEpochMilli(captureTs)));
    }

    @Test
    void shouldPublishDetectionsWithTrackIdsAndCameraStatisticsFromTheSameFrames() throws Exception {
        // Given a camera whose person stands still for three frames of one minute, then a stale frame
        send("door", 1, NOW + 1_000, 100);
        send("door", 2, NOW + 2_000, 100);
        send("door", 3, NOW + 3_000, 100);
        send("door", 4, NOW + 50_000, 11_000);
        // When a frame of the next minute, past the grace period, arrives
        send("door", 5, NOW + 66_000, 100);
        // Then every detections record is published, analysed ones with the person's track id
        List<JsonNode> detections = driver.createOutputTopic(Topics.DETECTIONS, new StringDeserializer(),
                (topic, b) -> read(b)).readValuesToList();
        assertThat(detections).extracting(r -> r.get("seq").asLong()).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(detections.get(0).get("detections").get(0).get("trackId").asLong()).isEqualTo(1);
        assertThat(detections.get(2).get("detections").get(0).get("trackId").asLong()).isEqualTo(1);
        assertThat(detections.get(3).get("status").asText()).isEqualTo("skipped");
        // and the first minute's statistics, counting the stale frame as skipped
        List<JsonNode> stats = driver.createOutputTopic(Topics.CAMERA_STATS, new StringDeserializer(),
                (topic, b) -> read(b)).readValuesToList();
        assertThat(stats).hasSize(1);
        JsonNode minute = stats.get(0);
        assertThat(minute.get("camera").asText()).isEqualTo("door");
        assertThat(minute.get("frames").get("analysed").asLong()).isEqualTo(3);
        assertThat(minute.get("frames").get("skippedBy").get("stale").asLong()).isEqualTo(1);
        assertThat(minute.get("people").get("max").asInt()).isEqualTo(1);
        assertThat(minute.get("tracks").asInt()).isEqualTo(1);
    }

    @Test
    void shouldKeepABinaryKeyByteForByteThroughTheTrackerAndCutAnOversizedRecordOnlyAfterIt() throws Exception {
        // Given a camera whose key is no valid UTF-8, and a model that emits 60,000 boxes per frame
        byte[] key = {(byte) 0xff, 0x00, (byte) 0xc3, 0x28, 0x41};
        detector.many = 60_000;
        TestInputTopic<byte[], byte[]> raw = driver.createInputTopic(Topics.FRAMES, new ByteArraySerializer(),
                new ByteArraySerializer());
        RecordHeaders h = new RecordHeaders();
        h.add(Topics.HEADER_SEQ, "1".getBytes(StandardCharsets.UTF_8));
        h.add(Topics.HEADER_TS, String.valueOf(NOW + 1_000).getBytes(StandardCharsets.UTF_8));
        setWall(NOW + 1_100);
        // When one frame goes through detect, track and publish
        raw.pipeInput(new TestRecord<>(key, TestFrames.jpeg(64, 48), h, Instant.ofEpochMilli(NOW + 1_000)));
        // Then its detections record carries exactly that key, fits the topic and says what it left out
        var out = driver.createOutputTopic(Topics.DETECTIONS, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .readRecordsToList();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).key()).isEqualTo(key);
        assertThat(out.get(0).value().length).isLessThan(1024 * 1024);
        JsonNode r = read(out.get(0).value());
        assertThat(r.get("camera").asText()).isEqualTo(new String(key, StandardCharsets.UTF_8));
        assertThat(r.get("droppedDetections").asInt()).isEqualTo(60_001 - r.get("detections").size());
        // and the tracker keeps that camera's state under the camera id the record names
        var store = driver.<String, lookout.track.TrackerState>getKeyValueStore(lookout.track.TrackingProcessor.STORE);
        assertThat(store.get(new String(key, StandardCharsets.UTF_8))).isNotNull();
    }

    @Test
    void shouldStartTilingACameraOnceItsTrackedPeopleShowTheyAreSmall() throws Exception {
        // Given tiles on auto, where the fake model's people (35 px on a 48 px frame, 175 px to a model whose
        // input's short side is 240) count as small (bar 200), decided after 3 tracked boxes; camera "hall" off
        driver.close();
        pool.close();
        build(new TilePlanner(new TileSettings("auto", java.util.Map.of("hall", "off"), "2x2", 0.2, 200, 3, 60_000),
                () -> detector.model()));
        // When each camera sends 5 frames
        for (int seq = 1; seq <= 5; seq++) {
            send("roof", seq, NOW + seq * 200, 50);
            send("hall", seq, NOW + seq * 200 + 100, 50);
        }
        List<JsonNode> records = driver.createOutputTopic(Topics.DETECTIONS, new StringDeserializer(),
                (topic, b) -> read(b)).readValuesToList();
        // Then "roof" is analysed whole while its tracks are too few to judge, then with tiles; "hall" never
        List<Boolean> roofTiled = records.stream().filter(r -> r.get("camera").asText().equals("roof"))
                .map(r -> r.get("timings").has("tiles")).toList();
        List<Boolean> hallTiled = records.stream().filter(r -> r.get("camera").asText().equals("hall"))
                .map(r -> r.get("timings").has("tiles")).toList();
        assertThat(roofTiled).containsExactly(false, false, false, true, true);
        assertThat(hallTiled).containsOnly(false).hasSize(5);
    }

    private static JsonNode read(byte[] b) {
        try {
            return Json.MAPPER.readTree(b);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
