package lookout.track;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

import lookout.common.Json;
import lookout.config.TrackerSettings;
import lookout.detections.Detection;
import lookout.detections.DetectionRecord;

class TrackingProcessorTest {
    private static final String IN = "test.detected";
    private static final String OUT = "test.tracked";
    private static final String APP = "lookout-track-test";
    private static final String CHANGELOG = APP + "-" + TrackingProcessor.STORE + "-changelog";
    private static final TrackerSettings SETTINGS = TrackerSettings.byteTrack();

    /** Detections records as JSON, as they are published: the topology under test is the processor and its store. */
    private static final Deserializer<DetectionRecord> RECORDS = (topic, bytes) -> {
        try {
            return bytes == null ? null : Json.MAPPER.readValue(bytes, DetectionRecord.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    };

    private static Topology topology() {
        Topology t = new Topology();
        t.addSource("in", new ByteArrayDeserializer(), RECORDS, IN);
        t.addProcessor("track", () -> new TrackingProcessor(SETTINGS), "in");
        t.addStateStore(TrackingProcessor.storeBuilder(), "track");
        t.addSink("out", OUT, new ByteArraySerializer(), DetectionRecord.serializer(), "track");
        return t;
    }

    private static TopologyTestDriver driver() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, APP);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        return new TopologyTestDriver(topology(), p);
    }

    static DetectionRecord analysed(String camera, long seq, List<Detection> dets) {
        List<DetectionRecord.Item> items = new ArrayList<>();
        for (Detection d : dets) {
            items.add(new DetectionRecord.Item(d.label(), d.score(), d.box(), null));
        }
        return new DetectionRecord(camera, seq, 1000 * seq, 640, 480, new DetectionRecord.ModelRef("m", "1"),
                DetectionRecord.OK, null, items, null, new DetectionRecord.Timings(1.0, 2.0, 1, 5));
    }

    static DetectionRecord skipped(String camera, long seq) {
        return new DetectionRecord(camera, seq, 1000 * seq, 640, 480, new DetectionRecord.ModelRef("m", "1"),
                DetectionRecord.SKIPPED, DetectionRecord.STALE, List.of(), null, new DetectionRecord.Timings(null, null, null, 11_000));
    }

    private static List<Detection> people(long seq) {
        return List.of(ByteTrackerTest.person(3 * seq, 0.9), ByteTrackerTest.person(300 - 2 * seq, 0.8));
    }

    private static void send(TopologyTestDriver driver, String camera, DetectionRecord record) {
        TestInputTopic<String, String> in = driver.createInputTopic(IN, new StringSerializer(), new StringSerializer());
        in.pipeInput(camera, record == null ? null : new String(record.toJson(), java.nio.charset.StandardCharsets.UTF_8));
    }

    private static void send(TopologyTestDriver driver, String camera, long seq, List<Detection> dets) {
        send(driver, camera, analysed(camera, seq, dets));
    }

    private static List<DetectionRecord> drain(TopologyTestDriver driver) {
        return driver.createOutputTopic(OUT, new StringDeserializer(), RECORDS).readValuesToList();
    }

    private static byte[] bytes(TrackerState state) {
        try (TrackerStateSerde serde = new TrackerStateSerde()) {
            return serde.serializer().serialize(CHANGELOG, state);
        }
    }

    private static List<Long> ids(DetectionRecord r) {
        return r.detections().stream().map(DetectionRecord.Item::trackId).toList();
    }

    @Test
    void shouldKeepSeparateTrackersPerCameraInTheStore() {
        try (TopologyTestDriver driver = driver()) {
            // Given two cameras with different people in view
            send(driver, "door", 1, people(1));
            send(driver, "hall", 1, List.of(ByteTrackerTest.person(100, 0.95)));
            send(driver, "door", 2, people(2));
            // Then each camera numbers its own tracks from 1, as a trackId on each detection
            List<DetectionRecord> out = drain(driver);
            assertThat(out).extracting(TrackingProcessorTest::ids)
                    .containsExactly(List.of(1L, 2L), List.of(1L), List.of(1L, 2L));
            KeyValueStore<String, TrackerState> store = driver.getKeyValueStore(TrackingProcessor.STORE);
            assertThat(store.get("door").nextId()).isEqualTo(3);
            assertThat(store.get("hall").nextId()).isEqualTo(2);
        }
    }

