package lookout.control;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Consumer;

import lookout.common.Json;

/**
 * The REST door to {@code lookout.control}: checks the bearer token, validates the command with
 * the same parser the trainer uses, and forwards the original JSON. Off unless enabled, and refused
 * when enabled without a token (an open control plane is never the default).
 */
public final class ControlGateway {
    /** What a request gets back: HTTP status and a JSON body. */
    public record Reply(int status, String body) {
    }

    private final boolean enabled;
    private final String token;
    private final Consumer<byte[]> sender;

    public ControlGateway(boolean enabled, String token, Consumer<byte[]> sender) {
        this.enabled = enabled;
        this.token = token == null ? "" : token;
        this.sender = sender;
    }

    /** Null when the caller may proceed, else the refusal to send back. */
    public Reply authorize(String authorization) {
        if (!enabled) {
            return new Reply(404, "{\"error\":\"REST control is disabled (lookout.rest.enabled=false)\"}");
        }
        if (token.isBlank()) {
            return new Reply(503, "{\"error\":\"REST control is enabled but lookout.rest.token is not set\"}");
        }
        String expected = "Bearer " + token;
        if (authorization == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                authorization.trim().getBytes(StandardCharsets.UTF_8))) {
            return new Reply(401, "{\"error\":\"missing or wrong bearer token\"}");
        }
        return null;
    }

    public Reply submit(String authorization, byte[] body) {
        Reply refused = authorize(authorization);
        if (refused != null) {
            return refused;
        }
        try {
            ControlCommand cmd = ControlParser.parse(body);
            sender.accept(body);
            return new Reply(202, "{\"accepted\":\"" + cmd.name() + "\"" + (cmd.id() != null
                    ? ",\"id\":" + Json.MAPPER.writeValueAsString(cmd.id()) : "") + "}");
        } catch (InvalidCommandException e) {
            try {
                return new Reply(400, "{\"error\":" + Json.MAPPER.writeValueAsString(e.getMessage()) + "}");
            } catch (com.fasterxml.jackson.core.JsonProcessingException x) {
                return new Reply(400, "{\"error\":\"invalid command\"}");
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return new Reply(500, "{\"error\":\"cannot encode reply\"}");
        }
    }
}
