package lookout.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

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

import com.fasterxml.jackson.databind.JsonNode;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import lookout.common.Json;
import lookout.config.FrameLimits;
import lookout.config.FramePolicy;
import lookout.frames.FrameDecoder;
import lookout.inference.FakeDetector;
import lookout.inference.InferencePool;
import lookout.kafka.Topics;
import lookout.testing.TestFrames;

/** The third scheduling policy, through the real topology: one frame in N per camera, the others answered skipped. */
@Timeout(60)
class EveryNthFrameTest {
    static final long NOW = 1_700_000_000_000L;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final FakeDetector detector = new FakeDetector();
    private final InferencePool pool = new InferencePool(List.of(detector), 4, Duration.ofMillis(5), 8,
            new DetectionMetrics(registry)).start();
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> frames;
    private TestOutputTopic<String, byte[]> detections;

    /** The topology under {@code lookout.scheduling=every-nth-frame}, N as configured. */
    private void start(FramePolicy configured) {
        SchedulingPolicy policy = SchedulingPolicy.of(configured, new SchedulingPolicy.Wiring(null, null, null, null));
        DetectionTopology topology = new DetectionTopology(
                new DetectionTopology.Settings(Duration.ofSeconds(10), 0.5f, Duration.ofSeconds(5), 1024 * 1024, 300_000,
                        Duration.ofSeconds(5)),
                new FrameDecoder(new FrameLimits(200_000, 8192, 8192L * 4608)), pool, new DetectionMetrics(registry),
                Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC), policy);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:1234");
        driver = new TopologyTestDriver(topology.build(), props, Instant.ofEpochMilli(NOW));
        frames = driver.createInputTopic(Topics.FRAMES, new StringSerializer(), new ByteArraySerializer());
        detections = driver.createOutputTopic(Topics.DETECTIONS, new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void tearDown() {
        if (driver != null) {
            driver.close();
        }
        pool.close();
    }

    private void send(String camera, int seq) {
        RecordHeaders h = new RecordHeaders();
        h.add(Topics.HEADER_SEQ, String.valueOf(seq).getBytes(StandardCharsets.UTF_8));
        h.add(Topics.HEADER_TS, String.valueOf(NOW - 50).getBytes(StandardCharsets.UTF_8));
        frames.pipeInput(new TestRecord<>(camera, TestFrames.jpeg(64, 48), h, Instant.ofEpochMilli(NOW)));
    }

    /** Per camera, each record's status (with its reason when skipped), in order. */
    private List<String> statusesOf(List<JsonNode> out, String camera) {
        List<String> statuses = new ArrayList<>();
        for (JsonNode r : out) {
            if (r.get("camera").asText().equals(camera)) {
                statuses.add(r.get("status").asText() + (r.has("reason") ? "/" + r.get("reason").asText() : ""));
            }
        }
        return statuses;
    }

    private List<JsonNode> all() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (TestRecord<String, byte[]> r : detections.readRecordsToList()) {
            out.add(Json.MAPPER.readTree(r.value()));
        }
        return out;
    }

    @Test
    void shouldAnalyseEveryThirdFrameOfEachCameraAndAnswerTheOthersSkippedNotSampled() throws Exception {
        // Given every-nth-frame with N = 3, and two cameras sharing the partition
        start(FramePolicy.of("every-nth-frame", 3));
        // When cam1 sends 7 frames and cam2 4, interleaved
        for (int seq = 1; seq <= 7; seq++) {
            send("cam1", seq);
            if (seq <= 4) {
                send("cam2", seq);
            }
        }
        // Then each camera's first frame and every third after it is analysed, counted per camera, and every
        // other frame still gets its one record: skipped, with its own seq and size, no boxes and no inference
        List<JsonNode> out = all();
        assertThat(out).hasSize(11);
        assertThat(statusesOf(out, "cam1")).containsExactly("ok", "skipped/not-sampled", "skipped/not-sampled", "ok",
                "skipped/not-sampled", "skipped/not-sampled", "ok");
        assertThat(statusesOf(out, "cam2")).containsExactly("ok", "skipped/not-sampled", "skipped/not-sampled", "ok");
        JsonNode skipped = out.stream().filter(r -> r.get("camera").asText().equals("cam1")).toList().get(1);
        assertThat(skipped.get("seq").asLong()).isEqualTo(2);
        assertThat(skipped.get("width").asInt()).isEqualTo(64);
        assertThat(skipped.get("detections")).isEmpty();
        assertThat(skipped.get("timings").has("inferenceMs")).isFalse();
        assertThat(detector.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(5);
        // And the skipped frames are counted as latest-frame's superseded ones are: by camera and reason
        assertThat(registry.get("lookout.frames.skipped").tag("camera", "cam1").tag("reason", "not-sampled").counter()
                .count()).isEqualTo(4);
        assertThat(registry.get("lookout.frames.skipped").tag("camera", "cam2").tag("reason", "not-sampled").counter()
                .count()).isEqualTo(2);
        assertThat(registry.get("lookout.frames.out").tag("camera", "cam1").tag("status", "skipped").counter().count())
                .isEqualTo(4);
    }

    @Test
    void shouldAnalyseEveryFrameWhenNIsOne() throws Exception {
        // Given every-nth-frame with N = 1
        start(FramePolicy.of("every-nth-frame", 1));
        // When three frames arrive, Then all three are analysed
        for (int seq = 1; seq <= 3; seq++) {
            send("cam1", seq);
        }
        assertThat(statusesOf(all(), "cam1")).containsExactly("ok", "ok", "ok");
    }

    @Test
    void shouldRefuseAnNBelowOne() {
        assertThatThrownBy(() -> FramePolicy.of("every-nth-frame", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lookout.scheduling.every-nth");
    }
}
