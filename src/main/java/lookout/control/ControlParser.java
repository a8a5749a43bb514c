package lookout.control;

import java.io.IOException;
import java.util.Iterator;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import lookout.common.Json;
import lookout.common.Names;
import lookout.kafka.Topics;

/**
 * Parses {@code lookout.control} values. Strict: unknown commands, unknown fields, wrong types and
 * out-of-range numbers are refused with a message, so a typo never silently trains with defaults.
 * <pre>{"command":"retrain","epochs":2,"lr":0.005,"camera":"tud-stadtmitte","baseVersion":"1"}
 * {"command":"promote","version":"3"}   {"command":"rollback","version":"2"}   {"command":"reload"}
 * {"command":"counting-line","camera":"door","line":[0.0,0.6,1.0,0.6]}   ("line":null removes it)</pre>
 */
public final class ControlParser {
    private static final Set<String> COMMON = Set.of("command", "id", "by");
    /**
     * Who sent the command, repeated in every event it causes: the REST door writes the logged-in
     * user's name here (overwriting whatever the body said). A Kafka writer can put any name: on that
     * path the Kafka principal (its ACLs) is who decides, not this field.
     */
    public static final String BY = "by";
    /** Longest "by". */
    static final int MAX_BY_CHARS = 128;
    /** Longest command id: ids are repeated in every event a command causes. */
    static final int MAX_ID_CHARS = 128;
    private static final String NAMES = "retrain, promote, rollback, reload, prune, counting-line";

    private ControlParser() {
    }

