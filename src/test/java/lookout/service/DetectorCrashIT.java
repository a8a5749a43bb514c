package lookout.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import lookout.broker.EmbeddedBroker;
import lookout.common.Json;
import lookout.config.KafkaSettings;
import lookout.kafka.KafkaClients;
import lookout.kafka.TopicAdmin;
import lookout.kafka.TopicFollower;
import lookout.kafka.Topics;
import lookout.testing.LookoutProcess;
import lookout.testing.TestFrames;
import lookout.testing.TestModels;
import lookout.testing.TestSettings;

/**
 * Conservation under crashes, for real: four cameras stream frames at a steady rate to two detector
 * replicas (real child processes running {@code lookout serve} from the packaged app); one of them
 * is killed with SIGKILL twice and restarted at once, the broker is restarted once, and finally the
 * same replica is killed for good. Afterwards every frame in {@code lookout.frames} has exactly one
 * answer (detections or DLQ) for a read_committed consumer: none lost, none doubled. The outage of
 * each fault (until every camera's answers flow again) is printed and bounded.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class DetectorCrashIT {
    static final int CAMERAS = 4;
    /** All cameras together; the tiny model answers more, so the stream threads are mostly but not always busy. */
    static final int FPS = Integer.getInteger("crash.fps", 8);
    /** The target: output back within this long of a kill when the detector is restarted at once. */
    static final Duration MAX_OUTAGE = Duration.ofSeconds(20);
    /**
     * A replica that does not come back: its session times out (10 s) and the dead transactions
     * are aborted by the broker (transaction timeout 10 s plus its check interval, 10 s by default).
     */
    static final Duration MAX_TAKEOVER = Duration.ofSeconds(40);

    @TempDir
    Path tmp;
    private EmbeddedBroker broker;
    /** The replica killed and restarted; {@link #other} shares the group and takes over when it is gone for good. */
    private LookoutProcess detector;
    private LookoutProcess other;
    private final AtomicBoolean sending = new AtomicBoolean(true);
    /** The answers' reader runs until the test ends: a consumer does not fail when its broker goes, it retries. */
    private final AtomicBoolean reading = new AtomicBoolean(true);
    private Thread reader;
    private final List<Long> arrivals = new CopyOnWriteArrayList<>();
    /** Arrival times per camera: each camera's own outage (its partition may wait longer than others). */
    private final Map<String, List<Long>> arrivalsByCamera = new ConcurrentHashMap<>();
    private final Map<String, Integer> answers = new ConcurrentHashMap<>();
    private final Map<String, String> statuses = new ConcurrentHashMap<>();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong failedSends = new AtomicLong();
    /** [fault, recovered] windows: silences outside them would be spurious (a rebalance under load, a session lost). */
    private final List<long[]> faults = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        sending.set(false);
        reading.set(false);
        if (reader != null) {
            reader.join(10_000);
        }
        if (detector != null) {
            detector.kill();
        }
        if (other != null) {
            other.kill();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private KafkaSettings kafka() {
        KafkaSettings k = TestSettings.config().kafka().withBootstrapServers(broker.bootstrapServers());
        return new KafkaSettings(k.clientProperties(), k.topics().withPartitions(CAMERAS), k.group());
    }

    private LookoutProcess startDetector() {
        return startDetector("crash-it-a");
    }

    private LookoutProcess startDetector(String instance) {
        Map<String, String> config = new HashMap<>();
        config.put("lookout.model.dir", TestModels.tinyModelDir().toAbsolutePath().toString());
        config.put("lookout.application-id", "crash-it");
        config.put("lookout.instance-id", instance); // the same replica after every restart
        config.put("lookout.models.watch", "false");
        config.put("lookout.topics.partitions", String.valueOf(CAMERAS));
        config.put("lookout.batch.max-size", "2");
        config.put("quarkus.http.port", "0");
        if (Boolean.getBoolean("crash.fresh-state")) {
            // measure the fallback: a replica that lost its state folder (no pinned transactional ids)
            config.put("lookout.state-dir", tmp.resolve("state-" + System.nanoTime()).toString());
        } else {
            config.put("lookout.state-dir", tmp.resolve("state").toString());
        }
        return LookoutProcess.start(instance, config, Map.of(), "serve", "--bootstrap-servers",
                broker.bootstrapServers());
    }

    @Test
    void shouldAnswerEveryFrameExactlyOnceAcrossTwoSigkillsAndABrokerRestart() throws Exception {
        // Given a broker that keeps its data across a restart, and the detector's topics
        TestModels.tinyModelDir();
        LookoutProcess.assumePackaged();
        int port = EmbeddedBroker.freePort();
        Path data = tmp.resolve("kafka");
        broker = EmbeddedBroker.start(port, data);
        TopicAdmin.ensure(kafka(), Topics.DETECTOR);
        KafkaClients clients = new KafkaClients(kafka());
        reader = new Thread(() -> consume(clients), "it-answers");
        reader.setDaemon(true);
        reader.start();
        Thread cameras = new Thread(() -> produce(clients), "it-cameras");
        cameras.setDaemon(true);
        cameras.start();

        // When the detector runs, is SIGKILLed and restarted at once, twice, and the broker restarts
        long t0 = System.currentTimeMillis();
        detector = startDetector();
        other = startDetector("crash-it-b");
        awaitAnswersAfter(t0, Duration.ofMinutes(2));
        System.out.printf("DetectorCrashIT: first answer %.1f s after the first start (ready %s s after it)%n",
                seconds(t0, firstArrivalAfter(t0)), readySeconds(detector));
        List<String> report = new ArrayList<>();
        List<Long> outages = new ArrayList<>();
        for (int kill = 1; kill <= 2; kill++) {
            Thread.sleep(8000);
            long killedAt = System.currentTimeMillis();
            detector.kill();
            detector = startDetector();
            long back = awaitRecovery(killedAt);
            outages.add(back - killedAt);
            report.add(String.format("SIGKILL %d + immediate restart: ready %s s after the restart, every camera "
                    + "answered again after %.1f s", kill, readySeconds(detector), seconds(killedAt, back)));
        }
        Thread.sleep(8000);
        long brokerDown = System.currentTimeMillis();
        broker.close();
        broker = EmbeddedBroker.start(port, data);
        long brokerUp = System.currentTimeMillis();
        long back = awaitRecovery(brokerDown);
        report.add(String.format("broker restart (down %.1f s): every camera answered again after %.1f s",
                seconds(brokerDown, brokerUp), seconds(brokerDown, back)));
        Thread.sleep(8000);
        // and the replica is lost for good: the other takes its partitions once its session times out
        long lostAt = System.currentTimeMillis();
        detector.kill();
        long takenOver = awaitRecovery(lostAt);
        report.add(String.format("replica lost for good (no restart): the other answers every camera after %.1f s "
                + "(lookout.group.session-timeout %s)", seconds(lostAt, takenOver),
                TestSettings.config().group().sessionTimeout()));
        Thread.sleep(5000);
        sending.set(false);
        cameras.join(150_000);

        // Then every frame written is answered exactly once, read_committed: none lost, none doubled
        Map<String, Integer> written = framesWritten(clients);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!answers.keySet().containsAll(written.keySet()) && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        Thread.sleep(3000); // anything arriving now would be a duplicate
        List<String> lost = written.keySet().stream().filter(f -> !answers.containsKey(f)).sorted().toList();
        List<String> doubled = answers.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
        List<String> unknown = answers.keySet().stream().filter(f -> !written.containsKey(f)).toList();
        long ok = statuses.values().stream().filter("ok"::equals).count();
        long stale = statuses.values().stream().filter("stale"::equals).count();
        System.out.printf("DetectorCrashIT: %d frames written (%d acked, %d sends failed), %d answered: %d ok, %d skipped stale, "
                + "%d other; lost %d, duplicated %d%n", written.size(), acked.get(), failedSends.get(), answers.size(), ok,
                stale, answers.size() - ok - stale, lost.size(), doubled.size());
        report.add(String.format("longest silence of any camera outside the faults: %.1f s (session timeout %s)",
                longestQuietOutsideFaults() / 1000.0, TestSettings.config().group().sessionTimeout()));
        report.forEach(r -> System.out.println("DetectorCrashIT: " + r));
        assertThat(written.values()).as("each frame written once (seq is per send)").allMatch(n -> n == 1);
        assertThat(written.size()).isGreaterThan(300);
        assertThat(lost).as("frames never answered").isEmpty();
        assertThat(doubled).as("frames answered twice").isEmpty();
        assertThat(unknown).as("answers to frames never written").isEmpty();
        assertThat(outages).as("outage per SIGKILL (ms), detector restarted at once")
                .allMatch(ms -> ms <= MAX_OUTAGE.toMillis());
        assertThat(takenOver - lostAt).as("take-over after a replica is lost for good (ms)")
                .isLessThan(MAX_TAKEOVER.toMillis());
    }

    /** Cameras: frames at a steady rate, each with its own seq (a resend would get a new one), capture time now. */
    private void produce(KafkaClients clients) {
        byte[] jpeg = TestFrames.jpeg(160, 120);
        try (KafkaProducer<String, byte[]> producer = clients.producer("it-cameras")) {
            long seq = 0;
            long next = System.nanoTime();
            while (sending.get()) {
                seq++;
                String camera = "crash-cam-" + (seq % CAMERAS);
                ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.FRAMES, camera, jpeg);
                r.headers().add(Topics.HEADER_SEQ, String.valueOf(seq).getBytes(StandardCharsets.UTF_8));
                r.headers().add(Topics.HEADER_TS, String.valueOf(System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8));
                producer.send(r, (md, e) -> (e == null ? acked : failedSends).incrementAndGet());
                next += 1_000_000_000L / FPS;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A read_committed reader of both answer topics, noting when each answer arrived. */
    private void consume(KafkaClients clients) {
        try (KafkaConsumer<String, byte[]> c = clients.consumer(null, "it-answers")) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : List.of(Topics.DETECTIONS, Topics.FRAMES_DLQ)) {
                c.partitionsFor(t, Duration.ofSeconds(30)).forEach(p -> parts.add(new TopicPartition(t, p.partition())));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            while (reading.get()) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    arrivals.add(now);
                    arrivalsByCamera.computeIfAbsent(String.valueOf(r.key()), k -> new CopyOnWriteArrayList<>()).add(now);
                    String frame;
                    String status;
                    if (r.topic().equals(Topics.DETECTIONS)) {
                        JsonNode d = Json.MAPPER.readTree(r.value());
                        frame = r.key() + "/" + d.get("seq").asLong();
                        status = d.has("reason") ? d.get("reason").asText() : d.get("status").asText();
                    } else {
                        frame = r.key() + "/" + header(r.headers().lastHeader(Topics.HEADER_SEQ));
                        status = "dlq";
                    }
                    answers.merge(frame, 1, Integer::sum);
                    statuses.put(frame, status);
                }
            }
        } catch (Exception e) {
            // the frames it did not read fail the test as lost; this says why
            System.out.println("DetectorCrashIT: the answers' reader stopped: " + e);
        }
    }

    private static String header(Header h) {
        return h == null ? "?" : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Every frame in lookout.frames, by camera/seq, with how often it appears. */
    private Map<String, Integer> framesWritten(KafkaClients clients) {
        Map<String, Integer> written = new HashMap<>();
        TopicFollower.snapshotRecords(clients, "it-frames", Topics.FRAMES, Duration.ofMinutes(2), Map.of(),
                r -> written.merge(r.key() + "/" + header(r.headers().lastHeader(Topics.HEADER_SEQ)), 1, Integer::sum));
        return written;
    }

    private long firstArrivalAfter(long t) {
        return arrivals.stream().filter(a -> a >= t).findFirst().orElse(-1L);
    }

    private void awaitAnswersAfter(long t, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (firstArrivalAfter(t) < 0) {
            assertThat(System.nanoTime()).as("answers within %s; detector log:\n%s", timeout, detector.tail())
                    .isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /**
     * When every camera's answers flowed again after a fault at {@code t}: per camera, the first
     * arrival after the longest silence around the fault (answers committed just before it still
     * arrive for a moment after it); the latest of them. Waits until all cameras have answers
     * flowing again for 3 s.
     */
    private long awaitRecovery(long t) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 150_000;
        while (System.currentTimeMillis() < deadline) {
            Thread.sleep(500);
            long latest = -1;
            boolean all = arrivalsByCamera.size() == CAMERAS;
            for (List<Long> times : arrivalsByCamera.values()) {
                long back = backAfter(times, t);
                all &= back > 0 && System.currentTimeMillis() - back > 3000;
                latest = Math.max(latest, back);
            }
            if (all) {
                faults.add(new long[] {t, latest});
                return latest;
            }
        }
        throw new AssertionError("not every camera answered within 150 s of the fault; detector log:\n" + detector.tail());
    }

    /**
     * The end of the longest silence in these arrivals that began no earlier than 2 s before t; for
     * a camera the fault did not silence (another replica's), its first answer after t; -1 while
     * neither is known.
     */
    private static long backAfter(List<Long> times, long t) {
        List<Long> after = times.stream().filter(a -> a >= t - 2000).toList();
        if (after.isEmpty() || System.currentTimeMillis() - after.get(after.size() - 1) > 2500) {
            return -1; // silent right now: not back yet
        }
        long bestGap = -1;
        long end = -1;
        for (int i = 1; i < after.size(); i++) {
            long gap = after.get(i) - after.get(i - 1);
            if (gap > bestGap) {
                bestGap = gap;
                end = after.get(i);
            }
        }
        if (bestGap > 1000) {
            return end;
        }
        return after.stream().filter(a -> a >= t).findFirst().filter(a -> System.currentTimeMillis() - t > 5000).orElse(-1L);
    }

    /** The longest gap between two answers of one camera that overlaps no fault window. */
    private long longestQuietOutsideFaults() {
        long longest = 0;
        for (List<Long> times : arrivalsByCamera.values()) {
            for (int i = 1; i < times.size(); i++) {
                long from = times.get(i - 1);
                long to = times.get(i);
                boolean inFault = faults.stream().anyMatch(f -> from <= f[1] && to >= f[0] - 2000);
                if (!inFault && from >= firstArrivalAfter(0)) {
                    longest = Math.max(longest, to - from);
                }
            }
        }
        return longest;
    }

    /** What the restarted detector logged: ready to answer frames N s after its process started. */
    static String readySeconds(LookoutProcess p) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("detector ready to answer frames ([0-9.]+) s after the process started").matcher(p.output());
        return m.find() ? m.group(1) : "?";
    }

    private static double seconds(long from, long to) {
        return (to - from) / 1000.0;
    }
}
