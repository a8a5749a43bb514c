package lookout.labels;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import lookout.common.Json;
import lookout.common.Names;
import lookout.config.LookoutConfig;
import lookout.dataset.Box;
import lookout.frames.DecodedImage;
import lookout.frames.FrameDecoder;
import lookout.frames.InvalidFrameException;
import lookout.labels.LabelRejectedException.Reason;

/**
 * The {@code lookout.labels} value format, both ways. Parsing validates everything training relies
 * on, so a bad record is rejected with a reason instead of poisoning a training run:
 * <pre>{"image": "&lt;base64 JPEG/PNG&gt;", "boxes": [[x1,y1,x2,y2], ...], "labels": ["person", ...],
 *  "camera": "tud-stadtmitte", "source": "mot:TUD-Stadtmitte"}</pre>
 * A label made on the review page also says what the reviewer changed ({@link Provenance}):
 * <pre>"provenance": {"item": "r-...", "reviewer": "alice", "accepted": 3, "moved": 1, "added": 1, "deleted": 0, "nobody": false}</pre>
 */
public final class LabelCodec {
    /** Boxes may overshoot the image border by this many pixels (rounding in labelling tools). */
    static final double BORDER_TOLERANCE = 1.0;
    /** Boxes narrower or lower than this (pixels) are degenerate. */
    static final double MIN_SIDE = 1.0;
    /** Most boxes one sample may have: far beyond any crowd, and what keeps training memory bounded. */
    public static final int MAX_BOXES = 1000;
    /** Longest sample id (the record key), in UTF-8 bytes. */
    public static final int MAX_ID_BYTES = 1024;
    /** Longest {@code source} text. */
    static final int MAX_SOURCE_CHARS = 1000;

    private final FrameDecoder decoder;
    private final Set<String> knownLabels;

    public LabelCodec(FrameDecoder decoder, Set<String> knownLabels) {
        this.decoder = decoder;
        this.knownLabels = Set.copyOf(knownLabels);
    }

    /** A codec for the configured target class, with the same image limits as frames. */
    public static LabelCodec fromConfig(LookoutConfig config) {
        return new LabelCodec(new FrameDecoder(config.frameLimits()), Set.of(config.targetClass()));
    }

