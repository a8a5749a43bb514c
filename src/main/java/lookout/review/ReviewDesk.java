package lookout.review;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import lookout.common.Json;
import lookout.common.Names;
import lookout.dataset.Box;
import lookout.labels.LabelCodec;
import lookout.labels.LabelRejectedException;
import lookout.labels.LabelSample;
import lookout.labels.Provenance;

/**
 * The review page's bookkeeping, fed by {@code lookout.review}: the items waiting for an answer (the
 * newest {@code max-pending}, pictures included), the ids already answered, and the one way an answer
 * becomes a label: {@link #answer}, which refuses with a reason what is not an answer to an offered,
 * unanswered item, builds the label with the provenance the server reads off the boxes, and runs it
 * through {@link LabelCodec} (the validation every label goes through). Thread-safe.
 */
public final class ReviewDesk {
    /** Most answered ids remembered (replays of older ones find no item and are refused as unknown). */
    static final int MAX_ANSWERED = 100_000;
    /** Largest answer body accepted (a thousand boxes of JSON numbers fit easily). */
    public static final int MAX_BODY_BYTES = 256 * 1024;

    /** An item and its picture. */
    public record Pending(ReviewItem item, byte[] picture) {
    }

    /** Who answered an item, when and how (the answer mark's JSON). */
    public record Answered(String by, long ts, String outcome, String label) {
    }

    /** An answer accepted: the label to write ({@code key}, {@code value}) and the mark to put on the item. */
    public record Accepted(String itemId, String labelKey, byte[] labelValue, LabelSample sample, Answered mark) {
    }

    /** An answer refused: the HTTP status and the reason (code and one line). */
    public static final class Refused extends Exception {
        private final int status;
        private final String code;

        Refused(int status, String code, String detail) {
            super(code + ": " + Names.clip(detail, 300));
            this.status = status;
            this.code = code;
        }

        public int status() {
            return status;
        }

        public String code() {
            return code;
        }
    }

