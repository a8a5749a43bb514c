package lookout.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import lookout.common.Json;
import lookout.config.FrameLimits;
import lookout.detections.Appearance;
import lookout.detections.DetectionRecord;
import lookout.frames.FrameDecoder;
import lookout.inference.FakeDetector;
import lookout.inference.InferencePool;
import lookout.kafka.Topics;
import lookout.model.ModelMetadata;
import lookout.testing.TestFrames;
import lookout.tiles.TilePlanner;

@Timeout(60)
class DetectionTopologyTest {
    static final long NOW = 1_700_000_000_000L;
    static final Duration MAX_AGE = Duration.ofSeconds(10);
    static final Duration CLOCK_MAX_SKEW = Duration.ofSeconds(5);
    /** The record limits the topology sizes its output by (frames up to 200,000 bytes here). */
    static final int DETECTIONS_LIMIT = 1024 * 1024;
    static final int DLQ_LIMIT = 200_000 + 64 * 1024;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final FakeDetector detector = new FakeDetector();
    private InferencePool pool;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> frames;
    private TestOutputTopic<String, byte[]> detections;
    private TestOutputTopic<String, byte[]> dlq;
    /** What the stream thread's consumer fetched: the tests feed it as the consumer interceptor would. */
    private final FetchedFrames fetched = new FetchedFrames();
    /** What an idle worker may start ahead of the stream thread (latest-frame); the lookahead tests hand it to the pool. */
    private Lookahead lookahead = new Lookahead(new FrameDecoder(new FrameLimits(200_000, 8192, 8192L * 4608)), c -> { });
    private SchedulingPolicy policy = new EveryFrame();
    private boolean keepDlqBytes;
    private TestOutputTopic<String, byte[]> dlqBytes;
    private TilePlanner tiles;

    @BeforeEach
    void setUp() {
        start(new InferencePool(List.of(detector), 4, Duration.ofMillis(5), 8, new DetectionMetrics(registry)).start());
    }

    private void start(InferencePool p) {
        start(p, 0.5f);
    }

