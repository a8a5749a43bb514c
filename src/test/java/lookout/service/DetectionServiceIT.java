package lookout.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import lookout.common.Json;
import lookout.common.Sha256;
import lookout.config.DetectorSettings;
import lookout.config.FrameLimits;
import lookout.config.FramePolicy;
import lookout.detect.DeadLetter;
import lookout.inference.DetectorFactory;
import lookout.inference.DjlDetector;
import lookout.kafka.KafkaClients;
import lookout.kafka.TopicAdmin;
import lookout.kafka.TopicFollower;
import lookout.kafka.Topics;
import lookout.testing.TestBroker;
import lookout.testing.TestFrames;
import lookout.testing.TestModels;
import lookout.testing.TestSettings;

/**
 * The real pipeline against a real (embedded, KRaft) Kafka with the real tiny TorchScript model
 * through DjlDetector: real producers send good and broken frames, read_committed consumers check
 * that every frame is answered exactly once on the right topic with the documented contract.
 */
@Timeout(300)
class DetectionServiceIT {
    @RegisterExtension
    static final TestBroker broker = new TestBroker();
    /** Frames and DLQ get three partitions: batches form across them. */
    final List<DetectionService> services = new ArrayList<>();

    @AfterEach
    void stopServices() {
        services.forEach(DetectionService::close);
    }

    /**
     * The configured detector on the tiny model, frames limited to 1,000,000 bytes (so "too-large" is cheap to send),
     * every frame analysed: these tests send bursts and check each frame's analysis (LatestFrameIT covers the default).
     */
    DetectorSettings settings(Path model, String appId) {
        DetectorSettings d = TestSettings.detector(model, appId, 2);
        FrameLimits f = d.frames();
        return new DetectorSettings(d.modelDir(), d.devices(), d.workersPerDevice(), d.batchMaxSize(), d.batchMaxDelay(),
                d.batchQueueCapacity(), d.maxFrameAge(), d.scoreThreshold(), d.inferenceTimeout(),
                d.processingGuarantee(), d.streamThreads(), d.commitInterval(), d.applicationId(),
                new FrameLimits(1_000_000, f.maxDimension(), f.maxPixels()), d.stateDir(), FramePolicy.EVERY_FRAME,
                d.clockMaxSkew(), d.warmBeforeReady());
    }

    DetectionService startService(DetectorSettings settings) throws InterruptedException {
        return startService(settings, DjlDetector::load);
    }

    DetectionService startService(DetectorSettings settings, DetectorFactory factory)
            throws InterruptedException {
        DetectionService service = new DetectionService(settings, new KafkaClients(broker.kafka(3)),
                new SimpleMeterRegistry(), factory, Clock.systemUTC());
        services.add(service);
        return awaitReady(service.start());
    }

