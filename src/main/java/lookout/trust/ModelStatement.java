package lookout.trust;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import lookout.common.Json;
import lookout.common.Sha256;

/**
 * What a signature on {@code lookout.models} vouches for: one version of one model. The model's
 * bytes by their sha256 and size, and its {@code model.json} (classes, input size, normalisation,
 * score threshold, lineage and metrics: everything a detector acts on) by the sha256 of its canonical
 * JSON (keys sorted, no whitespace); name, parent and data fingerprint are repeated in clear for
 * people reading a statement.
 *
 * @param metadataSha256 sha256 of {@link #canonical(JsonNode)} of model.json as published
 */
public record ModelStatement(String name, String version, String sha256, long size, String metadataSha256,
        String parent, String dataFingerprint) {
    /** Changes when the statement's form does: a signature over another form never verifies. */
    static final String FORM = "lookout-model-statement/1";

    /** The statement of a version, from its manifest's numbers and its model.json as published. */
    public static ModelStatement of(String version, String sha256, long size, JsonNode metadata) {
        return new ModelStatement(text(metadata, "name"), version, sha256 == null ? null : sha256.toLowerCase(),
                size, Sha256.hex(canonical(metadata)), text(metadata, "parent"), text(metadata, "dataFingerprint"));
    }

    private static String text(JsonNode meta, String field) {
        JsonNode n = meta == null ? null : meta.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    /** The bytes that are signed: a JSON array in a fixed order (unambiguous, whatever the fields hold). */
    public byte[] bytes() {
        try {
            return Json.MAPPER.writeValueAsBytes(Arrays.asList(FORM, name, version, sha256, size, metadataSha256,
                    parent, dataFingerprint));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A JSON tree in canonical form: object keys sorted, no whitespace, numbers as Jackson writes
     * them. The signer computes it on its model.json after a write-and-read round trip, the reader on
     * the tree it parsed from the manifest: the same bytes on both sides.
     */
    public static byte[] canonical(JsonNode node) {
        try {
            return Json.MAPPER.writeValueAsBytes(sorted(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The tree as it reads back after being written (what a reader of the manifest will hold). */
    public static JsonNode roundTrip(JsonNode node) {
        try {
            return Json.MAPPER.readTree(Json.MAPPER.writeValueAsBytes(node));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object sorted(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isObject()) {
            Map<String, Object> m = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                m.put(e.getKey(), sorted(e.getValue()));
            }
            return m;
        }
        if (node.isArray()) {
            List<Object> l = new ArrayList<>();
            node.forEach(n -> l.add(sorted(n)));
            return l;
        }
        return node;
    }
}
