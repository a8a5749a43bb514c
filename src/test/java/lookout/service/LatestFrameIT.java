package lookout.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import lookout.common.Json;
import lookout.config.DetectorSettings;
import lookout.config.FramePolicy;
import lookout.inference.DetectorFactory;
import lookout.kafka.KafkaClients;
import lookout.kafka.TopicAdmin;
import lookout.kafka.Topics;
import lookout.testing.TestBroker;
import lookout.testing.TestFrames;
import lookout.testing.TestModels;
import lookout.testing.TestSettings;

/**
 * The latest-frame policy and the fair share of the model across cameras, on a real broker with
 * the real tiny model made slow (a fixed cost per frame, as on a CPU) so that cameras outpace it:
 * every frame is still answered exactly once (read_committed), a fast camera's answers stay
 * current, a backlog collapses to the newest frame per camera, and cameras that share a partition
 * get the same share as those that do not.
 */
@Timeout(300)
class LatestFrameIT {
    private static final Logger LOG = Logger.getLogger(LatestFrameIT.class);
    static final int PARTITIONS = 3;
    @RegisterExtension
    static final TestBroker broker = new TestBroker();
    final List<DetectionService> services = new ArrayList<>();
    /** The meters of the service started last. */
    SimpleMeterRegistry meters;

    @AfterEach
    void stopServices() {
        services.forEach(DetectionService::close);
    }

    /** The real tiny model, plus {@code msPerFrame} of sleep per frame in the batch. */
    static DetectorFactory costing(long msPerFrame) {
        return SlowedDetectors.slowed(0, msPerFrame);
    }

