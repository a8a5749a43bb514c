package lookout.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import lookout.common.Json;
import lookout.detections.DetectionRecord;

class CameraStatsProcessorTest {
    private static final String IN = "test.tracked";
    private static final String OUT = "test.camera-stats";
    /** A window boundary: minute windows are epoch-aligned. */
    static final long T0 = 1_800_000_000_000L - 1_800_000_000_000L % 60_000;
    /** The clock bound: these tests move capture time freely, so a day (the wall clock stands at T0). */
    static final Duration CLOCK_MAX_SKEW = Duration.ofDays(1);
    private static final CameraStatsProcessor.Settings SETTINGS = new CameraStatsProcessor.Settings(
            Duration.ofMinutes(1), Duration.ofSeconds(5), Duration.ofSeconds(10), 0.02, 12, CLOCK_MAX_SKEW);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final CountingLines lines = new CountingLines();
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> in;

    private static final Deserializer<CameraStatsRecord> STATS = (topic, bytes) -> {
        try {
            return Json.MAPPER.readValue(bytes, CameraStatsRecord.class);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    };

    @BeforeEach
    void setUp() {
        Topology t = new Topology();
        t.addSource("in", new ByteArrayDeserializer(), (topic, bytes) -> {
            try {
                return Json.MAPPER.readValue(bytes, DetectionRecord.class);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, IN);
        t.addProcessor("stats", () -> new CameraStatsProcessor(SETTINGS, lines, new CameraMetrics(registry)), "in");
        t.addStateStore(CameraStatsProcessor.storeBuilder(), "stats");
        t.addSink("out", OUT, new StringSerializer(), new ByteArraySerializer(), "stats");
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "lookout-stats-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(t, p, Instant.ofEpochMilli(T0));
        in = driver.createInputTopic(IN, new StringSerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    /** A person box whose foot point (bottom centre) is at (x, y) in fractions of a 1000x1000 frame. */
    static DetectionRecord.Item standingAt(double x, double y, Long trackId) {
        return new DetectionRecord.Item("person", 0.9f,
                new float[] {(float) (1000 * x - 20), (float) (1000 * y - 100), (float) (1000 * x + 20), (float) (1000 * y)},
                trackId);
    }

    static DetectionRecord analysed(String camera, long seq, long captureTs, List<DetectionRecord.Item> items) {
        return new DetectionRecord(camera, seq, captureTs, 1000, 1000, new DetectionRecord.ModelRef("m", "1"),
                DetectionRecord.OK, null, items, null, new DetectionRecord.Timings(1.0, 2.0, 1, 5));
    }

    static DetectionRecord skipped(String camera, long seq, long captureTs, String reason) {
        return new DetectionRecord(camera, seq, captureTs, 1000, 1000, new DetectionRecord.ModelRef("m", "1"),
                DetectionRecord.SKIPPED, reason, List.of(), null, new DetectionRecord.Timings(null, null, null, 11_000));
    }

    private void send(DetectionRecord r) {
        in.pipeInput(r.camera(), r.toJson(), r.captureTs());
    }

    private List<CameraStatsRecord> published() {
        return driver.createOutputTopic(OUT, new StringDeserializer(), STATS).readValuesToList();
    }

    private static List<DetectionRecord.Item> people(long... trackIds) {
        List<DetectionRecord.Item> items = new ArrayList<>();
        for (int i = 0; i < trackIds.length; i++) {
            items.add(standingAt(0.1 + 0.1 * i, 0.9, trackIds[i] == 0 ? null : trackIds[i]));
        }
        return items;
    }

    @Test
    void shouldPublishPeopleMinMeanMaxDistinctTracksAndFramesWhenTheWindowCloses() {
        // Given a minute of one camera: three analysed frames (1, 3 and 2 people) and one skipped frame
        send(analysed("door", 1, T0 + 1_000, people(1)));
        send(analysed("door", 2, T0 + 2_000, people(1, 2, 0)));
        send(skipped("door", 3, T0 + 3_000, DetectionRecord.STALE));
        send(analysed("door", 4, T0 + 4_000, people(1, 3)));
        // and a frame of the next minute, but still within the grace period
        send(analysed("door", 5, T0 + 62_000, people()));
        assertThat(published()).isEmpty();
        // When the camera's capture time passes the window's end by the grace period
        send(analysed("door", 6, T0 + 65_000, people()));
        // Then the first minute comes out, keyed by camera, with its numbers
        List<CameraStatsRecord> out = published();
        assertThat(out).hasSize(1);
        CameraStatsRecord w = out.get(0);
        assertThat(w.camera()).isEqualTo("door");
        assertThat(w.windowStart()).isEqualTo(T0);
        assertThat(w.windowEnd()).isEqualTo(T0 + 60_000);
        assertThat(w.frames()).isEqualTo(new CameraStatsRecord.Frames(3, 1, Map.of("stale", 1L), 0));
        assertThat(w.people()).isEqualTo(new CameraStatsRecord.People(1, 2.0, 3));
        assertThat(w.tracks()).isEqualTo(3);
        assertThat(w.line()).isNull();
    }

    @Test
    void shouldLeavePeopleOutOfAWindowWithNoAnalysedFrame() throws Exception {
        send(skipped("door", 1, T0 + 1_000, DetectionRecord.OVERLOAD));
        send(analysed("door", 2, T0 + 70_000, people()));
        var raw = driver.createOutputTopic(OUT, new StringDeserializer(), new ByteArrayDeserializer()).readValuesToList();
        var json = Json.MAPPER.readTree(new String(raw.get(0), StandardCharsets.UTF_8));
        assertThat(json.has("people")).isFalse();
        assertThat(json.get("frames").get("skippedBy").get("overload").asLong()).isEqualTo(1);
    }

    @Test
    void shouldCountEntriesAndExitsOfTracksAcrossTheCountingLine() {
        // Given a line across the frame at 60% height
        lines.set("door", new CountingLine(0, 0.6, 1, 0.6));
        // When track 1 walks up across it, track 2 walks down across it, and track 3 sways on it
        double[][] walk = {{0.8, 0.4, 0.61}, {0.7, 0.5, 0.59}, {0.65, 0.55, 0.61}, {0.5, 0.7, 0.59}, {0.4, 0.8, 0.61}};
        for (int f = 0; f < walk.length; f++) {
            send(analysed("door", f + 1, T0 + 1000L * f, List.of(standingAt(0.2, walk[f][0], 1L),
                    standingAt(0.5, walk[f][1], 2L), standingAt(0.8, walk[f][2], 3L))));
        }
        send(analysed("door", 9, T0 + 70_000, people()));
        // Then one entry and one exit are counted; the swaying person, never firmly across, counts nothing
        assertThat(published().get(0).line()).isEqualTo(new CameraStatsRecord.Line(1, 1));
        assertThat(registry.get("lookout.camera.line.crossings").tag("camera", "door").tag("direction", "in")
                .counter().count()).isEqualTo(1);
        assertThat(registry.get("lookout.camera.line.crossings").tag("direction", "out").counter().count()).isEqualTo(1);
    }

    @Test
    void shouldNotCountAPersonJitteringAcrossTheLineMoreThanOnce() {
        lines.set("door", new CountingLine(0, 0.6, 1, 0.6));
        // a person who steps in, then sways 1% of the frame either side of the line
        double[] y = {0.7, 0.5, 0.61, 0.59, 0.61, 0.59, 0.61};
        for (int f = 0; f < y.length; f++) {
            send(analysed("door", f + 1, T0 + 1000L * f, List.of(standingAt(0.5, y[f], 7L))));
        }
        send(analysed("door", 9, T0 + 70_000, people()));
        assertThat(published().get(0).line()).isEqualTo(new CameraStatsRecord.Line(1, 0));
    }

    @Test
    void shouldPublishASilentCamerasLastWindowByTheWallClock() {
        // Given a camera that sends two frames and falls silent (unplugged)
        send(analysed("door", 1, T0 + 1_000, people(1)));
        send(analysed("door", 2, T0 + 2_000, people(1)));
        // When the wall clock passes a window plus grace beyond its last frame
        driver.advanceWallClockTime(Duration.ofSeconds(30));
        assertThat(published()).isEmpty();
        driver.advanceWallClockTime(Duration.ofSeconds(40));
        // Then its window is published anyway
        List<CameraStatsRecord> out = published();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).frames().analysed()).isEqualTo(2);
    }

    @Test
    void shouldCountAFrameWhoseWindowWasAlreadyPublishedAsLateInTheNextWindow() {
        send(analysed("door", 1, T0 + 1_000, people(1)));
        send(analysed("door", 2, T0 + 66_000, people(1)));
        assertThat(published()).hasSize(1);
        // a frame captured in the first minute arrives now
        send(analysed("door", 3, T0 + 30_000, people(1, 2)));
        send(analysed("door", 4, T0 + 126_000, people()));
        CameraStatsRecord second = published().get(0);
        assertThat(second.windowStart()).isEqualTo(T0 + 60_000);
        assertThat(second.frames().late()).isEqualTo(1);
        assertThat(second.frames().analysed()).isEqualTo(1);
    }

    @Test
    void shouldKeepCamerasApartAndExportTheirMeters() {
        send(analysed("door", 1, T0 + 1_000, people(1, 2)));
        send(analysed("hall", 1, T0 + 1_000, people(1)));
        send(analysed("door", 2, T0 + 2_000, people(2, 3, 4)));
        send(analysed("door", 3, T0 + 70_000, people()));
        send(analysed("hall", 2, T0 + 70_000, people()));
        assertThat(published()).extracting(CameraStatsRecord::camera, CameraStatsRecord::tracks)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("door", 4), org.assertj.core.groups.Tuple.tuple("hall", 1));
        assertThat(registry.get("lookout.camera.tracks").tag("camera", "door").counter().count()).isEqualTo(4);
        assertThat(registry.get("lookout.camera.people").tag("camera", "door").gauge().value()).isZero();
        assertThat(registry.get("lookout.camera.last.frame.timestamp").tag("camera", "hall").gauge().value())
                .isEqualTo(T0 / 1000.0);
    }

    /** A frame of a camera whose clock was off by {@code skewMs}: placed by the detector at captureTs - skewMs. */
    static DetectionRecord rebased(String camera, long seq, long captureTs, long skewMs) {
        return new DetectionRecord(camera, seq, captureTs, 1000, 1000, new DetectionRecord.ModelRef("m", "1"),
                DetectionRecord.OK, null, List.of(), null, new DetectionRecord.Timings(1.0, 2.0, 1, 5), skewMs);
    }

    private List<org.apache.kafka.streams.test.TestRecord<String, CameraStatsRecord>> publishedRecords() {
        return driver.createOutputTopic(OUT, new StringDeserializer(), STATS).readRecordsToList();
    }

    @Test
    void shouldPlaceFramesOfACameraWhoseClockIsOffByTheirServiceTimeAndSaySo() throws Exception {
        // Given a camera two hours ahead: its frames were sent (so placed) at T0 + 1 s and T0 + 2 s
        send(rebased("east", 1, T0 + 7_201_000, 7_200_000));
        send(rebased("east", 2, T0 + 7_202_000, 7_200_000));
        // When its frames of the next minute pass the grace period
        send(rebased("east", 3, T0 + 7_266_000, 7_200_000));
        // Then the first minute of service time comes out, saying how many frames were re-based and by how much
        var raw = driver.createOutputTopic(OUT, new StringDeserializer(), new ByteArrayDeserializer()).readRecordsToList();
        assertThat(raw).hasSize(1);
        var json = Json.MAPPER.readTree(raw.get(0).value());
        assertThat(json.get("windowStart").asLong()).isEqualTo(T0);
        assertThat(json.get("clockSkewMs").asLong()).isEqualTo(7_200_000);
        assertThat(json.get("frames").get("rebased").asLong()).isEqualTo(2);
        assertThat(json.get("frames").get("analysed").asLong()).isEqualTo(2);
        // and a camera whose clock is right says neither
        send(analysed("door", 1, T0 + 1_000, people()));
        send(analysed("door", 2, T0 + 70_000, people()));
        var door = Json.MAPPER.readTree(driver.createOutputTopic(OUT, new StringDeserializer(), new ByteArrayDeserializer())
                .readValuesToList().get(0));
        assertThat(door.has("clockSkewMs")).isFalse();
        assertThat(door.get("frames").has("rebased")).isFalse();
    }

    @Test
    void shouldBoundTheWindowsARecordCanOpenByTheServiceClockAndNeverThrow() {
        // Given records whose capture time no detector should have trusted (Long.MAX_VALUE, a year ahead),
        // as an older detector could have written them: the wall clock stands at T0
        send(analysed("odd", 1, Long.MAX_VALUE, people(1)));
        send(analysed("odd", 2, T0 + 365L * 86_400_000, people(1)));
        // Then both are counted in the window at the clock bound (a day here), not in windows of their own
        driver.advanceWallClockTime(Duration.ofDays(2));
        var out = publishedRecords();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).value().frames().analysed()).isEqualTo(2);
        assertThat(out.get(0).value().windowStart()).isEqualTo(T0 + 86_400_000);
        assertThat(out.get(0).value().frames().rebased()).isEqualTo(2);
        // and the record's timestamp is the service's: never later than the wall clock
        assertThat(out.get(0).timestamp()).isLessThanOrEqualTo(T0 + 2 * 86_400_000);
    }

