package lookout.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ControlGatewayTest {
    private final List<String> sent = new ArrayList<>();

    private ControlGateway gateway(boolean enabled, String token) {
        return new ControlGateway(enabled, token, b -> sent.add(new String(b, StandardCharsets.UTF_8)));
    }

    private static byte[] body(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldBeOffByDefault() {
        assertThat(gateway(false, "t").submit("Bearer t", body("{\"command\":\"reload\"}")).status()).isEqualTo(404);
        assertThat(sent).isEmpty();
    }

    @Test
    void shouldRefuseWhenEnabledWithoutTokenConfigured() {
        assertThat(gateway(true, "").submit("Bearer ", body("{\"command\":\"reload\"}")).status()).isEqualTo(503);
        assertThat(sent).isEmpty();
    }

    @Test
    void shouldRejectMissingOrWrongToken() {
        assertThat(gateway(true, "s3cret").submit(null, body("{\"command\":\"reload\"}")).status()).isEqualTo(401);
        assertThat(gateway(true, "s3cret").submit("Bearer nope", body("{\"command\":\"reload\"}")).status())
                .isEqualTo(401);
        assertThat(sent).isEmpty();
    }

    @Test
    void shouldForwardValidCommandAndRejectInvalidOneWithReason() {
        ControlGateway g = gateway(true, "s3cret");
        ControlGateway.Reply ok = g.submit("Bearer s3cret", body("{\"command\":\"promote\",\"version\":\"3\",\"id\":\"x\"}"));
        assertThat(ok.status()).isEqualTo(202);
        assertThat(ok.body()).contains("\"accepted\":\"promote\"").contains("\"id\":\"x\"");
        assertThat(sent).containsExactly("{\"command\":\"promote\",\"version\":\"3\",\"id\":\"x\"}");

        ControlGateway.Reply bad = g.submit("Bearer s3cret", body("{\"command\":\"explode\"}"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("unknown command");
        assertThat(sent).hasSize(1);
    }
}
