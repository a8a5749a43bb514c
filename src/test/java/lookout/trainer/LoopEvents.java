package lookout.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import lookout.common.Json;
import lookout.kafka.KafkaClients;

/** What the loop's broker-backed tests share: sending a record, reading events and detections until one matches. */
final class LoopEvents {
    private LoopEvents() {
    }

    static void send(KafkaClients clients, String topic, String key, byte[] value) throws Exception {
        try (KafkaProducer<String, byte[]> p = clients.producer("it")) {
            p.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    /** Reads JSON records (events, detections) into seen until one matches, or fails after the timeout. */
    static List<JsonNode> until(KafkaConsumer<String, byte[]> consumer, List<JsonNode> seen, Predicate<JsonNode> done,
            Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (seen.stream().noneMatch(done)) {
            assertThat(System.nanoTime()).as("record not seen in time; got %s", seen).isLessThan(deadline);
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                seen.add(Json.MAPPER.readTree(r.value()));
            }
        }
        return seen;
    }

    static JsonNode first(List<JsonNode> events, String type) {
        return events.stream().filter(e -> e.get("type").asText().equals(type)).findFirst().orElseThrow();
    }
}