    private final int maxPending;
    private final LabelCodec codec;
    private final String className;
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    private final Map<String, Answered> answered = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Answered> eldest) {
            return size() > MAX_ANSWERED;
        }
    };
    /** Items answered here whose label is on its way (a second answer meanwhile is a replay). */
    private final Map<String, String> inFlight = new LinkedHashMap<>();

    public ReviewDesk(int maxPending, LabelCodec codec, String className) {
        this.maxPending = maxPending;
        this.codec = codec;
        this.className = className;
    }

    /** An item read from {@code lookout.review}. */
    public synchronized void offered(ReviewItem item, byte[] picture) {
        if (answered.containsKey(item.id())) {
            return;
        }
        pending.remove(item.id());
        pending.put(item.id(), new Pending(item, picture));
        while (pending.size() > maxPending) {
            pending.remove(pending.keySet().iterator().next());
        }
    }

    /** An answer mark read from {@code lookout.review} (this replica's or another's). */
    public synchronized void answered(String itemId, Answered mark) {
        pending.remove(itemId);
        inFlight.remove(itemId);
        answered.put(itemId, mark);
    }

    /** The items waiting, oldest pick first; only one camera's when camera is not null. */
    public synchronized List<ReviewItem> waiting(String camera) {
        List<ReviewItem> out = new ArrayList<>();
        for (Pending p : pending.values()) {
            if ((camera == null || camera.equals(p.item().camera())) && !inFlight.containsKey(p.item().id())) {
                out.add(p.item());
            }
        }
        out.sort(Comparator.comparingLong(ReviewItem::pickedAt).thenComparing(ReviewItem::id));
        return out;
    }

    public synchronized Pending get(String itemId) {
        return pending.get(itemId);
    }

    public synchronized Answered answerOf(String itemId) {
        return answered.get(itemId);
    }

    /**
     * Checks an answer and makes it a label; the item counts as answered from now on (a second answer is a
     * replay) until {@link #failed} gives it back.
     *
     * @param body     {@code {"boxes": [[x1,y1,x2,y2], ...], "nobody": false}}
     * @param reviewer the logged-in user
     */
    public Accepted answer(String itemId, byte[] body, String reviewer, long now) throws Refused {
        Pending p;
        synchronized (this) {
            Answered before = answered.get(itemId);
            if (before != null || inFlight.containsKey(itemId)) {
                String by = before != null ? before.by() : inFlight.get(itemId);
                throw new Refused(409, "already-answered", "review item " + itemId + " was answered by " + by
                        + (before != null ? " at " + java.time.Instant.ofEpochMilli(before.ts()) : " a moment ago")
                        + "; an answer counts once");
            }
            p = pending.get(itemId);
            if (p == null) {
                throw new Refused(404, "unknown-item", "no review item " + itemId + " was offered (or it expired)");
            }
            inFlight.put(itemId, reviewer);
        }
        try {
            return accept(p, body, reviewer, now);
        } catch (Refused | RuntimeException e) {
            failed(itemId);
            throw e;
        }
    }

    /** The label of an answer could not be written: the item waits again. */
    public synchronized void failed(String itemId) {
        inFlight.remove(itemId);
    }

    private Accepted accept(Pending p, byte[] body, String reviewer, long now) throws Refused {
        if (body == null || body.length == 0 || body.length > MAX_BODY_BYTES) {
            throw new Refused(400, "bad-answer", "an answer is a JSON object of at most " + MAX_BODY_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new Refused(400, "bad-answer", "not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new Refused(400, "bad-answer", "an answer is a JSON object {\"boxes\": [...], \"nobody\": false}");
        }
        for (var it = root.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!f.equals("boxes") && !f.equals("nobody")) {
                throw new Refused(400, "bad-answer", "unknown field \"" + f + "\" (boxes, nobody)");
            }
        }
        JsonNode nobodyNode = root.get("nobody");
        if (nobodyNode != null && !nobodyNode.isBoolean()) {
            throw new Refused(400, "bad-answer", "\"nobody\" must be true or false");
        }
        boolean nobody = nobodyNode != null && nobodyNode.asBoolean();
        List<Box> boxes = boxes(root.get("boxes"));
        if (nobody && !boxes.isEmpty()) {
            throw new Refused(400, "bad-answer", "\"nobody\" with " + boxes.size() + " boxes");
        }
        ReviewItem item = p.item();
        ReviewDiff.Counts c = ReviewDiff.of(ReviewDiff.boxes(item), boxes);
        Provenance provenance = new Provenance(item.id(), reviewer, c.accepted(), c.moved(), c.added(), c.deleted(),
                nobody || boxes.isEmpty());
        String key = labelKey(item);
        byte[] value = LabelCodec.encode(p.picture(), boxes, java.util.Collections.nCopies(boxes.size(), className),
                item.camera(), "review:" + item.id(), provenance);
        LabelSample sample;
        try {
            sample = codec.parse(key, value);
        } catch (LabelRejectedException e) {
            throw new Refused(400, e.reason().code(), e.getMessage());
        }
        return new Accepted(item.id(), key, value, sample,
                new Answered(reviewer, now, boxes.isEmpty() ? "nobody" : "labelled", key));
    }

    /** The sample id of an item's label: one label per reviewed frame, whoever answers. */
    public static String labelKey(ReviewItem item) {
        return "review/" + item.camera() + "/" + item.id();
    }

    private static List<Box> boxes(JsonNode node) throws Refused {
        List<Box> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw new Refused(400, "bad-box", "\"boxes\" must be an array of [x1,y1,x2,y2]");
        }
        if (node.size() > LabelCodec.MAX_BOXES) {
            throw new Refused(400, "too-many-boxes", node.size() + " boxes, limit " + LabelCodec.MAX_BOXES);
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode b = node.get(i);
            if (!b.isArray() || b.size() != 4) {
                throw new Refused(400, "bad-box", "box " + i + " is not [x1,y1,x2,y2]");
            }
            float[] v = new float[4];
            for (int j = 0; j < 4; j++) {
                if (!b.get(j).isNumber() || !Double.isFinite(b.get(j).asDouble())) {
                    throw new Refused(400, "bad-box", "box " + i + " has a coordinate that is not a number");
                }
                v[j] = (float) b.get(j).asDouble();
            }
            out.add(new Box(v[0], v[1], v[2], v[3]));
        }
        return out;
    }
}
