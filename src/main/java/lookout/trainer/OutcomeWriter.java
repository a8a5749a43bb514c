package lookout.trainer;

import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes a command's outcome records and its consumed offset at once, or not at all ({@link CommandLoop#complete}). */
@FunctionalInterface
interface OutcomeWriter {
    /** @param command the command the records answer; null for a run nobody asked for */
    void complete(ConsumerRecord<String, byte[]> command, List<ProducerRecord<String, byte[]>> records);
}
