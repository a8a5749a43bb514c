package lookout.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

class EmbeddedBrokerTest {
    @Test
    void shouldHandOutDistinctFreePortsNoneOfThemTheTakenOne() throws Exception {
        for (int round = 0; round < 50; round++) {
            int[] ports = EmbeddedBroker.freePorts(3, 9092);
            assertThat(Arrays.stream(ports).distinct().count()).isEqualTo(3);
            assertThat(ports).doesNotContain(9092);
        }
    }

    @Test
    void shouldOfferClientsOnlySaslSslWhenSecuredAndKeepItsOwnTrafficOnAnInternalListener() {
        Properties p = EmbeddedBroker.config(9093, 9095, Path.of("/tmp/k"));
        EmbeddedBroker.secure(p, 9093, 9094, 9095, new EmbeddedBroker.Security(Path.of("/tls/broker.p12"), "pw",
                Map.of("lookout", "secret")));
        assertThat(p.getProperty("advertised.listeners")).isEqualTo("INTERNAL://localhost:9094,EXTERNAL://localhost:9093");
        assertThat(p.getProperty("listener.security.protocol.map"))
                .isEqualTo("INTERNAL:PLAINTEXT,EXTERNAL:SASL_SSL,CONTROLLER:PLAINTEXT");
        assertThat(p.getProperty("sasl.enabled.mechanisms")).isEqualTo("SCRAM-SHA-512");
        assertThat(p.getProperty("listener.name.external.ssl.keystore.location")).endsWith("broker.p12");
    }
}