    public LabelSample parse(String key, byte[] value) throws LabelRejectedException {
        if (key == null || key.isBlank()) {
            throw new LabelRejectedException(Reason.MISSING_KEY, "a labels record needs a sample id as key");
        }
        int keyBytes = key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (keyBytes > MAX_ID_BYTES) {
            throw new LabelRejectedException(Reason.BAD_KEY, "sample id is " + keyBytes + " bytes, limit " + MAX_ID_BYTES);
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new LabelRejectedException(Reason.MALFORMED_JSON, e.getOriginalMessage());
        } catch (IOException e) {
            throw new LabelRejectedException(Reason.MALFORMED_JSON, e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new LabelRejectedException(Reason.MALFORMED_JSON, "value must be a JSON object");
        }
        JsonNode imageNode = root.get("image");
        if (imageNode == null || !imageNode.isTextual() || imageNode.asText().isEmpty()) {
            throw new LabelRejectedException(Reason.MISSING_IMAGE, "\"image\" must be a base64 string");
        }
        byte[] image;
        try {
            image = Base64.getMimeDecoder().decode(imageNode.asText());
        } catch (IllegalArgumentException e) {
            throw new LabelRejectedException(Reason.BAD_BASE64, e.getMessage());
        }
        DecodedImage decoded;
        try {
            decoded = decoder.decode(image);
        } catch (InvalidFrameException e) {
            throw new LabelRejectedException(Reason.UNDECODABLE_IMAGE, e.getMessage());
        }
        List<Box> boxes = parseBoxes(root.get("boxes"), decoded.width(), decoded.height());
        List<String> labels = parseLabels(root.get("labels"), boxes.size());
        String camera = text(root, "camera");
        if (camera != null && Names.cameraProblem(camera) != null) {
            throw new LabelRejectedException(Reason.BAD_FIELD, "\"camera\": " + Names.cameraProblem(camera));
        }
        String source = text(root, "source");
        if (source != null && source.length() > MAX_SOURCE_CHARS) {
            throw new LabelRejectedException(Reason.BAD_FIELD, "\"source\" is " + source.length()
                    + " characters, limit " + MAX_SOURCE_CHARS);
        }
        Provenance provenance = Provenance.parse(root.get("provenance"), boxes.size());
        return new LabelSample(key, image, decoded.width(), decoded.height(), boxes, labels, camera, source, provenance);
    }

    private static List<Box> parseBoxes(JsonNode node, int w, int h) throws LabelRejectedException {
        List<Box> boxes = new ArrayList<>();
        if (node == null || node.isNull()) {
            return boxes; // a frame with nobody in it is a valid (negative) sample
        }
        if (!node.isArray()) {
            throw new LabelRejectedException(Reason.BAD_BOX, "\"boxes\" must be an array of [x1,y1,x2,y2]");
        }
        if (node.size() > MAX_BOXES) {
            throw new LabelRejectedException(Reason.TOO_MANY_BOXES, node.size() + " boxes, limit " + MAX_BOXES);
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode b = node.get(i);
            if (!b.isArray() || b.size() != 4) {
                throw new LabelRejectedException(Reason.BAD_BOX, "box " + i + " is not [x1,y1,x2,y2]: " + b);
            }
            double[] v = new double[4];
            for (int j = 0; j < 4; j++) {
                if (!b.get(j).isNumber() || !Double.isFinite(b.get(j).asDouble())) {
                    throw new LabelRejectedException(Reason.BAD_BOX, "box " + i + " has a non-numeric coordinate: " + b);
                }
                v[j] = b.get(j).asDouble();
            }
            Box box = new Box((float) v[0], (float) v[1], (float) v[2], (float) v[3]);
            if (box.width() < MIN_SIDE || box.height() < MIN_SIDE) {
                throw new LabelRejectedException(Reason.DEGENERATE_BOX, "box " + i + " " + b + " has no area");
            }
            if (box.x1() < -BORDER_TOLERANCE || box.y1() < -BORDER_TOLERANCE
                    || box.x2() > w + BORDER_TOLERANCE || box.y2() > h + BORDER_TOLERANCE) {
                throw new LabelRejectedException(Reason.BOX_OUTSIDE_IMAGE,
                        "box " + i + " " + b + " leaves the " + w + "x" + h + " image");
            }
            boxes.add(clip(box, w, h));
        }
        return boxes;
    }

    private List<String> parseLabels(JsonNode node, int boxCount) throws LabelRejectedException {
        List<String> labels = new ArrayList<>();
        if (node == null || node.isNull()) {
            if (boxCount > 0) {
                throw new LabelRejectedException(Reason.LABEL_COUNT_MISMATCH, boxCount + " boxes but no \"labels\"");
            }
            return labels;
        }
        if (!node.isArray() || node.size() != boxCount) {
            throw new LabelRejectedException(Reason.LABEL_COUNT_MISMATCH,
                    boxCount + " boxes but \"labels\" is " + node);
        }
        for (JsonNode l : node) {
            if (!l.isTextual() || !knownLabels.contains(l.asText())) {
                throw new LabelRejectedException(Reason.UNKNOWN_LABEL, l + " is not one of " + knownLabels);
            }
            labels.add(l.asText());
        }
        return labels;
    }

    private static String text(JsonNode root, String field) throws LabelRejectedException {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new LabelRejectedException(Reason.BAD_FIELD, "\"" + field + "\" must be a string");
        }
        return n.asText();
    }

    /** The record value for a sample (the inverse of {@link #parse}). */
    public static byte[] encode(byte[] image, List<Box> boxes, List<String> labels, String camera,
            String source) {
        return encode(image, boxes, labels, camera, source, null);
    }

    /** The record value for a sample a reviewer made (with what they changed), or any sample (provenance null). */
    public static byte[] encode(byte[] image, List<Box> boxes, List<String> labels, String camera,
            String source, Provenance provenance) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("image", Base64.getEncoder().encodeToString(image));
        ArrayNode bs = root.putArray("boxes");
        for (Box b : boxes) {
            bs.addArray().add(round(b.x1())).add(round(b.y1())).add(round(b.x2())).add(round(b.y2()));
        }
        ArrayNode ls = root.putArray("labels");
        labels.forEach(ls::add);
        if (camera != null) {
            root.put("camera", camera);
        }
        if (source != null) {
            root.put("source", source);
        }
        if (provenance != null) {
            root.set("provenance", Json.MAPPER.valueToTree(provenance.toMap()));
        }
        try {
            return Json.MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] encode(LabelSample s) {
        return encode(s.image(), s.boxes(), s.labels(), s.camera(), s.source(), s.provenance());
    }

    /** The box clipped to a w x h image. */
    public static Box clip(Box b, int w, int h) {
        return new Box(Math.max(0, Math.min(w, b.x1())), Math.max(0, Math.min(h, b.y1())),
                Math.max(0, Math.min(w, b.x2())), Math.max(0, Math.min(h, b.y2())));
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
