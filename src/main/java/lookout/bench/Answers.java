package lookout.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;

import com.fasterxml.jackson.databind.JsonNode;

import lookout.common.Json;
import lookout.kafka.KafkaClients;
import lookout.kafka.Topics;

/**
 * What a downstream {@code read_committed} consumer of {@code lookout.detections} sees: every answer
 * with the time it arrived here, so latency is capture to visible, the transaction commit included.
 */
final class Answers implements AutoCloseable {
    /** One detections record as received. */
    record Answer(String camera, long seq, long captureTs, long receivedAt, String outcome, double inferenceMs,
            int batchSize) {
        boolean analysed() {
            return outcome.equals("ok");
        }

        long latencyMs() {
            return receivedAt - captureTs;
        }
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<Answer> answers = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    Answers(KafkaClients clients) {
        consumer = clients.consumer("lookout-bench-" + System.nanoTime(), "bench-answers");
        consumer.subscribe(List.of(Topics.DETECTIONS));
        thread = new Thread(this::loop, "bench-answers");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    JsonNode d = Json.MAPPER.readTree(r.value());
                    String outcome = d.path("status").asText() + (d.has("reason") ? "/" + d.path("reason").asText() : "");
                    synchronized (answers) {
                        answers.add(new Answer(d.path("camera").asText(), d.path("seq").asLong(),
                                d.path("captureTs").asLong(), now, outcome,
                                d.path("timings").path("inferenceMs").asDouble(0),
                                Math.max(1, d.path("timings").path("batchSize").asInt(1))));
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (Exception e) {
            System.err.println("bench: the detections reader stopped: " + e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /** Answers of cameras matching {@code camera}, received so far. */
    List<Answer> of(Predicate<String> camera) {
        synchronized (answers) {
            return answers.stream().filter(a -> camera.test(a.camera())).toList();
        }
    }

    /** Waits until the cameras matching got {@code expected} answers, or the timeout; returns them. */
    List<Answer> await(Predicate<String> camera, long expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Answer> got = of(camera);
        while (got.size() < expected && System.nanoTime() < deadline) {
            Thread.sleep(200);
            got = of(camera);
        }
        return got;
    }

    /** Outcome -> count. */
    static Map<String, Long> outcomes(List<Answer> answers) {
        Map<String, Long> out = new TreeMap<>();
        answers.forEach(a -> out.merge(a.outcome(), 1L, Long::sum));
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(5000);
    }
}
