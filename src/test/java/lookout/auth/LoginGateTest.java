package lookout.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

class LoginGateTest {
    private static String encode(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldReadTheNameOfBasicCredentialsAndNothingFromGarbage() {
        assertThat(LoginGate.basic(encode("olga:pass:with:colons"))).containsExactly("olga", "pass:with:colons");
        assertThat(LoginGate.basic(encode("olga:"))).containsExactly("olga", "");
        assertThat(LoginGate.basic(encode("no colon"))).isNull();
        assertThat(LoginGate.basic("%%%not base64")).isNull();
    }
}
