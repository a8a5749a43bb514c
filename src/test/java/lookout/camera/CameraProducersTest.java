package lookout.camera;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import lookout.config.GroupSettings;
import lookout.config.KafkaSettings;
import lookout.config.TopicSettings;
import lookout.kafka.KafkaClients;

class CameraProducersTest {
    @Test
    void shouldSendFramesWithTheOperatorsSecurityDurablyAndSizedForTheFramesTopic() {
        Map<String, Object> security = Map.of("bootstrap.servers", "k:9093", "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512", "acks", "1");
        KafkaClients clients = new KafkaClients(new KafkaSettings(security,
                new TopicSettings(4, (short) 3, 1_000_000, 524_288), new GroupSettings("cam-host", Duration.ofSeconds(10))));
        Map<String, Object> p = CameraProducers.properties(clients, "lookout-camera");
        assertThat(p).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("bootstrap.servers", "k:9093")
                .containsEntry("acks", "all").containsEntry("enable.idempotence", true)
                .containsEntry("max.request.size", String.valueOf(1_000_000 + 64 * 1024));
    }
}
