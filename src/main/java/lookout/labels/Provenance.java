package lookout.labels;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import lookout.labels.LabelRejectedException.Reason;

/**
 * What a reviewer did to turn a review item into this label (the {@code provenance} field of a
 * {@code lookout.labels} value): so a label can be traced back to the frame it came from, the person
 * who answered it and how much of the model's answer they changed.
 *
 * @param item     the review item id (the key of the frame on {@code lookout.review})
 * @param reviewer the user name of whoever answered it
 * @param accepted model boxes kept as they were
 * @param moved    model boxes moved or resized
 * @param added    boxes the reviewer drew (people the model missed)
 * @param deleted  model boxes the reviewer removed (nobody there)
 * @param nobody   the reviewer said nobody is in the picture
 */
public record Provenance(String item, String reviewer, int accepted, int moved, int added, int deleted,
        boolean nobody) {
    static final int MAX_TEXT = 256;

    /** Whether the model's boxes went through unchanged. */
    public boolean unchanged() {
        return moved == 0 && added == 0 && deleted == 0;
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("item", item);
        m.put("reviewer", reviewer);
        m.put("accepted", accepted);
        m.put("moved", moved);
        m.put("added", added);
        m.put("deleted", deleted);
        m.put("nobody", nobody);
        return m;
    }

    /** Reads and checks the field; null when absent. */
    static Provenance parse(JsonNode node, int boxes) throws LabelRejectedException {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new LabelRejectedException(Reason.BAD_FIELD, "\"provenance\" must be an object");
        }
        Provenance p = new Provenance(text(node, "item"), text(node, "reviewer"), count(node, "accepted"),
                count(node, "moved"), count(node, "added"), count(node, "deleted"), node.path("nobody").asBoolean(false));
        if (node.has("nobody") && !node.get("nobody").isBoolean()) {
            throw new LabelRejectedException(Reason.BAD_FIELD, "\"provenance.nobody\" must be true or false");
        }
        if (p.accepted() + p.moved() + p.added() != boxes) {
            throw new LabelRejectedException(Reason.BAD_FIELD, "\"provenance\" counts " + p.accepted() + " accepted + "
                    + p.moved() + " moved + " + p.added() + " added boxes, the label has " + boxes);
        }
        if (p.nobody() && boxes > 0) {
            throw new LabelRejectedException(Reason.BAD_FIELD, "\"provenance\" says nobody is there, the label has "
                    + boxes + " boxes");
        }
        return p;
    }

    private static String text(JsonNode node, String field) throws LabelRejectedException {
        JsonNode n = node.get(field);
        if (n == null || !n.isTextual() || n.asText().isEmpty() || n.asText().length() > MAX_TEXT) {
            throw new LabelRejectedException(Reason.BAD_FIELD, "\"provenance." + field + "\" must be a string of 1-"
                    + MAX_TEXT + " characters");
        }
        return n.asText();
    }

    private static int count(JsonNode node, String field) throws LabelRejectedException {
        JsonNode n = node.get(field);
        if (n == null || !n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 0 || n.asInt() > LabelCodec.MAX_BOXES) {
            throw new LabelRejectedException(Reason.BAD_FIELD, "\"provenance." + field + "\" must be a whole number 0-"
                    + LabelCodec.MAX_BOXES);
        }
        return n.asInt();
    }
}
