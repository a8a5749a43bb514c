package lookout.trainer;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.kafka.clients.producer.ProducerRecord;

import lookout.control.ControlParser;
import lookout.events.Events;

/** The trainer's events as records for an outcome's transaction, with the command's id and sender. */
final class OutcomeEvents {
    private final String source;

    /** @param source this trainer's event source ({@code Events.source()}) */
    OutcomeEvents(String source) {
        this.source = source;
    }

    ProducerRecord<String, byte[]> event(String type, Map<String, ?> details) {
        return Events.record(type, source, details);
    }

    /** The command's id, then the details, then {@code "by"} (who sent the command) when known. */
    static Map<String, Object> withId(String id, String by, Map<String, ?> details) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        return withBy(by, m, details);
    }

    /** The details with {@code "by"} (who sent the command) after them, when known. */
    static Map<String, Object> withBy(String by, Map<String, ?> details) {
        return withBy(by, new LinkedHashMap<>(), details);
    }

    private static Map<String, Object> withBy(String by, Map<String, Object> into, Map<String, ?> details) {
        into.putAll(details);
        if (by != null) {
            into.put(ControlParser.BY, by);
        }
        return into;
    }
}