    public static ControlCommand parse(byte[] value) throws InvalidCommandException {
        if (value == null || value.length == 0) {
            throw new InvalidCommandException(null, "empty command");
        }
        if (value.length > Topics.MAX_COMMAND_BYTES) {
            throw new InvalidCommandException(null, "command is " + value.length + " bytes, limit " + Topics.MAX_COMMAND_BYTES);
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidCommandException(null, "not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidCommandException(null, "not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidCommandException(null, "a command is a JSON object with a \"command\" field");
        }
        String id = root.hasNonNull("id") ? root.get("id").asText() : null;
        if (id != null && (id.length() > MAX_ID_CHARS || !root.get("id").isValueNode())) {
            throw new InvalidCommandException(null, "\"id\" must be a string of at most " + MAX_ID_CHARS + " characters");
        }
        JsonNode by = root.get(BY);
        if (by != null && !by.isNull() && (!by.isTextual() || by.asText().isEmpty() || by.asText().length() > MAX_BY_CHARS)) {
            throw new InvalidCommandException(id, "\"by\" must be a name of 1-" + MAX_BY_CHARS + " characters");
        }
        JsonNode cmd = root.get("command");
        if (cmd == null || !cmd.isTextual()) {
            throw new InvalidCommandException(id, "missing \"command\" (" + NAMES + ")");
        }
        return switch (cmd.asText()) {
            case "retrain" -> {
                only(root, id, "epochs", "lr", "camera", "baseVersion", "batchSize");
                yield new ControlCommand.Retrain(id, integer(root, id, "epochs", 1, 1000), decimal(root, id, "lr"),
                        camera(root, id, "camera"), version(root, id, "baseVersion"), integer(root, id, "batchSize", 1, 64));
            }
            case "promote" -> {
                only(root, id, "version", "camera");
                String v = version(root, id, "version");
                if (v == null) {
                    throw new InvalidCommandException(id, "promote needs \"version\"");
                }
                yield new ControlCommand.Promote(id, v, camera(root, id, "camera"));
            }
            case "rollback" -> {
                only(root, id, "version", "camera");
                yield new ControlCommand.Rollback(id, version(root, id, "version"), camera(root, id, "camera"));
            }
            case "reload" -> {
                only(root, id);
                yield new ControlCommand.Reload(id);
            }
            case "prune" -> {
                only(root, id, "keep");
                yield new ControlCommand.Prune(id, integer(root, id, "keep", 1, 1000));
            }
            case "counting-line" -> {
                only(root, id, "camera", "line");
                String camera = camera(root, id, "camera");
                if (camera == null) {
                    throw new InvalidCommandException(id, "counting-line needs \"camera\"");
                }
                if (!root.has("line")) {
                    throw new InvalidCommandException(id, "counting-line needs \"line\": [x1,y1,x2,y2] in fractions of the frame, or null to remove it");
                }
                yield new ControlCommand.SetCountingLine(id, camera, line(root, id));
            }
            default -> throw new InvalidCommandException(id, "unknown command \"" + Names.clip(cmd.asText(), 40)
                    + "\" (" + NAMES + ")");
        };
    }

    /** Who sent a command that {@link #parse} accepted ({@value #BY}), or null. */
    public static String by(byte[] value) {
        try {
            JsonNode by = Json.MAPPER.readTree(value).get(BY);
            return by == null || !by.isTextual() ? null : by.asText();
        } catch (IOException e) {
            return null;
        }
    }

    private static void only(JsonNode root, String id, String... allowed) throws InvalidCommandException {
        Set<String> ok = Set.of(allowed);
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!COMMON.contains(f) && !ok.contains(f)) {
                throw new InvalidCommandException(id, "unknown field \"" + Names.clip(f, 40) + "\" for "
                        + root.get("command").asText());
            }
        }
    }

    private static Integer integer(JsonNode root, String id, String f, int min, int max) throws InvalidCommandException {
        JsonNode n = root.get(f);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < min || n.asInt() > max) {
            throw new InvalidCommandException(id, "\"" + f + "\" must be an integer in " + min + ".." + max + ", got "
                    + Names.clip(n.toString(), 40));
        }
        return n.asInt();
    }

    private static Double decimal(JsonNode root, String id, String f) throws InvalidCommandException {
        JsonNode n = root.get(f);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber() || !(n.asDouble() > 0) || n.asDouble() > 1) {
            throw new InvalidCommandException(id, "\"" + f + "\" must be a number in (0, 1], got " + Names.clip(n.toString(), 40));
        }
        return n.asDouble();
    }

    /** A camera id: a non-empty string of at most {@link Names#MAX_CAMERA_BYTES} bytes. */
    private static String camera(JsonNode root, String id, String f) throws InvalidCommandException {
        JsonNode n = root.get(f);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new InvalidCommandException(id, "\"" + f + "\" must be a camera id (a string), got " + Names.clip(n.toString(), 40));
        }
        String problem = Names.cameraProblem(n.asText());
        if (problem != null) {
            throw new InvalidCommandException(id, "\"" + f + "\": " + problem);
        }
        return n.asText();
    }

    /** Four numbers in [0, 1] with two different end points, or null. */
    private static double[] line(JsonNode root, String id) throws InvalidCommandException {
        JsonNode n = root.get("line");
        if (n == null || n.isNull()) {
            return null;
        }
        String want = "\"line\" must be [x1,y1,x2,y2], two different points in fractions of the frame (0..1), got "
                + Names.clip(n.toString(), 60);
        if (!n.isArray() || n.size() != 4) {
            throw new InvalidCommandException(id, want);
        }
        double[] xyxy = new double[4];
        for (int i = 0; i < 4; i++) {
            JsonNode v = n.get(i);
            if (!v.isNumber() || !(v.asDouble() >= 0 && v.asDouble() <= 1)) {
                throw new InvalidCommandException(id, want);
            }
            xyxy[i] = v.asDouble();
        }
        if (xyxy[0] == xyxy[2] && xyxy[1] == xyxy[3]) {
            throw new InvalidCommandException(id, want);
        }
        return xyxy;
    }

    /** Versions may be given as "3" or 3; either way a valid version name. */
    private static String version(JsonNode root, String id, String f) throws InvalidCommandException {
        JsonNode n = root.get(f);
        if (n == null || n.isNull()) {
            return null;
        }
        if ((n.isIntegralNumber() || n.isTextual()) && Names.isVersion(n.asText())) {
            return n.asText();
        }
        throw new InvalidCommandException(id, "\"" + f + "\" must be a version (1-64 letters, digits, '.', '_' or '-'), got "
                + Names.clip(n.toString(), 40));
    }
}