    /** Waits (at most 120 s) until a started service is ready. */
    static DetectionService awaitReady(DetectionService service) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!service.ready()) {
            assertThat(System.nanoTime()).as("service ready within 120 s").isLessThan(deadline);
            Thread.sleep(200);
        }
        return service;
    }

    KafkaProducer<String, byte[]> producer() {
        return broker.clients().producer("it-camera");
    }

    static ProducerRecord<String, byte[]> frame(String camera, byte[] bytes, String seq, String ts) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.FRAMES, camera, bytes);
        if (seq != null) {
            r.headers().add(Topics.HEADER_SEQ, seq.getBytes(StandardCharsets.UTF_8));
        }
        if (ts != null) {
            r.headers().add(Topics.HEADER_TS, ts.getBytes(StandardCharsets.UTF_8));
        }
        return r;
    }

    /** Reads a topic from the beginning (read_committed) until {@code expected} records or the timeout. */
    List<ConsumerRecord<String, byte[]>> readCommitted(String topic, String keyPrefix, int expected, Duration timeout) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = broker.consumer(topic)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            java.util.function.Consumer<ConsumerRecord<String, byte[]>> keep = r -> {
                if (r.key() != null && r.key().startsWith(keyPrefix)) {
                    out.add(r);
                }
            };
            while (out.size() < expected && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(keep);
            }
            // linger a little: anything beyond `expected` would be a duplicate
            long settle = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < settle) {
                c.poll(Duration.ofMillis(200)).forEach(keep);
            }
        }
        return out;
    }

    static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldAnswerEveryRealFrameOnceAndDeadLetterBrokenOnes() throws Exception {
        // Given the service with the real tiny model on a real broker
        Path model = TestModels.tinyModelDir();
        DetectorSettings settings = settings(model, "it-contract");
        startService(settings);
        String now = String.valueOf(System.currentTimeMillis());
        // broken frames by seq header, with the reason each must be dead-lettered for
        Map<String, byte[]> broken = new HashMap<>();
        Map<String, String> expectedReason = new HashMap<>();
        broken.put("101", TestFrames.truncatedJpeg());
        expectedReason.put("101", "corrupt");
        broken.put("102", TestFrames.randomBytes(5000, 3));
        expectedReason.put("102", "unknown-format");
        broken.put("103", new byte[0]);
        expectedReason.put("103", "empty");
        broken.put("104", TestFrames.pngBomb());
        expectedReason.put("104", "too-many-pixels");
        broken.put("105", Arrays.copyOf(TestFrames.jpeg(64, 48), 1_030_000)); // limit is 1,000,000 here
        expectedReason.put("105", "too-large");
        expectedReason.put("not-a-number", "bad-header");
        int good = 24;
        // When three cameras send real JPEGs, and one sends broken frames and a bad header
        try (KafkaProducer<String, byte[]> producer = producer()) {
            byte[] jpeg = TestFrames.jpeg(320, 240);
            for (int i = 1; i <= good; i++) {
                producer.send(frame("cam-" + (i % 3), jpeg, String.valueOf(i), now));
            }
            for (var e : broken.entrySet()) {
                producer.send(frame("cam-bad", e.getValue(), e.getKey(), null));
            }
            producer.send(frame("cam-bad", jpeg, "not-a-number", now));
            producer.flush();
        }
        // Then each good frame gets exactly one "ok" record with the contract's fields
        List<ConsumerRecord<String, byte[]>> detections = readCommitted(Topics.DETECTIONS, "cam-", good, Duration.ofSeconds(120));
        assertThat(detections).hasSize(good);
        Set<Long> seqs = new HashSet<>();
        for (ConsumerRecord<String, byte[]> r : detections) {
            JsonNode d = Json.MAPPER.readTree(r.value());
            assertThat(d.get("camera").asText()).isEqualTo(r.key()).startsWith("cam-");
            assertThat(d.get("status").asText()).isEqualTo("ok");
            assertThat(d.get("width").asInt()).isEqualTo(320);
            assertThat(d.get("height").asInt()).isEqualTo(240);
            assertThat(d.get("captureTs").asText()).isEqualTo(now);
            assertThat(d.get("model").get("name").asText()).isEqualTo("lookout-tiny");
            assertThat(d.get("model").get("version").asText()).isEqualTo("1");
            assertThat(d.get("timings").get("batchSize").asInt()).isBetween(1, 2);
            assertThat(d.get("timings").get("inferenceMs").asDouble()).isPositive();
            for (JsonNode det : d.get("detections")) {
                // only what scores at least the configured threshold is published
                assertThat(det.get("score").asDouble()).isBetween((double) settings.scoreThreshold(), 1.0);
                JsonNode box = det.get("box");
                assertThat(box.get(0).asDouble()).isGreaterThanOrEqualTo(0).isLessThan(box.get(2).asDouble());
                assertThat(box.get(2).asDouble()).isLessThanOrEqualTo(320);
                assertThat(box.get(1).asDouble()).isGreaterThanOrEqualTo(0).isLessThan(box.get(3).asDouble());
                assertThat(box.get(3).asDouble()).isLessThanOrEqualTo(240);
            }
            seqs.add(d.get("seq").asLong());
        }
        assertThat(seqs).hasSize(good);
        // And each broken frame exactly one DLQ record with its reason, headers, size and hash, and no image bytes
        List<ConsumerRecord<String, byte[]>> dlq = readCommitted(Topics.FRAMES_DLQ, "cam-bad", broken.size() + 1, Duration.ofSeconds(60));
        assertThat(dlq).hasSize(broken.size() + 1);
        Map<String, String> reasonBySeq = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : dlq) {
            reasonBySeq.put(header(r, Topics.HEADER_SEQ), header(r, Topics.HEADER_DLQ_REASON));
            assertThat(header(r, Topics.HEADER_DLQ_DETAIL)).isNotBlank();
            assertThat(r.value()).as("a dead letter keeps no image bytes by default").isNull();
            if (broken.containsKey(header(r, Topics.HEADER_SEQ))) {
                byte[] original = broken.get(header(r, Topics.HEADER_SEQ));
                assertThat(header(r, DeadLetter.HEADER_SIZE)).isEqualTo(String.valueOf(original.length));
                assertThat(header(r, DeadLetter.HEADER_SHA256)).isEqualTo(Sha256.hex(original));
            }
        }
        assertThat(reasonBySeq).containsExactlyInAnyOrderEntriesOf(expectedReason);
    }

    /** The real detector, slowed down so that a restart reliably lands mid-stream. */
    static DetectorFactory slowed(long msPerBatch) {
        return SlowedDetectors.slowed(msPerBatch, 0);
    }

    @Test
    void shouldAnswerEveryFrameExactlyOnceAcrossAStopAndRestartMidStream() throws Exception {
        // Given 90 frames from three cameras already waiting in the topic
        Path model = TestModels.tinyModelDir();
        int total = 90;
        DetectorSettings settings = settings(model, "it-restart");
        TopicAdmin.ensure(broker.kafka(3), Topics.DETECTOR);
        String now = String.valueOf(System.currentTimeMillis());
        try (KafkaProducer<String, byte[]> producer = producer()) {
            byte[] jpeg = TestFrames.jpeg(320, 240);
            for (int i = 1; i <= total; i++) {
                producer.send(frame("rcam-" + (i % 3), jpeg, String.valueOf(i), now));
            }
            producer.flush();
        }
        // When a service starts, is stopped after some frames, and a new instance takes over
        DetectionService first = startService(settings, slowed(500));
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (countRestartOutputs() < 5 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        first.close();
        int afterFirst = countRestartOutputs();
        assertThat(afterFirst).as("the stop came mid-stream").isBetween(5, total - 1);
        startService(settings, DjlDetector::load);
        // Then, read_committed, every frame has exactly one detections record: none lost, none doubled
        List<ConsumerRecord<String, byte[]>> all = readCommitted(Topics.DETECTIONS, "rcam-", total, Duration.ofSeconds(120));
        Map<String, Integer> perFrame = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : all) {
            if (r.key() != null && r.key().startsWith("rcam-")) {
                JsonNode d = Json.MAPPER.readTree(r.value());
                perFrame.merge(r.key() + "/" + d.get("seq").asLong(), 1, Integer::sum);
            }
        }
        assertThat(perFrame).hasSize(total);
        assertThat(perFrame.values()).allMatch(n -> n == 1);
    }

    /** Detections records of the restart test committed so far (read_committed, up to the current end). */
    private int countRestartOutputs() {
        AtomicInteger n = new AtomicInteger();
        TopicFollower.snapshot(broker.clients(), "it-count", Topics.DETECTIONS, Duration.ofSeconds(30), (key, value) -> {
            if (key != null && key.startsWith("rcam-")) {
                n.incrementAndGet();
            }
        });
        return n.get();
    }
}