    @Test
    void shouldStampEveryWindowNoLaterThanTheServiceClock() {
        // Given a camera ahead by 59 minutes (within a generous bound), whose windows end ahead of the wall clock
        send(analysed("door", 1, T0 + 3_540_000, people(1)));
        send(analysed("door", 2, T0 + 3_610_000, people(1)));
        // Then its window comes out stamped with the wall clock, not its end (the broker refuses records 1 h ahead)
        var out = publishedRecords();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).value().windowEnd()).isEqualTo(T0 + 3_600_000);
        assertThat(out.get(0).timestamp()).isEqualTo(T0);
    }

    @Test
    void shouldPublishWindowsLeftByAnUntrustedClockAndStartTheCameraAfresh() {
        // Given a state store holding a window in the year 2100 for a camera (written before the clock rule)
        long y2100 = 4_102_444_800_000L;
        CameraStatsState poisoned = new CameraStatsState();
        CameraWindow w = new CameraWindow(y2100, y2100 + 60_000);
        w.analysed = 3;
        poisoned.open.put(y2100, w);
        poisoned.streamTime = y2100 + 10_000;
        poisoned.lastArrival = T0;
        driver.<String, CameraStatsState>getKeyValueStore(CameraStatsProcessor.STORE).put("door", poisoned);
        // When the camera's next frame comes, with its clock right
        send(analysed("door", 1, T0 + 1_000, people(1)));
        // Then the poisoned window is published at once, stamped no later than now, and the frame opens a window of
        // its own (not late): the next minute closes it as usual
        var out = publishedRecords();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).value().windowStart()).isEqualTo(y2100);
        assertThat(out.get(0).timestamp()).isLessThanOrEqualTo(T0);
        send(analysed("door", 2, T0 + 66_000, people()));
        out = publishedRecords();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).value().windowStart()).isEqualTo(T0);
        assertThat(out.get(0).value().frames().analysed()).isEqualTo(1);
        assertThat(out.get(0).value().frames().late()).isZero();
    }
}