    private void start(InferencePool p, float scoreThreshold) {
        pool = p;
        DetectionTopology topology = topology(scoreThreshold);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:1234");
        driver = new TopologyTestDriver(topology.build(), props, Instant.ofEpochMilli(NOW));
        frames = driver.createInputTopic(Topics.FRAMES, new StringSerializer(), new ByteArraySerializer());
        detections = driver.createOutputTopic(Topics.DETECTIONS, new StringDeserializer(), new ByteArrayDeserializer());
        dlq = driver.createOutputTopic(Topics.FRAMES_DLQ, new StringDeserializer(), new ByteArrayDeserializer());
        dlqBytes = driver.createOutputTopic(Topics.FRAMES_DLQ_BYTES, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** The same topology again, with copies of dead-lettered bytes on (an operator opted in). */
    private void restartKeepingDeadLetterBytes() {
        driver.close();
        keepDlqBytes = true;
        start(pool);
    }

    private DetectionTopology topology(float scoreThreshold) {
        return new DetectionTopology(
                new DetectionTopology.Settings(MAX_AGE, scoreThreshold, Duration.ofSeconds(5), DETECTIONS_LIMIT, DLQ_LIMIT,
                        CLOCK_MAX_SKEW, keepDlqBytes, DLQ_LIMIT),
                new FrameDecoder(new FrameLimits(200_000, 8192, 8192L * 4608)), pool, new DetectionMetrics(registry),
                Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC), policy).tiled(tiles);
    }

    @AfterEach
    void tearDown() {
        driver.close();
        pool.close();
    }

    private static Headers headers(String seq, String ts) {
        RecordHeaders h = new RecordHeaders();
        if (seq != null) {
            h.add(Topics.HEADER_SEQ, seq.getBytes(StandardCharsets.UTF_8));
        }
        if (ts != null) {
            h.add(Topics.HEADER_TS, ts.getBytes(StandardCharsets.UTF_8));
        }
        return h;
    }

    private void send(String camera, byte[] value, Headers headers, long recordTs) {
        frames.pipeInput(new TestRecord<>(camera, value, headers, Instant.ofEpochMilli(recordTs)));
    }

    private JsonNode onlyDetection() throws Exception {
        List<TestRecord<String, byte[]>> out = detections.readRecordsToList();
        assertThat(out).hasSize(1);
        assertThat(dlq.isEmpty()).isTrue();
        return Json.MAPPER.readTree(out.get(0).value());
    }

    private TestRecord<String, byte[]> onlyDeadLetter(String reason) {
        List<TestRecord<String, byte[]>> out = dlq.readRecordsToList();
        assertThat(out).hasSize(1);
        assertThat(detections.isEmpty()).isTrue();
        TestRecord<String, byte[]> rec = out.get(0);
        assertThat(new String(rec.headers().lastHeader(Topics.HEADER_DLQ_REASON).value(), StandardCharsets.UTF_8))
                .isEqualTo(reason);
        assertThat(rec.headers().lastHeader(Topics.HEADER_DLQ_DETAIL)).isNotNull();
        return rec;
    }

    @Test
    void shouldPublishDetectionsRecordWithTheJsonContract() throws Exception {
        // Given a real JPEG with sequence and capture-time headers
        send("cam1", TestFrames.jpeg(64, 48), headers("42", String.valueOf(NOW - 120)), NOW - 100);
        // When the topology processes it, Then one "ok" record comes out keyed by camera
        JsonNode r = onlyDetection();
        assertThat(r.get("camera").asText()).isEqualTo("cam1");
        assertThat(r.get("seq").asLong()).isEqualTo(42);
        assertThat(r.get("captureTs").asLong()).isEqualTo(NOW - 120);
        assertThat(r.get("width").asInt()).isEqualTo(64);
        assertThat(r.get("height").asInt()).isEqualTo(48);
        assertThat(r.get("model").get("name").asText()).isEqualTo("fake-model");
        assertThat(r.get("model").get("version").asText()).isEqualTo("7");
        assertThat(r.get("status").asText()).isEqualTo("ok");
        assertThat(r.has("reason")).isFalse();
        // the faint (0.1) detection is under the 0.5 threshold and left out
        assertThat(r.get("detections")).hasSize(1);
        JsonNode d = r.get("detections").get(0);
        assertThat(d.get("label").asText()).isEqualTo("person");
        assertThat(d.get("score").asDouble()).isEqualTo(0.9, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(d.get("box")).hasSize(4);
        assertThat(d.get("box").get(0).asDouble()).isEqualTo(16.0);
        assertThat(d.get("box").get(3).asDouble()).isEqualTo(47.0);
        // the colour descriptor the tracker reads travels inside the topology only
        assertThat(d.has("appearance")).isFalse();
        JsonNode t = r.get("timings");
        assertThat(t.get("batchSize").asInt()).isEqualTo(1);
        assertThat(t.get("queueMs").asDouble()).isGreaterThanOrEqualTo(0);
        assertThat(t.get("inferenceMs").asDouble()).isGreaterThanOrEqualTo(0);
        assertThat(t.get("endToEndMs").asLong()).isEqualTo(120);
        assertThat(registry.get("lookout.frames.in").tag("camera", "cam1").counter().count()).isEqualTo(1);
        assertThat(registry.get("lookout.frames.out").tag("status", "ok").counter().count()).isEqualTo(1);
    }

    @Test
    void shouldAnalyseATiledCamerasFrameWholeAndAsTilesAndMergeTheBoxes() throws Exception {
        // Given tiles on for camera "roof" only
        driver.close();
        tiles = new TilePlanner(new lookout.config.TileSettings("off", java.util.Map.of("roof", "on"), "2x2", 0.2, 48, 30,
                60_000), () -> FakeDetector.MODEL);
        start(pool);
        // When a frame of each camera comes
        send("door", TestFrames.jpeg(64, 48), headers("1", String.valueOf(NOW)), NOW);
        int imagesBefore = detector.batchSizes.stream().mapToInt(Integer::intValue).sum();
        send("roof", TestFrames.jpeg(64, 48), headers("1", String.valueOf(NOW)), NOW);
        int imagesForRoof = detector.batchSizes.stream().mapToInt(Integer::intValue).sum() - imagesBefore;
        List<JsonNode> out = new java.util.ArrayList<>();
        for (TestRecord<String, byte[]> r : detections.readRecordsToList()) {
            out.add(Json.MAPPER.readTree(r.value()));
        }
        // Then the untiled camera's frame ran once, with its one box and no tiles field
        assertThat(out.get(0).get("detections")).hasSize(1);
        assertThat(out.get(0).get("timings").has("tiles")).isFalse();
        // and the tiled camera's ran whole plus 4 tiles: the whole frame's box, and the fake model's box of
        // each bottom tile (those of the top tiles touch the inner border and are dropped as cut)
        assertThat(imagesForRoof).isEqualTo(5);
        JsonNode roof = out.get(1);
        assertThat(roof.get("timings").get("tiles").asInt()).isEqualTo(4);
        assertThat(roof.get("detections")).hasSize(3);
        assertThat(roof.get("detections").get(0).get("box").get(0).asDouble()).isEqualTo(16.0);
        assertThat(registry.get("lookout.frames.tiled").tag("camera", "roof").counter().count()).isEqualTo(1);
    }

    @Test
    void shouldPublishOnlyDetectionsScoringAtLeastTheThreshold() throws Exception {
        // Given the threshold exactly at the confident detection's score (the detector returns 0.9 and 0.1)
        driver.close();
        start(pool, 0.9f);
        // When a frame is analysed
        send("cam1", TestFrames.jpeg(64, 48), headers("1", String.valueOf(NOW)), NOW);
        // Then the detection at the threshold is published and the one below it is not
        JsonNode r = onlyDetection();
        assertThat(r.get("detections")).hasSize(1);
        assertThat(r.get("detections").get(0).get("score").asDouble()).isEqualTo(0.9, org.assertj.core.data.Offset.offset(1e-6));
        driver.close();
        start(pool, 0.95f);
        send("cam1", TestFrames.jpeg(64, 48), headers("2", String.valueOf(NOW)), NOW);
        JsonNode none = onlyDetection();
        assertThat(none.get("status").asText()).isEqualTo("ok");
        assertThat(none.get("detections")).isEmpty();
    }

    @Test
    void shouldAcceptPngAndBinaryLongHeaders() throws Exception {
        RecordHeaders h = new RecordHeaders();
        h.add(Topics.HEADER_SEQ, ByteBuffer.allocate(8).putLong(9).array());
        h.add(Topics.HEADER_TS, ByteBuffer.allocate(8).putLong(NOW - 5).array());
        send("cam2", TestFrames.image("png", 32, 24), h, NOW - 1000);
        JsonNode r = onlyDetection();
        assertThat(r.get("seq").asLong()).isEqualTo(9);
        assertThat(r.get("captureTs").asLong()).isEqualTo(NOW - 5);
        assertThat(r.get("status").asText()).isEqualTo("ok");
    }

    @Test
    void shouldFallBackToOffsetAndRecordTimestampWithoutHeaders() throws Exception {
        // Given two frames without headers (as a bare `kcat -P` sends them)
        send("cam3", TestFrames.jpeg(32, 24), new RecordHeaders(), NOW - 300);
        send("cam3", TestFrames.jpeg(32, 24), new RecordHeaders(), NOW - 200);
        List<TestRecord<String, byte[]>> out = detections.readRecordsToList();
        // Then seq is the input offset and the capture time is the record timestamp
        assertThat(out).hasSize(2);
        JsonNode second = Json.MAPPER.readTree(out.get(1).value());
        assertThat(second.get("seq").asLong()).isEqualTo(1);
        assertThat(second.get("captureTs").asLong()).isEqualTo(NOW - 200);
    }

    @Test
    void shouldSkipStaleFrames() throws Exception {
        // Given a frame captured and sent 11 s ago (it waited in Kafka) with a max age of 10 s
        send("cam1", TestFrames.jpeg(32, 24), headers("5", String.valueOf(NOW - 11_000)), NOW - 11_000);
        // Then it is answered as skipped/stale without reaching the detector, and counted
        JsonNode r = onlyDetection();
        assertThat(r.get("status").asText()).isEqualTo("skipped");
        assertThat(r.get("reason").asText()).isEqualTo("stale");
        assertThat(r.get("seq").asLong()).isEqualTo(5);
        assertThat(r.get("detections")).isEmpty();
        assertThat(r.get("timings").get("endToEndMs").asLong()).isEqualTo(11_000);
        assertThat(detector.batchSizes).isEmpty();
        assertThat(registry.get("lookout.frames.skipped").tag("reason", "stale").counter().count()).isEqualTo(1);
    }

    @Test
    void shouldNameEachCamerasOwnModelInItsRecordsAnalysedOrSkipped() throws Exception {
        // Given camera "door" served a model of its own (version 8), "street" the pool's (version 7)
        FakeDetector own = new FakeDetector();
        own.model = new ModelMetadata("fake-model", "8", "fake", List.of("__background__", "person"), 240, 320, null,
                null, null, null, null, null, null);
        pool.swap("door", List.of(own));
        // When each sends a fresh frame and door a stale one
        send("door", TestFrames.jpeg(32, 24), headers("1", String.valueOf(NOW)), NOW);
        send("street", TestFrames.jpeg(32, 24), headers("1", String.valueOf(NOW)), NOW);
        send("door", TestFrames.jpeg(32, 24), headers("2", String.valueOf(NOW - 11_000)), NOW - 11_000);
        // Then every record names the model serving its camera, the skipped one too
        List<JsonNode> out = new ArrayList<>();
        for (TestRecord<String, byte[]> r : detections.readRecordsToList()) {
            out.add(Json.MAPPER.readTree(r.value()));
        }
        assertThat(out).extracting(r -> r.get("camera").asText() + " " + r.get("status").asText() + " v"
                + r.get("model").get("version").asText())
                .containsExactly("door ok v8", "street ok v7", "door skipped v8");
    }

    @Test
    void shouldAnswerOverloadWhenTheInferenceQueueIsFull() throws Exception {
        // Given a pool whose queue (capacity 1) is full and whose workers are not running
        tearDown();
        InferencePool stalled = new InferencePool(List.of(detector), 4, Duration.ZERO, 1, new DetectionMetrics(registry));
        stalled.submit(new lookout.frames.DecodedImage(1, 1, new byte[3]));
        start(stalled);
        // When a frame arrives, Then it is answered skipped/overload at once
        send("cam1", TestFrames.jpeg(32, 24), headers("1", String.valueOf(NOW)), NOW);
        JsonNode r = onlyDetection();
        assertThat(r.get("status").asText()).isEqualTo("skipped");
        assertThat(r.get("reason").asText()).isEqualTo("overload");
        assertThat(registry.get("lookout.frames.skipped").tag("reason", "overload").counter().count()).isEqualTo(1);
    }

    @Test
    void shouldDeadLetterEmptyFrames() {
        send("cam1", new byte[0], headers("1", null), NOW);
        onlyDeadLetter("empty");
    }

    @Test
    void shouldDeadLetterRandomBytesAsMetadataSizeAndHashWithoutTheBytes() {
        byte[] junk = TestFrames.randomBytes(3000, 1);
        send("cam9", junk, headers("77", String.valueOf(NOW)), NOW);
        TestRecord<String, byte[]> rec = onlyDeadLetter("unknown-format");
        assertThat(rec.key()).isEqualTo("cam9");
        assertThat(rec.value()).isNull(); // by default no image bytes are kept
        assertThat(header(rec, DeadLetter.HEADER_SIZE)).isEqualTo("3000");
        assertThat(header(rec, DeadLetter.HEADER_SHA256)).isEqualTo(lookout.common.Sha256.hex(junk));
        assertThat(header(rec, Topics.HEADER_SEQ)).isEqualTo("77");
        assertThat(rec.headers().lastHeader(Topics.HEADER_TS)).isNotNull();
        assertThat(dlqBytes.isEmpty()).isTrue();
        assertThat(registry.get("lookout.frames.dead.lettered").tag("camera", "cam9").tag("reason", "unknown-format")
                .counter().count()).isEqualTo(1);
    }

    @Test
    void shouldCopyADeadLetteredFramesBytesOnlyWhenAnOperatorOptsIn() {
        // Given an operator who set lookout.dlq.keep-bytes=true
        restartKeepingDeadLetterBytes();
        byte[] junk = TestFrames.randomBytes(3000, 2);
        // When a frame is dead-lettered
        send("cam9", junk, headers("78", String.valueOf(NOW)), NOW);
        // Then the DLQ still holds only its metadata, and the bytes go to their own short-lived topic
        TestRecord<String, byte[]> rec = onlyDeadLetter("unknown-format");
        assertThat(rec.value()).isNull();
        TestRecord<String, byte[]> copy = dlqBytes.readRecord();
        assertThat(copy.key()).isEqualTo("cam9");
        assertThat(copy.value()).isEqualTo(junk);
        assertThat(header(copy, Topics.HEADER_DLQ_REASON)).isEqualTo("unknown-format");
        assertThat(header(copy, Topics.HEADER_SEQ)).isEqualTo("78");
    }

    private static String header(TestRecord<String, byte[]> rec, String name) {
        return rec.headers().lastHeader(name) == null ? null
                : new String(rec.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldDeadLetterTruncatedJpegAsCorrupt() {
        send("cam1", TestFrames.truncatedJpeg(), headers("1", null), NOW);
        onlyDeadLetter("corrupt");
    }

    @Test
    void shouldDeadLetterDecompressionBombs() {
        send("cam1", TestFrames.pngBomb(), headers("1", null), NOW);
        onlyDeadLetter("too-many-pixels");
    }

    @Test
    void shouldDeadLetterOversizedFrames() {
        // the decoder in this test admits 200,000 bytes
        byte[] big = TestFrames.image("png", 400, 400);
        big = java.util.Arrays.copyOf(big, 250_000);
        send("cam1", big, headers("1", null), NOW);
        onlyDeadLetter("too-large");
    }

    @Test
    void shouldDeadLetterMalformedHeaders() {
        send("cam1", TestFrames.jpeg(32, 24), headers("twelve", null), NOW);
        TestRecord<String, byte[]> rec = onlyDeadLetter("bad-header");
        assertThat(new String(rec.headers().lastHeader(Topics.HEADER_DLQ_DETAIL).value(), StandardCharsets.UTF_8))
                .contains(Topics.HEADER_SEQ);
        send("cam1", TestFrames.jpeg(32, 24), headers("1", "-5"), NOW);
        onlyDeadLetter("bad-header");
        send("cam1", TestFrames.jpeg(32, 24), headers("1", ""), NOW);
        onlyDeadLetter("bad-header");
    }

    @Test
    void shouldDeadLetterFramesWhoseInferenceFails() {
        detector.failWith = new IllegalStateException("CUDA out of memory");
        send("cam1", TestFrames.jpeg(32, 24), headers("1", String.valueOf(NOW)), NOW);
        TestRecord<String, byte[]> rec = onlyDeadLetter("inference-failed");
        assertThat(new String(rec.headers().lastHeader(Topics.HEADER_DLQ_DETAIL).value(), StandardCharsets.UTF_8))
                .contains("CUDA out of memory");
    }

    @Test
    void shouldAnswerEveryFrameExactlyOnce() {
        // Given a mix of good, stale and broken frames
        send("a", TestFrames.jpeg(32, 24), headers("1", String.valueOf(NOW)), NOW);
        send("a", new byte[0], headers("2", String.valueOf(NOW)), NOW);
        send("b", TestFrames.jpeg(32, 24), headers("1", String.valueOf(NOW - 60_000)), NOW);
        send("b", TestFrames.randomBytes(100, 2), headers("2", null), NOW);
        send("c", TestFrames.jpeg(32, 24), null, NOW);
        // Then inputs = detections + dead letters
        assertThat(detections.getQueueSize() + dlq.getQueueSize()).isEqualTo(5);
        assertThat(dlq.getQueueSize()).isEqualTo(2);
    }

    @Test
    void shouldPassBinaryKeysThroughByteForByte() throws Exception {
        // Given a key that is no valid UTF-8 (a camera sending a binary id)
        byte[] key = {(byte) 0xff, 0x00, (byte) 0xc3, 0x28, 0x41};
        TestInputTopic<byte[], byte[]> raw = driver.createInputTopic(Topics.FRAMES, new ByteArraySerializer(),
                new ByteArraySerializer());
        TestOutputTopic<byte[], byte[]> rawOut = driver.createOutputTopic(Topics.DETECTIONS, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        TestOutputTopic<byte[], byte[]> rawDlq = driver.createOutputTopic(Topics.FRAMES_DLQ, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        // When a good and a broken frame come with it
        raw.pipeInput(new TestRecord<>(key, TestFrames.jpeg(32, 24), headers("1", String.valueOf(NOW)), Instant.ofEpochMilli(NOW)));
        raw.pipeInput(new TestRecord<>(key, new byte[0], headers("2", null), Instant.ofEpochMilli(NOW)));
        // Then both answers carry exactly that key; the JSON names the camera by its UTF-8 reading
        TestRecord<byte[], byte[]> out = rawOut.readRecord();
        assertThat(out.key()).isEqualTo(key);
        assertThat(Json.MAPPER.readTree(out.value()).get("camera").asText()).isEqualTo(new String(key, StandardCharsets.UTF_8));
        assertThat(rawDlq.readRecord().key()).isEqualTo(key);
    }

    @Test
    void shouldDeadLetterAKeyLongerThanACameraId() {
        send("c".repeat(5000), TestFrames.jpeg(32, 24), headers("1", String.valueOf(NOW)), NOW);
        TestRecord<String, byte[]> rec = onlyDeadLetter("bad-key");
        assertThat(rec.key()).hasSize(5000);
        assertThat(new String(rec.headers().lastHeader(Topics.HEADER_DLQ_DETAIL).value(), StandardCharsets.UTF_8))
                .isEqualTo("key is 5000 bytes, a camera id is at most 256");
    }

    @Test
    void shouldCutTheDeadLetterCopyOfAFrameJustUnderTheTopicLimitToFitItsTopic() {
        // Given copies of dead-lettered bytes kept, and a frame the frames topic took (just under its limit,
        // which the copies' topic shares) but over the frame limit
        restartKeepingDeadLetterBytes();
        byte[] frame = java.util.Arrays.copyOf(TestFrames.jpeg(64, 48), DLQ_LIMIT - 100);
        // When it is dead-lettered with its reason headers
        send("cam1", frame, headers("1", String.valueOf(NOW)), NOW);
        // Then its copy fits (no RecordTooLargeException can jam the partition) and says it was cut
        onlyDeadLetter("too-large");
        TestRecord<String, byte[]> rec = dlqBytes.readRecord();
        assertThat(lookout.kafka.RecordSize.fits(rec.key().getBytes(StandardCharsets.UTF_8), rec.value(),
                rec.headers().toArray(), DLQ_LIMIT)).isTrue();
        assertThat(new String(rec.headers().lastHeader(DeadLetter.HEADER_TRUNCATED).value(), StandardCharsets.UTF_8))
                .isEqualTo(String.valueOf(frame.length));
        // and the next frame is answered as usual
        send("cam1", TestFrames.jpeg(32, 24), headers("2", String.valueOf(NOW)), NOW);
        assertThat(detections.getQueueSize()).isEqualTo(1);
    }

    @Test
    void shouldNeverReportANegativeLatencyForACaptureTimeInTheFuture() throws Exception {
        send("cam1", TestFrames.jpeg(32, 24), headers("1", String.valueOf(NOW + 3_000_000_000L)), NOW);
        JsonNode r = onlyDetection();
        assertThat(r.get("status").asText()).isEqualTo("ok");
        assertThat(r.get("timings").get("endToEndMs").asLong()).isZero();
    }

    /** The only detections record, with its record timestamp. */
    private TestRecord<String, byte[]> onlyDetectionRecord() {
        List<TestRecord<String, byte[]>> out = detections.readRecordsToList();
        assertThat(out).hasSize(1);
        assertThat(dlq.isEmpty()).isTrue();
        return out.get(0);
    }

    private double skewGauge(String camera) {
        return registry.get("lookout.camera.clock.skew").tag("camera", camera).gauge().value();
    }

    private double rebased(String camera) {
        return registry.get("lookout.frames.clock.rebased").tag("camera", camera).counter().count();
    }

    @Test
    void shouldPlaceAFrameByItsSendTimeWhenTheCameraClockIsTwoHoursAhead() throws Exception {
        // Given a camera set to a time zone two hours east: its frame is sent (and stamped by the broker) now
        long ahead = NOW + 7_200_000;
        send("east", TestFrames.jpeg(32, 24), headers("1", String.valueOf(ahead)), NOW);
        TestRecord<String, byte[]> rec = onlyDetectionRecord();
        JsonNode r = Json.MAPPER.readTree(rec.value());
        // Then it is analysed, its capture time is published as the camera claimed it, the record says how far
        // the clock is off, the latency is measured from the send time, and the record's timestamp is the service's
        assertThat(r.get("status").asText()).isEqualTo("ok");
        assertThat(r.get("captureTs").asLong()).isEqualTo(ahead);
        assertThat(r.get("clockSkewMs").asLong()).isEqualTo(7_200_000);
        assertThat(r.get("timings").get("endToEndMs").asLong()).isZero();
        assertThat(rec.getRecordTime()).isEqualTo(Instant.ofEpochMilli(NOW));
        // and the camera's skew and its re-based frame are on the meters
        assertThat(skewGauge("east")).isEqualTo(7_200.0);
        assertThat(rebased("east")).isEqualTo(1);
    }

    @Test
    void shouldAnswerExtremeCaptureTimesLikeAnyCameraWithAWrongClock() throws Exception {
        // Given capture times at 1970, one day behind, one day ahead, and Long.MAX_VALUE (decimal and 8-byte binary)
        RecordHeaders binaryMax = new RecordHeaders();
        binaryMax.add(Topics.HEADER_SEQ, "5".getBytes(StandardCharsets.UTF_8));
        binaryMax.add(Topics.HEADER_TS, ByteBuffer.allocate(8).putLong(Long.MAX_VALUE).array());
        send("epoch", TestFrames.jpeg(32, 24), headers("1", "0"), NOW);
        send("behind", TestFrames.jpeg(32, 24), headers("2", String.valueOf(NOW - 86_400_000)), NOW);
        send("ahead", TestFrames.jpeg(32, 24), headers("3", String.valueOf(NOW + 86_400_000)), NOW);
        send("max", TestFrames.jpeg(32, 24), headers("4", String.valueOf(Long.MAX_VALUE)), NOW);
        send("max-binary", TestFrames.jpeg(32, 24), binaryMax, NOW);
        // Then each is analysed (not stale, not dead-lettered) and says how far its camera's clock is off
        List<JsonNode> out = allDetections();
        assertThat(dlq.isEmpty()).isTrue();
        assertThat(statuses(out)).containsOnly("ok");
        assertThat(out).extracting(r -> r.get("clockSkewMs").asLong()).containsExactly(-NOW, -86_400_000L,
                86_400_000L, Long.MAX_VALUE - NOW, Long.MAX_VALUE - NOW);
        assertThat(out).extracting(r -> r.get("captureTs").asLong()).containsExactly(0L, NOW - 86_400_000,
                NOW + 86_400_000, Long.MAX_VALUE, Long.MAX_VALUE);
        assertThat(out).allMatch(r -> r.get("timings").get("endToEndMs").asLong() == 0);
        // and a value past Long.MAX_VALUE or below zero is a bad header, as before
        send("over", TestFrames.jpeg(32, 24), headers("6", "9223372036854775808"), NOW);
        onlyDeadLetter("bad-header");
        send("negative", TestFrames.jpeg(32, 24), headers("7", "-1"), NOW);
        onlyDeadLetter("bad-header");
    }

    @Test
    void shouldTrustACameraClockWithinTheBoundAndJudgeItsFramesByCaptureTime() throws Exception {
        // Given a frame sent 3 s after its capture (the bound is 5 s)
        send("cam1", TestFrames.jpeg(32, 24), headers("1", String.valueOf(NOW - 3_000)), NOW);
        JsonNode r = onlyDetection();
        // Then the capture time is trusted: no skew on the record, the latency counts from capture
        assertThat(r.has("clockSkewMs")).isFalse();
        assertThat(r.get("timings").get("endToEndMs").asLong()).isEqualTo(3_000);
        assertThat(skewGauge("cam1")).isEqualTo(-3.0);
        assertThat(rebased("cam1")).isZero();
    }

    @Test
    void shouldNotAnswerACameraWhoseClockIsAMinuteBehindStaleForEver() throws Exception {
        // Given a camera one minute behind whose frames are sent as they are captured (max frame age 10 s)
        send("slow-clock", TestFrames.jpeg(32, 24), headers("1", String.valueOf(NOW - 60_000)), NOW);
        JsonNode r = onlyDetection();
        // Then its frame is judged by when it was sent: analysed, with the skew on the record
        assertThat(r.get("status").asText()).isEqualTo("ok");
        assertThat(r.get("clockSkewMs").asLong()).isEqualTo(-60_000);
    }

    @Test
    void shouldNeverStampAnOutputRecordLaterThanTheServiceClock() throws Exception {
        // Given a topic with producer timestamps whose producer's clock is 50 minutes ahead (the broker allows 1 h)
        send("cam1", TestFrames.jpeg(32, 24), headers("1", String.valueOf(NOW + 3_000_000)), NOW + 3_000_000);
        send("cam1", new byte[] {1, 2, 3}, headers("2", String.valueOf(NOW + 3_000_000)), NOW + 3_000_000);
        // Then the detections record and the dead letter carry the service's time, and the frame is judged
        // against the service's clock (50 minutes ahead of it, beyond the bound)
        TestRecord<String, byte[]> rec = detections.readRecordsToList().get(0);
        assertThat(rec.getRecordTime()).isEqualTo(Instant.ofEpochMilli(NOW));
        assertThat(Json.MAPPER.readTree(rec.value()).get("clockSkewMs").asLong()).isEqualTo(3_000_000);
        assertThat(dlq.readRecordsToList().get(0).getRecordTime()).isEqualTo(Instant.ofEpochMilli(NOW));
    }

    @Test
    void shouldLeaveOutTheLowestScoringDetectionsWhenTheRecordWouldNotFit() throws Exception {
        // Given a model that emits 60,000 confident boxes for one frame (several MB of JSON)
        detector.many = 60_000;
        send("cam1", TestFrames.jpeg(64, 48), headers("1", String.valueOf(NOW)), NOW);
        List<TestRecord<String, byte[]>> out = detections.readRecordsToList();
        // Then one record that fits the detections topic, highest scores first, saying how many were left out
        assertThat(out).hasSize(1);
        assertThat(out.get(0).value().length).isLessThan(DETECTIONS_LIMIT);
        JsonNode r = Json.MAPPER.readTree(out.get(0).value());
        int kept = r.get("detections").size();
        assertThat(kept).isPositive();
        assertThat(r.get("droppedDetections").asInt()).isEqualTo(60_001 - kept);
        assertThat(r.get("detections").get(0).get("score").asDouble()).isGreaterThanOrEqualTo(
                r.get("detections").get(kept - 1).get("score").asDouble());
    }

    /** Restarts the topology under the latest-frame policy, reading what {@link #fetched} says. */
    private void latestFrame() {
        driver.close();
        policy = new LatestFrame(fetched, lookahead);
        start(pool);
    }

    private List<JsonNode> allDetections() throws Exception {
        List<JsonNode> out = new java.util.ArrayList<>();
        for (TestRecord<String, byte[]> r : detections.readRecordsToList()) {
            out.add(Json.MAPPER.readTree(r.value()));
        }
        return out;
    }

    private static List<String> statuses(List<JsonNode> records) {
        return records.stream().map(r -> r.get("status").asText()
                + (r.has("reason") ? "/" + r.get("reason").asText() : "")).toList();
    }

    @Test
    void shouldAnswerFramesOvertakenByANewerFrameOfTheirCameraAsSupersededAndAnalyseTheNewest() throws Exception {
        // Given the latest-frame policy and five frames of cam1 already fetched (offsets 0..4)
        latestFrame();
        for (long offset = 0; offset < 5; offset++) {
            fetched.fetched(0, "cam1", offset);
        }
        // When the stream thread processes them in order
        for (int seq = 1; seq <= 5; seq++) {
            send("cam1", TestFrames.jpeg(64, 48), headers(String.valueOf(seq), String.valueOf(NOW - 50)), NOW);
        }
        // Then the four older ones are answered skipped/superseded at once, with their own seq and size,
        // and only the newest reaches the model
        List<JsonNode> out = allDetections();
        assertThat(statuses(out)).containsExactly("skipped/superseded", "skipped/superseded", "skipped/superseded",
                "skipped/superseded", "ok");
        assertThat(out).extracting(r -> r.get("seq").asLong()).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(out.get(0).get("width").asInt()).isEqualTo(64);
        assertThat(out.get(0).get("detections")).isEmpty();
        assertThat(out.get(0).get("timings").has("inferenceMs")).isFalse();
        assertThat(detector.batchSizes).containsExactly(1);
        assertThat(registry.get("lookout.frames.skipped").tag("camera", "cam1").tag("reason", "superseded").counter()
                .count()).isEqualTo(4);
        assertThat(registry.get("lookout.camera.analysed.fps").tag("camera", "cam1").gauge()).isNotNull();
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void shouldNotLetOneCameraSupersedeAnother() throws Exception {
        // Given two cameras sharing the partition, each with one frame fetched
        latestFrame();
        fetched.fetched(0, "cam1", 0);
        fetched.fetched(0, "cam2", 1);
        // When both are processed
        send("cam1", TestFrames.jpeg(32, 24), headers("1", String.valueOf(NOW)), NOW);
        send("cam2", TestFrames.jpeg(32, 24), headers("1", String.valueOf(NOW)), NOW);
        // Then both are analysed: each is its camera's newest
        assertThat(statuses(allDetections())).containsExactly("ok", "ok");
    }

    @Test
    void shouldCollapseABacklogToTheNewestFramePerCameraRatherThanAnsweringItStale() throws Exception {
        // Given a backlog after an outage: 3 cameras x 20 frames, captured 60 s ago down to now, all fetched
        latestFrame();
        int perCamera = 20;
        for (int i = 0; i < perCamera * 3; i++) {
            fetched.fetched(0, "cam" + (i % 3), i);
        }
        // When the stream thread works through it
        for (int i = 0; i < perCamera * 3; i++) {
            long captured = NOW - 60_000 + 1000L * (i / 3) * 3;
            send("cam" + (i % 3), TestFrames.jpeg(32, 24), headers(String.valueOf(i / 3 + 1), String.valueOf(captured)), NOW);
        }
        // Then each camera's older frames are superseded (not stale, not analysed) and its newest alone is analysed
        List<JsonNode> out = allDetections();
        assertThat(out).hasSize(perCamera * 3);
        assertThat(statuses(out).subList(0, perCamera * 3 - 3)).containsOnly("skipped/superseded");
        assertThat(statuses(out).subList(perCamera * 3 - 3, perCamera * 3)).containsOnly("ok");
        assertThat(detector.batchSizes).hasSize(3);
    }

    @Test
    void shouldStillDeadLetterABrokenFrameThatANewerFrameOvertakes() {
        // Given the latest-frame policy and a newer frame of the camera already fetched
        latestFrame();
        fetched.fetched(0, "cam1", 1);
        // When an empty frame is processed, Then it is dead-lettered as before: answered superseded it would hide bad input
        send("cam1", new byte[0], headers("1", String.valueOf(NOW)), NOW);
        onlyDeadLetter("empty");
    }

    @Test
    void shouldForgetOffsetsFetchedUnderAnEarlierAssignmentWhenTheTaskStarts() throws Exception {
        // Given offsets up to 100 recorded for partition 0 before this task started (an earlier owner, or the topic
        // before it was recreated)
        fetched.fetched(0, "cam1", 100);
        latestFrame();
        // When the new task processes offsets 0 and 1, Then they are analysed: the old marker was forgotten
        send("cam1", TestFrames.jpeg(32, 24), headers("1", String.valueOf(NOW)), NOW);
        send("cam1", TestFrames.jpeg(32, 24), headers("2", String.valueOf(NOW)), NOW);
        assertThat(statuses(allDetections())).containsExactly("ok", "ok");
    }

    @Test
    void shouldAnalyseEveryFrameUnderTheEveryFramePolicyWhateverWasFetched() throws Exception {
        // Given the every-frame policy (the default of this test's topology) and newer frames fetched
        for (long offset = 0; offset < 3; offset++) {
            fetched.fetched(0, "cam1", offset);
        }
        for (int seq = 1; seq <= 3; seq++) {
            send("cam1", TestFrames.jpeg(32, 24), headers(String.valueOf(seq), String.valueOf(NOW)), NOW);
        }
        // Then every frame is analysed
        assertThat(statuses(allDetections())).containsExactly("ok", "ok", "ok");
        assertThat(detector.batchSizes).hasSize(3);
    }

    @Test
    void shouldSupersedeOnTheLogsWordOnceAndThenAnalyseTheNewestFetchedFrame() throws Exception {
        // Given frames 0 and 1 of cam1 fetched, and the log already holding frames up to offset 5, captured 200 ms later
        latestFrame();
        fetched.fetched(0, "cam1", 0);
        fetched.fetched(0, "cam1", 1);
        fetched.logged(0, "cam1", 5, NOW);
        // When the thread processes 0 and 1 (the newest it fetched), then fetches 2 while the log has grown to 9
        send("cam1", TestFrames.jpeg(32, 24), headers("1", String.valueOf(NOW - 200)), NOW);
        send("cam1", TestFrames.jpeg(32, 24), headers("2", String.valueOf(NOW - 200)), NOW);
        fetched.fetched(0, "cam1", 2);
        fetched.logged(0, "cam1", 9, NOW + 300);
        send("cam1", TestFrames.jpeg(32, 24), headers("3", String.valueOf(NOW)), NOW);
        // Then 1 is superseded on the log's word (2 was already there), but 2, the newest fetched after that, is
        // analysed although the log holds newer: a camera faster than a poll is never chased forever
        assertThat(statuses(allDetections())).containsExactly("skipped/superseded", "skipped/superseded", "ok");
    }

    @Test
    void shouldNotChaseAFrameInTheLogCapturedOnlyMomentsLater() throws Exception {
        // Given frame 0 of cam1 fetched and, in the log, frame 1 captured 20 ms after it (a fast model, a fast camera)
        latestFrame();
        fetched.fetched(0, "cam1", 0);
        fetched.logged(0, "cam1", 1, NOW + 20);
        // When frame 0 is processed, Then it is analysed: another poll would cost more than 20 ms of freshness is worth
        send("cam1", TestFrames.jpeg(32, 24), headers("1", String.valueOf(NOW)), NOW);
        assertThat(statuses(allDetections())).containsExactly("ok");
    }

    /** Feeds one frame straight to the detect processor on a mock context; true when it asked for a commit. */
    private boolean commitRequestedFor(long captureTs) {
        return commitRequestedFor(captureTs, () -> { });
    }

    /** As above, {@code fetch} run once the processor's task has started (which forgets earlier fetches). */
    private boolean commitRequestedFor(long captureTs, Runnable fetch) {
        MockProcessorContext<byte[], Object> context = new MockProcessorContext<>();
        Processor<byte[], byte[], byte[], Object> processor = topology(0.5f).detectProcessor();
        processor.init(context);
        fetch.run();
        context.setRecordMetadata(Topics.FRAMES, 0, 7);
        processor.process(new Record<>("cam1".getBytes(StandardCharsets.UTF_8), TestFrames.jpeg(64, 48), captureTs,
                headers("7", String.valueOf(captureTs))));
        assertThat(context.forwarded()).hasSize(1);
        return context.committed();
    }

    @Test
    void shouldHandEachPublishedDetectionsColourDescriptorToTheStageAfterIt() {
        // Given the detect processor alone, its output caught before the publish step
        MockProcessorContext<byte[], Object> context = new MockProcessorContext<>();
        Processor<byte[], byte[], byte[], Object> processor = topology(0.5f).detectProcessor();
        processor.init(context);
        context.setRecordMetadata(Topics.FRAMES, 0, 3);
        // When a frame is analysed
        processor.process(new Record<>("cam1".getBytes(StandardCharsets.UTF_8), TestFrames.jpeg(64, 48), NOW,
                headers("3", String.valueOf(NOW))));
        // Then the record passed on carries, per detection, the colour descriptor read from the frame's pixels
        DetectionRecord out = (DetectionRecord) context.forwarded().get(0).record().value();
        assertThat(out.detections()).hasSize(1);
        assertThat(out.detections().get(0).appearance()).hasSize(Appearance.LENGTH);
    }

    @Test
    void shouldCommitEachAnalysedAnswerAtOnceUnderLatestFrameSoTheNextAnalysisDoesNotHoldItBack() {
        policy = new LatestFrame(fetched, lookahead);
        assertThat(commitRequestedFor(NOW - 100)).isTrue();
    }

    @Test
    void shouldNotCommitAnAnalysedAnswerWhileAnotherCamerasFrameWaitsOnTheSameStreamThread() {
        // a commit would delay cam2's turn on this thread (cameras sharing a partition)
        policy = new LatestFrame(fetched, lookahead);
        assertThat(commitRequestedFor(NOW - 100, () -> fetched.fetched(0, "cam2", 8))).isFalse();
    }

    @Test
    void shouldLeaveSkippedAnswersAndEveryFrameAnswersToTheCommitInterval() {
        policy = new LatestFrame(fetched, lookahead);
        assertThat(commitRequestedFor(NOW - MAX_AGE.toMillis() - 1)).as("stale, latest-frame").isFalse();
        policy = new EveryFrame();
        assertThat(commitRequestedFor(NOW - 100)).as("analysed, every-frame").isFalse();
    }

    @Test
    void shouldTakeTheResultOfAFrameAnalysedAheadOfTheStreamThreadAndSupersedeTheFramesItOvertakes() throws Exception {
        // Given the latest-frame policy with a lookahead, and frame 2 of cam1 landing in the log while the
        // stream thread is behind: an idle worker analyses it before the thread gets there
        lookahead = new Lookahead(new FrameDecoder(new FrameLimits(200_000, 8192, 8192L * 4608)), c -> { });
        pool.lookAhead(lookahead);
        latestFrame();
        byte[] jpeg = TestFrames.jpeg(64, 48);
        lookahead.landed(0, "cam1", 2, NOW - 50, jpeg);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (detector.batchSizes.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(detector.batchSizes).containsExactly(1);
        // When the stream thread processes frames 0..3 (offsets 0..3)
        for (int seq = 1; seq <= 4; seq++) {
            send("cam1", jpeg, headers(String.valueOf(seq), String.valueOf(NOW - 100 + 10 * seq)), NOW);
        }
        // Then 0 and 1 are superseded, 2 is answered with the result computed ahead (not analysed again),
        // 3 is analysed as usual: one record per frame, two inferences in all
        List<JsonNode> out = allDetections();
        assertThat(statuses(out)).containsExactly("skipped/superseded", "skipped/superseded", "ok", "ok");
        assertThat(out.get(2).get("seq").asLong()).isEqualTo(3);
        assertThat(out.get(2).get("width").asInt()).isEqualTo(64);
        assertThat(out.get(2).get("detections")).hasSize(1);
        assertThat(detector.batchSizes).containsExactly(1, 1);
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void shouldAnalyseAFrameAgainTheUsualWayWhenItsAnalysisAheadFailed() throws Exception {
        // Given frame 0 of cam1 analysed ahead by a worker whose model failed on it
        lookahead = new Lookahead(new FrameDecoder(new FrameLimits(200_000, 8192, 8192L * 4608)), c -> { });
        pool.lookAhead(lookahead);
        latestFrame();
        detector.failWith = new IllegalStateException("transient");
        byte[] jpeg = TestFrames.jpeg(64, 48);
        lookahead.landed(0, "cam1", 0, NOW - 50, jpeg);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (detector.batchSizes.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Thread.sleep(50); // the failure reaches the analysis
        detector.failWith = null;
        // When the stream thread reaches it
        send("cam1", jpeg, headers("1", String.valueOf(NOW - 50)), NOW);
        // Then it is submitted and analysed again, and answered ok (not dead-lettered for a failure it recovered from)
        assertThat(statuses(allDetections())).containsExactly("ok");
        assertThat(detector.batchSizes).containsExactly(1, 1);
        assertThat(dlq.isEmpty()).isTrue();
    }
}
