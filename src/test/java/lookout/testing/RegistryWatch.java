package lookout.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import lookout.common.Json;
import lookout.kafka.Topics;

/**
 * What a detector does while a test changes the registry: every event on {@code lookout.events} and
 * every detections record, read on a thread of its own, and {@link #versionThatAnswers} to send one
 * frame and learn which model version answered it.
 */
public final class RegistryWatch implements AutoCloseable {
    private final TestBroker broker;
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();
    private final Map<String, JsonNode> answers = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();
    private final KafkaProducer<String, byte[]> producer;
    private final Thread reader;
    private volatile boolean reading = true;

    public RegistryWatch(TestBroker broker) {
        this.broker = broker;
        this.producer = broker.clients().producer("registry-watch");
        this.reader = new Thread(this::read, "registry-watch");
        reader.start();
    }

    private void read() {
        try (KafkaConsumer<String, byte[]> c = broker.consumer(Topics.EVENTS, Topics.DETECTIONS)) {
            while (reading) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    try {
                        JsonNode v = Json.MAPPER.readTree(r.value());
                        if (r.topic().equals(Topics.EVENTS)) {
                            events.add(v);
                        } else {
                            answers.put(v.path("camera").asText() + "/" + v.path("seq").asText(), v);
                        }
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
    }

    /** Events seen so far of this type. */
    public List<JsonNode> events(String type) {
        return events.stream().filter(e -> type.equals(e.path("type").asText())).toList();
    }

    /** Waits for an event of this type that matches. */
    public JsonNode await(String type, Predicate<JsonNode> match, Duration timeout) throws InterruptedException {
        await("a " + type + " event", () -> events(type).stream().anyMatch(match), timeout);
        return events(type).stream().filter(match).findFirst().orElseThrow();
    }

    /** Sends one frame of a camera and returns the model version its detections record names. */
    public String versionThatAnswers(String camera) throws Exception {
        long n = seq.incrementAndGet();
        ProducerRecord<String, byte[]> frame = new ProducerRecord<>(Topics.FRAMES, camera, TestFrames.jpeg(64, 48));
        frame.headers().add("lookout.seq", String.valueOf(n).getBytes(StandardCharsets.UTF_8));
        frame.headers().add("lookout.ts", String.valueOf(System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8));
        producer.send(frame).get();
        String key = camera + "/" + n;
        await("the answer to frame " + key, () -> answers.containsKey(key), Duration.ofMinutes(1));
        JsonNode a = answers.get(key);
        if (!"ok".equals(a.path("status").asText())) {
            throw new AssertionError("frame " + key + " was not analysed: " + a);
        }
        return a.path("model").path("version").asText();
    }

    /** Polls a condition every 100 ms; fails with what it waited for. */
    public static void await(String what, BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " not seen within " + timeout);
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    @Override
    public void close() throws InterruptedException {
        reading = false;
        reader.join(10_000);
        producer.close();
    }
}