    @Test
    void shouldPublishTheTrackIdAsAFieldOfEachItemAndLeaveItOutForUnconfirmedDetections() throws Exception {
        try (TopologyTestDriver driver = driver()) {
            // Given a person confirmed on the camera's first frame, and a newcomer on the second (2 hits to confirm)
            send(driver, "door", 1, List.of(ByteTrackerTest.person(0, 0.9)));
            send(driver, "door", 2, List.of(ByteTrackerTest.person(3, 0.9), ByteTrackerTest.person(300, 0.9)));
            var out = driver.createOutputTopic(OUT, new StringDeserializer(), new StringDeserializer()).readValuesToList();
            // Then the JSON item carries "trackId" only when the detection is on a confirmed track
            var second = Json.MAPPER.readTree(out.get(1)).get("detections");
            assertThat(second.get(0).get("trackId").asLong()).isEqualTo(1);
            assertThat(second.get(1).has("trackId")).isFalse();
            assertThat(second.get(1).get("score").asDouble()).isEqualTo(0.9, org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    void shouldPassSkippedFramesThroughWithoutTouchingTheTrackerState() {
        try (TopologyTestDriver driver = driver()) {
            // Given a camera tracked for three frames, two people standing in view
            List<Detection> standing = List.of(ByteTrackerTest.person(100, 0.9), ByteTrackerTest.person(300, 0.8));
            for (long seq = 1; seq <= 3; seq++) {
                send(driver, "door", seq, standing);
            }
            KeyValueStore<String, TrackerState> store = driver.getKeyValueStore(TrackingProcessor.STORE);
            byte[] before = bytes(store.get("door"));
            // When the next 40 frames are skipped (not looked at), more than ByteTrack's 30-frame memory
            for (long seq = 4; seq <= 43; seq++) {
                send(driver, "door", skipped("door", seq));
            }
            // Then they come out as they went in, the state is untouched
            List<DetectionRecord> out = drain(driver);
            assertThat(out.subList(3, 43)).allSatisfy(r -> {
                assertThat(r.status()).isEqualTo(DetectionRecord.SKIPPED);
                assertThat(r.detections()).isEmpty();
            });
            assertThat(bytes(store.get("door"))).isEqualTo(before);
            // and the people seen again on frame 44 keep their ids (the gap counted as no miss at all)
            send(driver, "door", 44, standing);
            assertThat(ids(drain(driver).get(0))).containsExactly(1L, 2L);
        }
    }

    @Test
    void shouldContinueTheSameIdsOnANewInstanceRestoredFromTheChangelog() {
        // Given an instance that tracked 10 frames of a camera, then died
        List<KeyValue<String, TrackerState>> changelog;
        List<DetectionRecord> reference = new ArrayList<>();
        try (TopologyTestDriver first = driver()) {
            for (long seq = 1; seq <= 10; seq++) {
                send(first, "door", seq, people(seq));
            }
            drain(first);
            changelog = first.createOutputTopic(CHANGELOG, new StringDeserializer(), new TrackerStateSerde().deserializer())
                    .readKeyValuesToList();
        }
        try (TopologyTestDriver never = driver()) {
            for (long seq = 1; seq <= 20; seq++) {
                send(never, "door", seq, people(seq));
            }
            List<DetectionRecord> all = drain(never);
            reference.addAll(all.subList(10, 20));
        }
        // When another instance restores the store from the changelog (last value per key) and goes on
        assertThat(changelog).hasSize(10);
        try (TopologyTestDriver second = driver()) {
            KeyValueStore<String, TrackerState> store = second.getKeyValueStore(TrackingProcessor.STORE);
            changelog.forEach(kv -> store.put(kv.key, kv.value));
            for (long seq = 11; seq <= 20; seq++) {
                send(second, "door", seq, people(seq));
            }
            // Then its output is the uninterrupted instance's, ids included
            assertThat(drain(second)).extracting(TrackingProcessorTest::ids)
                    .containsExactlyElementsOf(reference.stream().map(TrackingProcessorTest::ids).toList());
        }
    }

    @Test
    void shouldTrackFramesWithoutACameraKeyUnderUnknownAndPassTombstonesOn() {
        try (TopologyTestDriver driver = driver()) {
            send(driver, null, 1, people(1));
            send(driver, "door", null);
            assertThat(drain(driver)).hasSize(2);
            KeyValueStore<String, TrackerState> store = driver.getKeyValueStore(TrackingProcessor.STORE);
            assertThat(store.get(TrackingProcessor.UNKNOWN_CAMERA)).isNotNull();
            assertThat(store.get("door")).isNull();
        }
    }
}
