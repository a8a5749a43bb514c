package lookout.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ControlGatewayTest {
    private final List<String> sent = new ArrayList<>();

    private ControlGateway gateway(boolean enabled) {
        return new ControlGateway(enabled, b -> sent.add(new String(b, StandardCharsets.UTF_8)));
    }

    private static byte[] body(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldBeOffByDefault() {
        assertThat(gateway(false).submit("olga", body("{\"command\":\"reload\"}")).status()).isEqualTo(404);
        assertThat(sent).isEmpty();
    }

    @Test
    void shouldForwardValidCommandWithTheCallersNameAndRejectInvalidOneWithReason() {
        ControlGateway g = gateway(true);
        ControlGateway.Reply ok = g.submit("olga", body("{\"command\":\"promote\",\"version\":\"3\",\"id\":\"x\"}"));
        assertThat(ok.status()).isEqualTo(202);
        assertThat(ok.body()).contains("\"accepted\":\"promote\"").contains("\"id\":\"x\"").contains("\"by\":\"olga\"");
        assertThat(sent).containsExactly("{\"command\":\"promote\",\"version\":\"3\",\"id\":\"x\",\"by\":\"olga\"}");
        assertThat(ControlParser.by(body(sent.get(0)))).isEqualTo("olga");

        ControlGateway.Reply bad = g.submit("olga", body("{\"command\":\"explode\"}"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("unknown command");
        assertThat(sent).hasSize(1);
    }

    @Test
    void shouldReplaceANameTheBodyClaimsWithTheCallersOwn() {
        // Given an operator who writes someone else's name into the command
        gateway(true).submit("olga", body("{\"command\":\"reload\",\"by\":\"admin\"}"));
        // Then the command on lookout.control names the caller
        assertThat(sent).hasSize(1);
        assertThat(ControlParser.by(body(sent.get(0)))).isEqualTo("olga");
    }
}
