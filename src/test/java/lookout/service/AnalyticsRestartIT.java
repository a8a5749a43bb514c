package lookout.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import lookout.common.Json;
import lookout.config.FramePolicy;
import lookout.config.StatsSettings;
import lookout.config.TrackerSettings;
import lookout.inference.FakeDetector;
import lookout.kafka.KafkaClients;
import lookout.kafka.Topics;
import lookout.stats.CameraMetrics;
import lookout.stats.CountingLines;
import lookout.testing.TestBroker;
import lookout.testing.TestFrames;
import lookout.testing.TestSettings;

/**
 * The tracker's and statistics' state survives a detector's restart on a real broker: a new
 * instance (its own, empty state directory) restores the stores from their changelogs and goes on
 * with the same track ids and the same open window, under exactly_once_v2.
 */
@Timeout(300)
class AnalyticsRestartIT {
    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    private static final String APP = "it-analytics-restart";
    private static final Duration TRUSTED = Duration.ofHours(1);
    private static final TrackerSettings TRACKER = new TrackerSettings(0.9, 0.3, 0.9, 0.1, 0.5, 30, 3);

    @TempDir
    Path stateRoot;
    private int instances;

    private DetectionService start() throws Exception {
        // every frame analysed (this test checks each frame's track id), and a state directory of the
        // instance's own, empty: the stores are restored from their changelogs. The camera's clock is trusted
        // for an hour either way: the test moves its capture time 11 minutes ahead to close a window
        DetectionService service = new DetectionService(TestSettings.detector(Path.of("fake"), APP, 1)
                .withScheduling(FramePolicy.EVERY_FRAME).withStateDir(stateRoot.resolve("instance-" + ++instances))
                .withClockMaxSkew(TRUSTED), new KafkaClients(broker.kafka(2)), new SimpleMeterRegistry(),
                (dir, device) -> new FakeDetector(), Clock.systemUTC()).after(new AnalyticsStage(TRACKER,
                        new StatsSettings(Duration.ofMinutes(10), Duration.ofSeconds(1), 0.02, null), TRUSTED,
                        new CountingLines(), new CameraMetrics(new SimpleMeterRegistry())));
        return DetectionServiceIT.awaitReady(service.start());
    }

    /** Frames of one size: FakeDetector puts its person at the same place relative to the frame, so the size moves them. */
    private static void send(KafkaProducer<String, byte[]> producer, int fromSeq, int toSeq, byte[] jpeg, long captureTs) {
        for (int seq = fromSeq; seq <= toSeq; seq++) {
            ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.FRAMES, "door", jpeg);
            r.headers().add(Topics.HEADER_SEQ, String.valueOf(seq).getBytes(StandardCharsets.UTF_8));
            r.headers().add(Topics.HEADER_TS, String.valueOf(captureTs + seq).getBytes(StandardCharsets.UTF_8));
            producer.send(r);
        }
        producer.flush();
    }

    private static List<JsonNode> read(KafkaConsumer<String, byte[]> consumer, int expected) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : TestBroker.readUntil(consumer, l -> l.size() >= expected, Duration.ofSeconds(120))) {
            out.add(Json.MAPPER.readTree(r.value()));
        }
        return out;
    }

    private static long trackId(JsonNode record) {
        return record.get("detections").get(0).path("trackId").asLong(0);
    }

    @Test
    void shouldKeepTrackIdsAndOpenWindowsAcrossARestart() throws Exception {
        long t0 = System.currentTimeMillis();
        try (KafkaProducer<String, byte[]> producer = broker.clients().producer("it-analytics-camera");
                KafkaConsumer<String, byte[]> detections = broker.consumer(Topics.DETECTIONS)) {
            // Given a camera where person A stands for 5 frames, then person B (elsewhere) for 5 frames
            DetectionService first = start();
            send(producer, 1, 5, TestFrames.jpeg(64, 48), t0);
            send(producer, 6, 10, TestFrames.jpeg(256, 192), t0);
            List<JsonNode> before = read(detections, 10);
            assertThat(before).extracting(AnalyticsRestartIT::trackId)
                    .containsExactly(1L, 1L, 1L, 1L, 1L, 0L, 0L, 2L, 2L, 2L);
            // When the detector stops and a new instance (empty state directory) takes over
            first.close();
            DetectionService second = start();
            send(producer, 11, 12, TestFrames.jpeg(256, 192), t0);
            // Then B keeps id 2 (a tracker starting afresh would have called them 1)
            assertThat(read(detections, 2)).extracting(AnalyticsRestartIT::trackId).containsExactly(2L, 2L);
            // and the window that was open before the restart holds all 12 frames and both people
            send(producer, 13, 13, TestFrames.jpeg(256, 192), t0 + 11 * 60_000);
            try (KafkaConsumer<String, byte[]> stats = broker.consumer(Topics.CAMERA_STATS)) {
                JsonNode window = read(stats, 1).get(0);
                assertThat(window.get("frames").get("analysed").asLong()).isEqualTo(12);
                assertThat(window.get("tracks").asInt()).isEqualTo(2);
            }
            second.close();
        }
    }
}
