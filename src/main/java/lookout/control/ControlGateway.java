package lookout.control;

import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import lookout.common.Json;

/**
 * The REST door to {@code lookout.control}: validates the command with the same parser the trainer
 * uses and forwards it with the caller's name in {@code "by"} (whatever the body said there), so
 * every event the command causes names who sent it. Who may call it is decided before it (HTTP login,
 * role operator); off unless enabled.
 */
public final class ControlGateway {
    /** What a request gets back: HTTP status and a JSON body. */
    public record Reply(int status, String body) {
    }

    private final boolean enabled;
    private final Consumer<byte[]> sender;

    public ControlGateway(boolean enabled, Consumer<byte[]> sender) {
        this.enabled = enabled;
        this.sender = sender;
    }

    /** Null when the door is open, else the refusal to send back. */
    public Reply refusal() {
        return enabled ? null : new Reply(404, "{\"error\":\"REST control is disabled (lookout.rest.enabled=false)\"}");
    }

    /** @param by the authenticated caller's name */
    public Reply submit(String by, byte[] body) {
        Reply refused = refusal();
        if (refused != null) {
            return refused;
        }
        try {
            ControlParser.parse(body);
            JsonNode root = Json.MAPPER.readTree(body);
            ((ObjectNode) root).put(ControlParser.BY, by);
            byte[] signed = Json.MAPPER.writeValueAsBytes(root);
            ControlCommand cmd = ControlParser.parse(signed); // still within the limits with the name added
            sender.accept(signed);
            return new Reply(202, "{\"accepted\":\"" + cmd.name() + "\"" + (cmd.id() != null
                    ? ",\"id\":" + Json.MAPPER.writeValueAsString(cmd.id()) : "") + ",\"by\":"
                    + Json.MAPPER.writeValueAsString(by) + "}");
        } catch (InvalidCommandException e) {
            return error(e.getMessage());
        } catch (java.io.IOException e) {
            return error("not JSON: " + e.getMessage());
        }
    }

    private static Reply error(String message) {
        try {
            return new Reply(400, "{\"error\":" + Json.MAPPER.writeValueAsString(message) + "}");
        } catch (JsonProcessingException x) {
            return new Reply(400, "{\"error\":\"invalid command\"}");
        }
    }
}
