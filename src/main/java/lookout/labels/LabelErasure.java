package lookout.labels;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import com.fasterxml.jackson.databind.JsonNode;

import lookout.common.Json;

/**
 * Which samples of {@code lookout.labels} belong to a camera (and were written before a time), read
 * record by record from the topic's beginning: the latest record of each id decides. A sample
 * belongs to the camera when its {@code camera} field says so, or, with no camera field (or a value
 * that is not JSON at all), when its id starts with {@code <camera>/}, the importer's naming.
 * Invalid records count too: a rejected sample may still hold a picture.
 */
final class LabelErasure {
    private final String camera;
    private final long before;
    /** Latest state per id: true = belongs to the camera and is not yet deleted. */
    private final Map<String, Boolean> matches = new TreeMap<>();

    LabelErasure(String camera, long before) {
        this.camera = camera;
        this.before = before;
    }

    void apply(ConsumerRecord<String, byte[]> r) {
        if (r.key() == null) {
            return;
        }
        matches.put(r.key(), r.value() != null && r.timestamp() < before && belongs(r.key(), r.value()));
    }

    private boolean belongs(String id, byte[] value) {
        try {
            JsonNode node = Json.MAPPER.readTree(value);
            JsonNode c = node == null ? null : node.get("camera");
            if (c != null && c.isTextual()) {
                return c.asText().equals(camera);
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not JSON: the id is all there is to go by
        }
        return id.startsWith(camera + "/");
    }

    /** The ids to tombstone, sorted. */
    List<String> ids() {
        List<String> out = new ArrayList<>();
        matches.forEach((id, m) -> {
            if (m) {
                out.add(id);
            }
        });
        return out;
    }

    static long parseTime(String s) {
        if (s.matches("\\d{1,19}")) {
            return Long.parseLong(s);
        }
        try {
            return Instant.parse(s).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--before " + s + ": expected an ISO-8601 instant such as "
                    + "2026-12-01T00:00:00Z or epoch milliseconds");
        }
    }
}
