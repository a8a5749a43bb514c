package lookout.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import com.fasterxml.jackson.databind.JsonNode;

import lookout.common.Json;
import lookout.kafka.KafkaClients;
import lookout.kafka.TopicFollower;
import lookout.kafka.Topics;

/**
 * What a downstream {@code read_committed} consumer of {@code lookout.detections} sees: every answer
 * (from the topic's beginning) with the time it arrived here, so latency is capture to visible, the
 * transaction commit included.
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

    private final List<Answer> answers = new ArrayList<>();
    private final TopicFollower follower;

    /** Starts reading {@code lookout.detections} from its beginning. */
    Answers(KafkaClients clients) {
        follower = new TopicFollower(clients, "bench-answers", List.of(Topics.DETECTIONS), List.of(),
                (records, caughtUp) -> records.forEach(this::received)).start();
    }

    private void received(ConsumerRecord<String, byte[]> r) {
        long now = System.currentTimeMillis();
        JsonNode d;
        try {
            d = Json.MAPPER.readTree(r.value());
        } catch (IOException | RuntimeException e) {
            System.err.println("bench: not a detections record at offset " + r.offset() + ": " + e);
            return;
        }
        String outcome = d.path("status").asText() + (d.has("reason") ? "/" + d.path("reason").asText() : "");
        synchronized (answers) {
            answers.add(new Answer(d.path("camera").asText(), d.path("seq").asLong(),
                    d.path("captureTs").asLong(), now, outcome,
                    d.path("timings").path("inferenceMs").asDouble(0),
                    Math.max(1, d.path("timings").path("batchSize").asInt(1))));
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
    public void close() {
        follower.close();
    }
}
