package lookout;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import lookout.common.Json;
import lookout.common.Sha256;
import lookout.config.DetectorSettings;
import lookout.config.FramePolicy;
import lookout.config.KafkaSettings;
import lookout.config.TrainerSettings;
import lookout.dataset.Box;
import lookout.detect.DeadLetter;
import lookout.inference.DjlDetector;
import lookout.inference.swap.HotSwap;
import lookout.kafka.KafkaClients;
import lookout.kafka.Topics;
import lookout.labels.LabelCodec;
import lookout.registry.KafkaModelRegistry;
import lookout.service.DetectionService;
import lookout.testing.TestBroker;
import lookout.testing.TestFrames;
import lookout.testing.TestKeys;
import lookout.testing.TestModels;
import lookout.testing.TestSettings;
import lookout.trainer.DjlFineTuneTrainer;
import lookout.trainer.DjlModelScorer;
import lookout.trainer.LabelsView;
import lookout.trainer.TrainerService;

/**
 * A hostile-input corpus against the running service on a real broker: frames, labels, control
 * commands, registry records and model artifacts that no well-behaved writer sends, many of them
 * generated. Each item gets its answer with a reason (a DLQ record, a rejected label, an error
 * event, a skipped-record event, a refused model), and after each the service keeps doing its job:
 * the next good frame is answered, a valid command is acted on, the model watcher still follows
 * the registry, and nothing is written outside the model cache.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class HostileInputIT {
    @RegisterExtension
    static final TestBroker broker = TestBroker.withLoopTopics();
    @TempDir
    Path tmp;

    private final Map<String, JsonNode> answers = new ConcurrentHashMap<>();
    private final Map<String, String> dlqReasons = new ConcurrentHashMap<>();
    private final Map<String, byte[]> answerKeys = new ConcurrentHashMap<>();
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();
    private volatile boolean reading = true;

    /** Each hostile frame, by seq, and what it must be answered with: "dlq:reason" or "ok". */
    private final Map<String, String> expected = new LinkedHashMap<>();
    private int seq;

    private ProducerRecord<byte[], byte[]> frame(byte[] key, byte[] value, String expect, String ts) {
        seq++;
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(Topics.FRAMES, key, value);
        r.headers().add(Topics.HEADER_SEQ, String.valueOf(seq).getBytes(StandardCharsets.UTF_8));
        if (ts != null) {
            r.headers().add(Topics.HEADER_TS, ts.getBytes(StandardCharsets.UTF_8));
        }
        expected.put(String.valueOf(seq), expect);
        return r;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The frames corpus: hand-written cases, then mutants of a real JPEG (each either analysed or dead-lettered). */
    private List<ProducerRecord<byte[], byte[]>> hostileFrames(long frameLimit) {
        String now = String.valueOf(System.currentTimeMillis());
        byte[] cam = utf8("hostile");
        byte[] good = TestFrames.jpeg(96, 72);
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        out.add(frame(cam, new byte[0], "dlq:empty", now));
        out.add(frame(cam, TestFrames.randomBytes(4000, 7), "dlq:unknown-format", now));
        out.add(frame(cam, TestFrames.truncatedJpeg(), "dlq:corrupt", now));
        out.add(frame(cam, TestFrames.pngBomb(), "dlq:too-many-pixels", now));
        byte[] bmp = TestFrames.image("bmp", 8, 8);
        ByteBuffer.wrap(bmp, 18, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0);
        out.add(frame(cam, bmp, "dlq:bad-dimensions", now));
        // just under the frames topic's limit: its DLQ copy plus reason headers would be over it
        out.add(frame(cam, Arrays.copyOf(good, (int) frameLimit - 300), "dlq:too-large", now));
        out.add(frame(utf8("k".repeat(5000)), good, "dlq:bad-key", now));
        out.add(frame(new byte[] {(byte) 0xff, 0, (byte) 0xfe, 0x41}, good, "ok", now)); // binary key
        out.add(frame(cam, good, "ok", String.valueOf(Long.MAX_VALUE / 2)));             // far-future capture time
        out.add(frame(cam, good, "dlq:bad-header", "-1"));
        out.add(frame(cam, good, "dlq:bad-header", "9".repeat(40)));
        out.add(frame(null, good, "ok", now));                                             // no key at all
        ProducerRecord<byte[], byte[]> noisy = frame(cam, TestFrames.randomBytes(100, 3), "dlq:unknown-format", now);
        noisy.headers().add("junk", TestFrames.randomBytes(900_000, 5));                   // a huge header to copy
        out.add(noisy);
        ProducerRecord<byte[], byte[]> many = frame(cam, good, "ok", now);
        for (int i = 0; i < 500; i++) {
            many.headers().add("h" + i, utf8("v" + i));
        }
        out.add(many);
        Random rnd = new Random(42);
        for (int i = 0; i < 40; i++) {
            byte[] mutant = good.clone();
            for (int k = 0; k < 1 + rnd.nextInt(8); k++) {
                mutant[2 + rnd.nextInt(mutant.length - 4)] = (byte) rnd.nextInt(256);
            }
            out.add(frame(cam, mutant, "any", now));
        }
        return out;
    }

    @Test
    void shouldAnswerEveryHostileInputWithItsReasonAndKeepServing() throws Exception {
        Path tiny = TestModels.tinyModelDir();
        KafkaSettings kafka = broker.kafka(2);
        KafkaClients clients = new KafkaClients(kafka);
        // every frame analysed: each good frame after a hostile one must come out "ok" (under latest-frame a
        // newer frame of its camera, broken or not, may supersede it; LatestFrameIT covers that policy)
        DetectorSettings settings = TestSettings.detector(tiny, "it-hostile", 2).withScheduling(FramePolicy.EVERY_FRAME);
        Path cache = Files.createDirectories(tmp.resolve("cache"));
        TrainerSettings configured = TestSettings.config().trainer();
        TrainerSettings trainerSettings = new TrainerSettings(0.2, 0.0, 1, 0.005, 2, "cpu", 2, true, 5,
                tmp.resolve("work"), tiny, configured.policy(), configured.generalTolerance(), configured.generalHoldoutMax());
        LabelCodec codec = LabelCodec.fromConfig(TestSettings.config());
        try (DetectionService detector = new DetectionService(settings, clients, new SimpleMeterRegistry(),
                DjlDetector::load, Clock.systemUTC()).start();
                HotSwap swap = HotSwap.start(clients, detector.pool(), List.of("cpu"), detector.factory(), detector.metrics(), cache,
                        TestKeys.trust());
                TrainerService trainer = new TrainerService(clients, trainerSettings, codec, 4096,
                        new DjlFineTuneTrainer("cpu", "person", TestSettings.decoder(), 0),
                        new DjlModelScorer("cpu", 2, "person", 0.5f, TestSettings.decoder()))
                        .withSigning(TestKeys.signer(), TestKeys.trust()).start();
                LabelsView labels = new LabelsView(clients, codec).start();
                KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of("bootstrap.servers",
                        broker.bootstrapServers(), "max.request.size", 16 * 1024 * 1024, "acks", "all"),
                        new ByteArraySerializer(), new ByteArraySerializer());
                KafkaModelRegistry registry = new KafkaModelRegistry(clients, "it-hostile-registry", 4096,
                        TestKeys.signer(), TestKeys.trust())) {
            Thread reader = follow(clients);
            detector.followRegistry(swap::inStep, swap::alive);
            await("the detector ready", detector::ready, Duration.ofMinutes(2));

            // ---- frames: each hostile frame is followed by a good one of the same camera
            long frameLimit = Topics.maxRecordBytes(Topics.FRAMES, kafka.topics());
            byte[] good = TestFrames.jpeg(64, 48);
            for (ProducerRecord<byte[], byte[]> hostile : hostileFrames(frameLimit)) {
                raw.send(hostile).get();
                raw.send(frame(hostile.key() == null ? null : utf8("hostile"), good, "ok",
                        String.valueOf(System.currentTimeMillis()))).get();
            }
            await("every frame answered", () -> answers.keySet().containsAll(expected.keySet()), Duration.ofMinutes(2));
            expected.forEach((s, want) -> {
                JsonNode a = answers.get(s);
                String got = a.has("dlq") ? "dlq:" + a.get("dlq").asText() : a.get("status").asText();
                if (!want.equals("any")) {
                    assertThat(got).as("frame %s", s).isEqualTo(want);
                } else {
                    assertThat(got).as("mutant %s", s).matches("ok|dlq:(corrupt|bad-dimensions|too-many-pixels|unknown-format)");
                }
            });
            assertThat(expected).hasSizeGreaterThan(100);
            // the DLQ holds no image bytes by default (lookout.dlq.keep-bytes=false): metadata, size and hash only
            String tooLarge = seqOf("dlq:too-large");
            assertThat(answers.get(tooLarge).get(DeadLetter.HEADER_SIZE).asText()).isEqualTo(String.valueOf(frameLimit - 300));
            assertThat(answers.values().stream().filter(a -> a.has("dlq")).mapToInt(a -> a.get("valueBytes").asInt()).sum())
                    .as("image bytes on the DLQ").isZero();
            String binary = seqWhere(s -> answerKeys.containsKey(s) && answerKeys.get(s).length == 4);
            assertThat(answerKeys.get(binary)).containsExactly((byte) 0xff, 0, (byte) 0xfe, 0x41);
            long future = answers.values().stream().filter(a -> a.has("timings") && a.get("timings").get("endToEndMs").asLong() < 0).count();
            assertThat(future).as("negative latencies").isZero();

            // ---- labels: each hostile record is rejected with its reason, the good ones are kept
            Map<String, String> hostileLabels = new LinkedHashMap<>();
            byte[] img = TestFrames.jpeg(64, 48);
            hostileLabels.put("not-json", "malformed-json");
            hostileLabels.put("no-image", "missing-image");
            hostileLabels.put("bad-base64", "bad-base64");
            hostileLabels.put("bomb", "undecodable-image");
            hostileLabels.put("nan-box", "bad-box");
            hostileLabels.put("outside", "box-outside-image");
            hostileLabels.put("crowd", "too-many-boxes");
            hostileLabels.put("long-camera", "bad-field");
            hostileLabels.put("alien", "unknown-label");
            hostileLabels.put("k".repeat(3000), "bad-key");
            Map<String, byte[]> values = Map.of(
                    "not-json", utf8("{\"image\":"),
                    "no-image", utf8("{\"boxes\":[]}"),
                    "bad-base64", utf8("{\"image\":\"%%%not base64\"}"),
                    "bomb", LabelCodec.encode(TestFrames.pngBomb(), List.of(), List.of(), "c", null),
                    "nan-box", utf8("{\"image\":\"" + java.util.Base64.getEncoder().encodeToString(img)
                            + "\",\"boxes\":[[1,2,\"x\",4]],\"labels\":[\"person\"]}"),
                    "outside", LabelCodec.encode(img, List.of(new Box(0, 0, 500, 500)), List.of("person"), "c", null),
                    "crowd", LabelCodec.encode(img, java.util.Collections.nCopies(5000, new Box(1, 1, 9, 9)),
                            java.util.Collections.nCopies(5000, "person"), "c", null),
                    "long-camera", LabelCodec.encode(img, List.of(), List.of(), "c".repeat(1_000_000), null),
                    "alien", LabelCodec.encode(img, List.of(new Box(1, 1, 9, 9)), List.of("alien"), "c", null));
            for (String key : hostileLabels.keySet()) {
                raw.send(new ProducerRecord<>(Topics.LABELS, utf8(key), values.getOrDefault(key,
                        LabelCodec.encode(img, List.of(), List.of(), "c", null)))).get();
            }
            raw.send(new ProducerRecord<>(Topics.LABELS, utf8("good"), LabelCodec.encode(img,
                    List.of(new Box(1, 1, 20, 30)), List.of("person"), "c", null))).get();
            labels.sync(Duration.ofMinutes(1));
            assertThat(labels.labels().samples()).extracting(s -> s.id()).containsExactly("good");
            hostileLabels.forEach((key, reason) -> {
                String id = labels.labels().rejected().keySet().stream().filter(k -> k.startsWith(key.substring(0,
                        Math.min(key.length(), 50)))).findFirst().orElseThrow(() -> new AssertionError("no rejection for " + key));
                assertThat(labels.labels().rejected().get(id)).as(key).startsWith(reason);
            });

            // ---- commands: each malformed one gets an error event; a valid one is then acted on
            Map<String, String> commands = new LinkedHashMap<>();
            commands.put("c1", "{\"command\":\"retrian\",\"id\":\"c1\"}");
            commands.put("c2", "{\"command\":\"retrain\",\"epochs\":\"many\",\"id\":\"c2\"}");
            commands.put("c3", "{\"command\":\"retrain\",\"camera\":\"" + "c".repeat(10_000) + "\",\"id\":\"c3\"}");
            commands.put("c4", "{\"command\":\"promote\",\"version\":\"../trav\",\"id\":\"c4\"}");
            commands.put("c5", "{\"command\":\"rollback\",\"version\":\"999\",\"id\":\"c5\"}");
            commands.put("c6", "{\"command\":\"prune\",\"keep\":0,\"id\":\"c6\"}");
            commands.put("c7", "{\"command\":\"retrain\",\"id\":\"c7\",\"lr\":1e308}");
            commands.put("c8", "{\"command\":\"retrain\",\"id\":\"c8\",\"extra\":" + "[".repeat(500) + "]".repeat(500) + "}");
            List<byte[]> anonymous = List.of(utf8("{\"command\":\"retrain\",\"x\":\"" + "y".repeat(100_000) + "\"}"),
                    TestFrames.randomBytes(3000, 11), utf8("null"), utf8("[".repeat(50_000)), new byte[0]);
            // a 5 MB command never reaches the trainer: the topic's record limit refuses it to its writer
            byte[] huge = utf8("{\"command\":\"retrain\",\"camera\":\"" + "c".repeat(5_000_000) + "\"}");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> raw.send(new ProducerRecord<>(Topics.CONTROL, null, huge)).get())
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.RecordTooLargeException.class);
            for (String json : commands.values()) {
                raw.send(new ProducerRecord<>(Topics.CONTROL, null, utf8(json))).get();
            }
            for (byte[] value : anonymous) {
                raw.send(new ProducerRecord<>(Topics.CONTROL, null, value)).get();
            }
            raw.send(new ProducerRecord<>(Topics.CONTROL, null, null)).get();
            raw.send(new ProducerRecord<>(Topics.CONTROL, null, utf8("{\"command\":\"prune\",\"keep\":5,\"id\":\"ok-1\"}"))).get();
            await("a pruned event for the valid command", () -> has(e -> "pruned".equals(type(e)) && "ok-1".equals(id(e))),
                    Duration.ofMinutes(1));
            for (String id : commands.keySet()) {
                assertThat(events).as("error event for %s", id).anyMatch(e -> "error".equals(type(e)) && id.equals(id(e)));
            }
            long anonymousErrors = events.stream().filter(e -> "error".equals(type(e)) && e.get("id") == null).count();
            assertThat(anonymousErrors).as("errors for commands without a readable id").isEqualTo(anonymous.size() + 1);
            assertThat(events).allMatch(e -> e.toString().length() < 70_000);

            // ---- registry records nobody should write, then artifacts that must be refused
            raw.send(new ProducerRecord<>(Topics.MODELS, utf8("2"), utf8("{\"version\":\"2\",\"chunks\":1,\"chunkSize\":10,"
                    + "\"size\":5,\"publishedAt\":1,\"metadata\":{\"name\":\"m\",\"classes\":[\"a\"]}}"))).get();
            raw.send(new ProducerRecord<>(Topics.MODELS, utf8("serving"), utf8("{\"version\":null}"))).get();
            raw.send(new ProducerRecord<>(Topics.MODELS, utf8("../trav/chunk/00000"), utf8("weights"))).get();
            raw.send(new ProducerRecord<>(Topics.MODELS, utf8("../trav"), utf8("{\"version\":\"../trav\",\"chunks\":1,"
                    + "\"chunkSize\":7,\"size\":7,\"sha256\":\"" + Sha256.hex(utf8("weights")) + "\",\"publishedAt\":1,"
                    + "\"metadata\":{\"name\":\"m\",\"classes\":[\"a\"]}}"))).get();
            raw.send(new ProducerRecord<>(Topics.MODELS, utf8("serving"), utf8("{\"version\":\"../trav\"}"))).get();
            raw.send(new ProducerRecord<>(Topics.MODELS, utf8("3/chunk/zz"), utf8("x"))).get();
            raw.send(new ProducerRecord<>(Topics.MODELS, utf8("4"), utf8("not json"))).get();
            await("skip events for the bad registry records",
                    () -> events.stream().filter(e -> "registry-record-skipped".equals(type(e))).count() >= 7, Duration.ofMinutes(1));
            assertThat(Files.exists(tmp.resolve("trav"))).as("nothing written outside the cache").isFalse();
            assertThat(swap.alive()).isTrue();

            // a model.pt that is no TorchScript (sha256 consistent), and one whose model.json is not the model's
            registry.publish(artifact("garbage", TestFrames.randomBytes(5000, 9), tiny), "5", true, null);
            await("refused", () -> has(e -> "model-refused".equals(type(e)) && "5".equals(e.path("version").asText())),
                    Duration.ofMinutes(1));
            // a real zip archive that is no TorchScript
            java.io.ByteArrayOutputStream zip = new java.io.ByteArrayOutputStream();
            try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(zip)) {
                z.putNextEntry(new java.util.zip.ZipEntry("model/data.pkl"));
                z.write(TestFrames.randomBytes(2000, 13));
                z.closeEntry();
            }
            registry.publish(artifact("zip", zip.toByteArray(), tiny), "7", true, "5");
            await("refused too", () -> has(e -> "model-refused".equals(type(e)) && "7".equals(e.path("version").asText())),
                    Duration.ofMinutes(1));
            assertThat(detector.model().version()).isEqualTo("1");
            assertThat(swap.inStep()).as("serving 1 while the registry serves 7").isFalse();
            // the watcher still acts: a valid version published and served puts the detector back in step,
            // and a reload command loads it again
            registry.publish(tiny, "6", true, "7");
            await("in step with version 6", swap::inStep, Duration.ofMinutes(1));
            raw.send(new ProducerRecord<>(Topics.CONTROL, null, utf8("{\"command\":\"reload\"}"))).get();
            await("reloaded", () -> has(e -> "model-loaded".equals(type(e)) && "6".equals(e.path("version").asText())
                    && "reload".equals(e.path("reason").asText())), Duration.ofMinutes(2));
            String before = String.valueOf(seq + 1);
            raw.send(frame(utf8("after-all"), good, "ok", String.valueOf(System.currentTimeMillis()))).get();
            await("the next good frame answered", () -> answers.containsKey(before), Duration.ofMinutes(1));
            assertThat(answers.get(before).get("status").asText()).isEqualTo("ok");
            assertThat(detector.alive()).isTrue();
            System.out.printf("HostileInputIT: %d frames (%d hostile), %d labels, %d commands, 7 registry records, "
                    + "2 bad artifacts: every one answered with its reason; the service kept answering%n",
                    expected.size(), expected.size() / 2, hostileLabels.size() + 1, commands.size() + anonymous.size() + 2);
            reading = false;
            reader.join(10_000);
        }
    }

    /** A model directory with the given model.pt and the tiny model's model.json (sha256 updated). */
    private Path artifact(String name, byte[] modelPt, Path like) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.write(dir.resolve("model.pt"), modelPt);
        var meta = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(like.resolve("model.json").toFile());
        meta.put("sha256", Sha256.hex(modelPt));
        Json.MAPPER.writeValue(dir.resolve("model.json").toFile(), meta);
        return dir;
    }

    private String seqOf(String want) {
        return expected.entrySet().stream().filter(e -> e.getValue().equals(want)).map(Map.Entry::getKey).findFirst().orElseThrow();
    }

    private String seqWhere(Predicate<String> p) {
        return expected.keySet().stream().filter(p).findFirst().orElseThrow();
    }

    private boolean has(Predicate<JsonNode> p) {
        return events.stream().anyMatch(p);
    }

    private static String type(JsonNode e) {
        return e.path("type").asText();
    }

    private static String id(JsonNode e) {
        return e.hasNonNull("id") ? e.get("id").asText() : null;
    }

    /** Reads answers (detections, DLQ) and events, read_committed, on a thread of its own. */
    private Thread follow(KafkaClients clients) {
        Thread t = new Thread(() -> {
            Map<String, Object> props = new java.util.HashMap<>(clients.properties(Map.of(), Map.of()));
            props.put("isolation.level", "read_committed");
            props.put("max.partition.fetch.bytes", 16 * 1024 * 1024);
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                List<TopicPartition> parts = new ArrayList<>();
                for (String topic : List.of(Topics.DETECTIONS, Topics.FRAMES_DLQ, Topics.EVENTS)) {
                    c.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
                }
                c.assign(parts);
                c.seekToBeginning(parts);
                while (reading) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        if (r.topic().equals(Topics.EVENTS)) {
                            events.add(Json.MAPPER.readTree(r.value()));
                            continue;
                        }
                        String s = new String(r.headers().lastHeader(Topics.HEADER_SEQ) == null ? new byte[0]
                                : r.headers().lastHeader(Topics.HEADER_SEQ).value(), StandardCharsets.UTF_8);
                        JsonNode answer;
                        if (r.topic().equals(Topics.DETECTIONS)) {
                            answer = Json.MAPPER.readTree(r.value());
                            s = answer.get("seq").asText();
                        } else {
                            var node = Json.MAPPER.createObjectNode();
                            node.put("dlq", new String(r.headers().lastHeader(Topics.HEADER_DLQ_REASON).value(), StandardCharsets.UTF_8));
                            var size = r.headers().lastHeader(DeadLetter.HEADER_SIZE);
                            if (size != null) {
                                node.put(DeadLetter.HEADER_SIZE, new String(size.value(), StandardCharsets.UTF_8));
                            }
                            node.put("valueBytes", r.value() == null ? 0 : r.value().length);
                            answer = node;
                        }
                        answers.put(s, answer);
                        if (r.key() != null) {
                            answerKeys.put(s, r.key());
                        }
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "it-hostile-reader");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void await(String what, java.util.function.BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + timeout);
            }
            Thread.sleep(100);
        }
    }
}
