package lookout.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import lookout.common.Json;
import lookout.control.ControlCommand;
import lookout.kafka.Topics;
import lookout.registry.InMemoryRegistry;
import lookout.registry.RegistryKeys;

class PruneHandlerTest {
    @TempDir
    Path tmp;
    private final InMemoryRegistry registry = new InMemoryRegistry();
    private final List<List<ProducerRecord<String, byte[]>>> completed = new ArrayList<>();
    private final ConsumerRecord<String, byte[]> command = new ConsumerRecord<>(Topics.CONTROL, 0, 4, null, new byte[0]);
    private final PruneHandler handler = new PruneHandler(registry, (c, records) -> completed.add(records),
            new OutcomeEvents("trainer-test"), 2);

    @BeforeEach
    void publishThreeVersionsServingTheFirst() throws Exception {
        for (String v : List.of("1", "2", "3")) {
            Path dir = Files.createDirectories(tmp.resolve(v));
            Files.write(dir.resolve("model.pt"), ("weights " + v).getBytes(StandardCharsets.UTF_8));
            Files.writeString(dir.resolve("model.json"), "{\"name\":\"lookout-pedestrian\",\"version\":\"" + v
                    + "\",\"classes\":[\"__background__\",\"person\"]}");
            registry.publish(dir, v, v.equals("1"), null);
        }
    }

    private JsonNode event() throws Exception {
        List<ProducerRecord<String, byte[]>> records = completed.get(0);
        ProducerRecord<String, byte[]> last = records.get(records.size() - 1);
        assertThat(last.topic()).isEqualTo(Topics.EVENTS);
        return Json.MAPPER.readTree(last.value());
    }

    @Test
    void givenKeepOne_whenPruned_thenAllButTheNewestAndTheServingVersionAreTombstonedWithThePrunedEvent() throws Exception {
        handler.handle(new ControlCommand.Prune("pr-1", 1), command, "alice");

        List<ProducerRecord<String, byte[]>> records = completed.get(0);
        assertThat(records.get(0).key()).isEqualTo(RegistryKeys.manifest("2"));
        assertThat(records.subList(0, records.size() - 1)).allSatisfy(r -> {
            assertThat(r.topic()).isEqualTo(Topics.MODELS);
            assertThat(r.value()).isNull();
        });
        JsonNode e = event();
        assertThat(e.get("type").asText()).isEqualTo("pruned");
        assertThat(e.get("versions").toString()).isEqualTo("[\"2\"]");
        assertThat(e.get("keep").asInt()).isEqualTo(1);
        assertThat(e.get("by").asText()).isEqualTo("alice");
    }

    @Test
    void givenNoKeep_whenPruned_thenTheConfiguredNumberIsKept() throws Exception {
        handler.handle(new ControlCommand.Prune("pr-2", null), command, null);

        assertThat(completed.get(0)).hasSize(1); // versions 2 and 3 kept, 1 serving: nothing to tombstone
        assertThat(event().get("keep").asInt()).isEqualTo(2);
        assertThat(event().get("versions").size()).isZero();
    }
}
