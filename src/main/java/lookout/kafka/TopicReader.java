package lookout.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/** Reads a (compacted) topic from the beginning up to its current end: a snapshot of its state. */
public final class TopicReader {
    private TopicReader() {
    }

    /**
     * Assigns every partition of the topic, seeks to the beginning and hands each record to the
     * sink until the end offsets seen at the start are reached (or the timeout passes).
     *
     * @return the number of records read
     */
    public static long readToEnd(Consumer<String, byte[]> consumer, String topic, Duration timeout,
            BiConsumer<String, byte[]> sink) {
        List<TopicPartition> parts = consumer.partitionsFor(topic, timeout).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        Map<TopicPartition, Long> end = consumer.endOffsets(parts, timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        long n = 0;
        while (!reached(consumer, end)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out reading " + topic + " to its end after " + n + " records");
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                sink.accept(r.key(), r.value());
                n++;
            }
        }
        return n;
    }

    private static boolean reached(Consumer<String, byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