    DetectionService start(String appId, int streamThreads, long msPerFrame) throws InterruptedException {
        DetectorSettings d = TestSettings.detector(TestModels.tinyModelDir(), appId, PARTITIONS);
        DetectorSettings settings = new DetectorSettings(d.modelDir(), d.devices(), d.workersPerDevice(), d.batchMaxSize(),
                d.batchMaxDelay(), d.batchQueueCapacity(), Duration.ofSeconds(60), d.scoreThreshold(), d.inferenceTimeout(),
                d.processingGuarantee(), streamThreads, d.commitInterval(), appId, d.frames(), d.stateDir(), FramePolicy.LATEST_FRAME,
                d.clockMaxSkew(), d.warmBeforeReady());
        meters = new SimpleMeterRegistry();
        DetectionService service = new DetectionService(settings, new KafkaClients(broker.kafka(PARTITIONS)),
                meters, costing(msPerFrame), Clock.systemUTC());
        services.add(service);
        service.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!service.ready()) {
            assertThat(System.nanoTime()).as("service ready within 120 s").isLessThan(deadline);
            Thread.sleep(200);
        }
        return service;
    }

    static ProducerRecord<String, byte[]> frame(String camera, byte[] jpeg, long seq) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.FRAMES, camera, jpeg);
        r.headers().add(Topics.HEADER_SEQ, String.valueOf(seq).getBytes(StandardCharsets.UTF_8));
        r.headers().add(Topics.HEADER_TS, String.valueOf(System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8));
        return r;
    }

    /** Sends {@code seconds} of frames, camera i at fps.get(i), paced; returns the frames sent per camera. */
    static Map<String, Integer> send(Map<String, Integer> fps, int seconds) throws InterruptedException {
        byte[] jpeg = TestFrames.jpeg(96, 72);
        Map<String, Integer> sent = new HashMap<>();
        try (KafkaProducer<String, byte[]> producer = broker.clients().producer("it-camera")) {
            producer.partitionsFor(Topics.FRAMES); // metadata first: the first frames must not wait for it
            long start = System.nanoTime();
            for (int tick = 1; tick <= seconds * 100; tick++) { // 10 ms ticks
                for (var e : fps.entrySet()) {
                    long due = (long) tick * e.getValue() / 100;
                    while (sent.getOrDefault(e.getKey(), 0) < due) {
                        int seq = sent.merge(e.getKey(), 1, Integer::sum);
                        producer.send(frame(e.getKey(), jpeg, seq));
                    }
                }
                long sleep = start + TimeUnit.MILLISECONDS.toNanos(10L * tick) - System.nanoTime();
                if (sleep > 0) {
                    TimeUnit.NANOSECONDS.sleep(sleep);
                }
            }
            producer.flush();
        }
        return sent;
    }

    /** Every detections record (read_committed) of cameras with this prefix, once {@code expected} arrived or 120 s passed. */
    static List<JsonNode> answers(String prefix, int expected) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        Predicate<ConsumerRecord<String, byte[]>> mine = r -> r.key() != null && r.key().startsWith(prefix);
        try (KafkaConsumer<String, byte[]> c = broker.consumer(Topics.DETECTIONS)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            long settle = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settle)) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (mine.test(r)) {
                        out.add(Json.MAPPER.readTree(r.value()));
                    }
                }
                if (out.size() >= expected && settle == Long.MAX_VALUE) {
                    settle = System.nanoTime() + Duration.ofSeconds(2).toNanos(); // a duplicate would show now
                }
            }
        }
        return out;
    }

    static String outcome(JsonNode r) {
        return r.get("status").asText() + (r.has("reason") ? "/" + r.get("reason").asText() : "");
    }

    /** Each camera/seq answered exactly once, for all frames sent. */
    static void assertEachFrameAnsweredOnce(List<JsonNode> answers, Map<String, Integer> sent) {
        Map<String, Integer> perFrame = new HashMap<>();
        for (JsonNode r : answers) {
            perFrame.merge(r.get("camera").asText() + "/" + r.get("seq").asLong(), 1, Integer::sum);
        }
        int total = sent.values().stream().mapToInt(Integer::intValue).sum();
        assertThat(perFrame).hasSize(total);
        assertThat(perFrame.values()).allMatch(n -> n == 1);
    }

    static long percentile(List<Long> values, double p) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get((int) Math.ceil(p * (sorted.size() - 1)));
    }

    @Test
    void shouldKeepACameraSendingFiveTimesFasterThanTheModelCurrentAndAnswerEveryFrameOnce() throws Exception {
        // Given a model that takes 100 ms a frame (10 fps at best) and a camera sending 50 fps for 8 s
        start("it-latest", 0, 100);
        long warm = System.currentTimeMillis() + 2000; // the first frames also wait for the stream thread's first fetch
        Map<String, Integer> sent = send(Map.of("fast-cam", 50), 8);
        // When its answers are read
        List<JsonNode> answers = answers("fast-cam", sent.get("fast-cam"));
        // Then every frame has exactly one answer, most of them superseded, and the newest frame was analysed
        assertEachFrameAnsweredOnce(answers, sent);
        Map<String, Long> outcomes = new HashMap<>();
        answers.forEach(r -> outcomes.merge(outcome(r), 1L, Long::sum));
        assertThat(outcomes).containsOnlyKeys("ok", "skipped/superseded");
        assertThat(outcomes.get("skipped/superseded")).isGreaterThan(sent.get("fast-cam") / 2L);
        JsonNode newest = answers.stream().max((a, b) -> Long.compare(a.get("seq").asLong(), b.get("seq").asLong())).orElseThrow();
        assertThat(outcome(newest)).isEqualTo("ok");
        // And the analysed frames stay current: under every-frame they would age by ~3 s per second sent
        List<Long> latency = answers.stream().filter(r -> outcome(r).equals("ok") && r.get("captureTs").asLong() >= warm)
                .map(r -> r.get("timings").get("endToEndMs").asLong()).toList();
        assertThat(latency.size()).isGreaterThan(5);
        assertThat(percentile(latency, 0.95)).as("p95 end-to-end ms of analysed frames %s", latency).isLessThan(1500);
        // And the model did not wait for the stream thread to commit and poll: an idle worker started each newest
        // frame as it landed, and most analysed frames were answered with that analysis
        double taken = meters.counter("lookout.lookahead.taken").count();
        assertThat(taken).as("analysed ahead, of %s analysed", outcomes.get("ok")).isGreaterThan(outcomes.get("ok") / 2.0);
    }

    @Test
    void shouldCollapseABacklogToTheNewestFramePerCameraAfterAnOutage() throws Exception {
        // Given 3 cameras x 60 frames that arrived while no detector ran
        TopicAdmin.ensure(broker.kafka(PARTITIONS), Topics.DETECTOR);
        Map<String, Integer> sent = new HashMap<>();
        byte[] jpeg = TestFrames.jpeg(96, 72);
        try (KafkaProducer<String, byte[]> producer = broker.clients().producer("it-camera")) {
            for (int seq = 1; seq <= 60; seq++) {
                for (int c = 0; c < 3; c++) {
                    producer.send(frame("backlog-" + c, jpeg, seq));
                    sent.merge("backlog-" + c, 1, Integer::sum);
                }
            }
        }
        // When the detector starts
        start("it-backlog", 0, 100);
        List<JsonNode> answers = answers("backlog-", 180);
        // Then every frame is answered once, nearly all superseded (none analysed one by one), each camera's newest analysed
        assertEachFrameAnsweredOnce(answers, sent);
        long analysed = answers.stream().filter(r -> outcome(r).equals("ok")).count();
        assertThat(analysed).as("analysed of 180").isBetween(3L, 30L);
        assertThat(answers.stream().filter(r -> outcome(r).equals("skipped/superseded")).count()).isEqualTo(180 - analysed);
        for (int c = 0; c < 3; c++) {
            String camera = "backlog-" + c;
            assertThat(answers.stream().filter(r -> r.get("camera").asText().equals(camera) && r.get("seq").asLong() == 60)
                    .map(LatestFrameIT::outcome)).containsExactly("ok");
        }
    }

    /** Camera ids whose frames land on the given partitions of lookout.frames (Kafka's default partitioner). */
    static String cameraOn(int partition, String prefix, List<String> taken) {
        for (int i = 0;; i++) {
            String id = prefix + i;
            if (!taken.contains(id)
                    && Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % PARTITIONS == partition) {
                return id;
            }
        }
    }

    @Test
    void shouldGiveEveryCameraAtLeastEightyPercentOfItsFairShareWhenOneSendsFiveTimesTheOthers() throws Exception {
        // Given a model that analyses ~10 frames/s, one stream thread per partition, and four cameras: the fast one
        // (25 fps) shares a partition, so a stream thread, with a 5 fps camera; the other two have one each
        start("it-fair", PARTITIONS, 100);
        List<String> ids = new ArrayList<>();
        ids.add(cameraOn(0, "fair-fast-", ids));
        ids.add(cameraOn(0, "fair-slow-", ids));
        ids.add(cameraOn(1, "fair-slow-", ids));
        ids.add(cameraOn(2, "fair-slow-", ids));
        Map<String, Integer> fps = new HashMap<>();
        ids.forEach(id -> fps.put(id, id.startsWith("fair-fast-") ? 25 : 5));
        // When they send for 12 s
        Map<String, Integer> sent = send(fps, 12);
        int total = sent.values().stream().mapToInt(Integer::intValue).sum();
        List<JsonNode> answers = answers("fair-", total);
        // Then every frame is answered once and each camera got at least 80% of an equal share of the analysed frames
        // (all four ask for more than a quarter of the model)
        assertEachFrameAnsweredOnce(answers, sent);
        Map<String, Long> analysed = new HashMap<>();
        ids.forEach(id -> analysed.put(id, 0L));
        answers.stream().filter(r -> outcome(r).equals("ok")).forEach(r -> analysed.merge(r.get("camera").asText(), 1L, Long::sum));
        long all = analysed.values().stream().mapToLong(Long::longValue).sum();
        LOG.infof("MEASURED: analysed per camera %s, of %d (fair share %.1f); %s shares partition 0 with %s",
                analysed, all, all / 4.0, ids.get(0), ids.get(1));
        assertThat(all).isGreaterThan(40);
        for (String id : ids) {
            assertThat(analysed.get(id)).as("%s analysed, of %d (fair share %.1f): %s", id, all, all / 4.0, analysed)
                    .isGreaterThanOrEqualTo((long) Math.floor(0.8 * all / 4.0));
        }
    }
}
