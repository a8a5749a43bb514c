package lookout.track;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

import lookout.detect.Detection;
import lookout.track.TrackingProcessor.Frame;
import lookout.track.TrackingProcessor.TrackedFrame;

class TrackingProcessorTest {
    private static final String IN = "test.frames";
    private static final String OUT = "test.tracks";
    private static final String APP = "lookout-track-test";
    private static final String CHANGELOG = APP + "-" + TrackingProcessor.STORE + "-changelog";
    private static final TrackerSettings SETTINGS = TrackerSettings.byteTrack();

    /** Frames travel through the test topics as Java objects: the topology under test is the processor and its store. */
    private static final Map<String, Object> WIRE = new HashMap<>();

    private static <T> Deserializer<T> byRef() {
        return (topic, bytes) -> {
            @SuppressWarnings("unchecked")
            T v = bytes == null ? null : (T) WIRE.get(new String(bytes));
            return v;
        };
    }

    private static Topology topology() {
        Topology t = new Topology();
        t.addSource("in", new StringDeserializer(), TrackingProcessorTest.<Frame>byRef(), IN);
        t.addProcessor("track", () -> new TrackingProcessor(SETTINGS), "in");
        t.addStateStore(TrackingProcessor.storeBuilder(), "track");
        t.addSink("out", OUT, new StringSerializer(), (topic, v) -> {
            String ref = "out-" + WIRE.size();
            WIRE.put(ref, v);
            return ref.getBytes();
        }, "track");
        return t;
    }

    private static TopologyTestDriver driver() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, APP);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        return new TopologyTestDriver(topology(), p);
    }

    private static List<Detection> people(long seq) {
        return List.of(ByteTrackerTest.person(3 * seq, 0.9), ByteTrackerTest.person(300 - 2 * seq, 0.8));
    }

    private static void send(TopologyTestDriver driver, String camera, long seq, List<Detection> dets) {
        String ref = "in-" + WIRE.size();
        WIRE.put(ref, new Frame(seq, dets));
        driver.createInputTopic(IN, new StringSerializer(), (topic, v) -> ((String) v).getBytes()).pipeInput(camera, ref);
    }

    private static List<TrackedFrame> drain(TopologyTestDriver driver) {
        var out = driver.createOutputTopic(OUT, new StringDeserializer(), TrackingProcessorTest.<TrackedFrame>byRef());
        return out.readValuesToList();
    }

    @Test
    void shouldKeepSeparateTrackersPerCameraInTheStore() {
        try (TopologyTestDriver driver = driver()) {
            // Given two cameras with different people in view
            send(driver, "door", 1, people(1));
            send(driver, "hall", 1, List.of(ByteTrackerTest.person(100, 0.95)));
            send(driver, "door", 2, people(2));
            // Then each camera numbers its own tracks from 1
            List<TrackedFrame> out = drain(driver);
            assertThat(out).extracting(f -> f.detections().stream().map(TrackedDetection::trackId).toList())
                    .containsExactly(List.of(1L, 2L), List.of(1L), List.of(1L, 2L));
            KeyValueStore<String, TrackerState> store = driver.getKeyValueStore(TrackingProcessor.STORE);
            assertThat(store.get("door").nextId()).isEqualTo(3);
            assertThat(store.get("hall").nextId()).isEqualTo(2);
        }
    }

    @Test
    void shouldContinueTheSameIdsOnANewInstanceRestoredFromTheChangelog() {
        // Given an instance that tracked 10 frames of a camera, then died
        List<KeyValue<String, TrackerState>> changelog;
        List<TrackedFrame> reference = new ArrayList<>();
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
            List<TrackedFrame> all = drain(never);
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
            assertThat(drain(second)).isEqualTo(reference);
        }
    }

    @Test
    void shouldTrackFramesWithoutACameraKeyUnderUnknownAndIgnoreTombstones() {
        try (TopologyTestDriver driver = driver()) {
            send(driver, null, 1, people(1));
            driver.createInputTopic(IN, new StringSerializer(), new StringSerializer())
                    .pipeInput("door", (String) null);
            assertThat(drain(driver)).hasSize(1);
            KeyValueStore<String, TrackerState> store = driver.getKeyValueStore(TrackingProcessor.STORE);
            assertThat(store.get(TrackingProcessor.UNKNOWN_CAMERA)).isNotNull();
            assertThat(store.get("door")).isNull();
        }
    }
}
