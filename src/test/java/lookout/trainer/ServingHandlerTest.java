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
import lookout.events.Events;
import lookout.kafka.Topics;
import lookout.registry.InMemoryRegistry;
import lookout.registry.ModelPublisher;
import lookout.registry.RegistryKeys;
import lookout.registry.ServingPointer;

class ServingHandlerTest {
    @TempDir
    Path tmp;
    private final InMemoryRegistry registry = new InMemoryRegistry();
    private final List<List<ProducerRecord<String, byte[]>>> completed = new ArrayList<>();
    private final ConsumerRecord<String, byte[]> command = new ConsumerRecord<>(Topics.CONTROL, 0, 12, null, new byte[0]);

    @BeforeEach
    void publishTwoVersions() throws Exception {
        for (String v : List.of("1", "2")) {
            Path dir = Files.createDirectories(tmp.resolve(v));
            Files.write(dir.resolve("model.pt"), ("weights " + v).getBytes(StandardCharsets.UTF_8));
            Files.writeString(dir.resolve("model.json"), "{\"name\":\"lookout-pedestrian\",\"version\":\"" + v
                    + "\",\"classes\":[\"__background__\",\"person\"]}");
            registry.publish(dir, v, v.equals("1"), null);
        }
    }

    private ServingHandler handler(String reason, String eventType) {
        return new ServingHandler(registry, (c, records) -> {
            assertThat(c).isSameAs(command);
            completed.add(records);
        }, new OutcomeEvents("trainer-test"), reason, eventType);
    }

    @Test
    void givenAPublishedVersion_whenPromoted_thenThePointerMovesWithThePromotedEventInOneOutcome() throws Exception {
        handler("promote", Events.PROMOTED).move(command, "p-1", "alice", null, "2");

        List<ProducerRecord<String, byte[]>> records = completed.get(0);
        assertThat(records).hasSize(2);
        assertThat(records.get(0).key()).isEqualTo(RegistryKeys.SERVING);
        assertThat(Json.MAPPER.readTree(records.get(0).value()).get("version").asText()).isEqualTo("2");
        JsonNode e = Json.MAPPER.readTree(records.get(1).value());
        assertThat(e.get("type").asText()).isEqualTo("promoted");
        assertThat(e.get("id").asText()).isEqualTo("p-1");
        assertThat(e.get("version").asText()).isEqualTo("2");
        assertThat(e.get("previous").asText()).isEqualTo("1");
        assertThat(e.get("by").asText()).isEqualTo("alice");
    }

    @Test
    void givenAVersionNotPublished_whenPromoted_thenOnlyAnErrorEventIsWritten() throws Exception {
        handler("promote", Events.PROMOTED).move(command, "p-2", null, null, "9");

        List<ProducerRecord<String, byte[]>> records = completed.get(0);
        assertThat(records).hasSize(1);
        JsonNode e = Json.MAPPER.readTree(records.get(0).value());
        assertThat(e.get("type").asText()).isEqualTo("error");
        assertThat(e.get("command").asText()).isEqualTo("promote");
        assertThat(e.get("error").asText()).contains("not published");
        assertThat(e.has("by")).isFalse();
    }

    @Test
    void givenNoEarlierServingVersion_whenRolledBack_thenAnErrorEventSaysSo() throws Exception {
        handler("rollback", Events.ROLLED_BACK).move(command, "rb-1", null, null, null);

        JsonNode e = Json.MAPPER.readTree(completed.get(0).get(0).value());
        assertThat(e.get("type").asText()).isEqualTo("error");
        assertThat(e.get("command").asText()).isEqualTo("rollback");
        assertThat(e.get("error").asText()).contains("nothing to roll back to");
    }

    @Test
    void givenAPublishedVersion_whenPromotedForACamera_thenOnlyThatCamerasPointerMoves() throws Exception {
        handler("promote", Events.PROMOTED).move(command, "p-3", "alice", "door", "2");

        List<ProducerRecord<String, byte[]>> records = completed.get(0);
        assertThat(records.get(0).key()).isEqualTo("serving@door");
        assertThat(Json.MAPPER.readTree(records.get(0).value()).get("version").asText()).isEqualTo("2");
        JsonNode e = Json.MAPPER.readTree(records.get(1).value());
        assertThat(e.get("camera").asText()).isEqualTo("door");
        assertThat(e.get("version").asText()).isEqualTo("2");
    }

    @Test
    void givenACameraWithOneModelOfItsOwn_whenRolledBack_thenItsPointerIsTombstonedAndItFollowsTheGeneralVersion()
            throws Exception {
        registry.commit(List.of(ModelPublisher.servingRecord("door",
                new ServingPointer("2", null, "published", 1L))), java.util.Map.of(), null);

        handler("rollback", Events.ROLLED_BACK).move(command, "rb-2", null, "door", null);

        List<ProducerRecord<String, byte[]>> records = completed.get(0);
        assertThat(records.get(0).key()).isEqualTo("serving@door");
        assertThat(records.get(0).value()).as("tombstone").isNull();
        JsonNode e = Json.MAPPER.readTree(records.get(1).value());
        assertThat(e.get("type").asText()).isEqualTo("rolled-back");
        assertThat(e.get("version").asText()).as("what the camera serves now").isEqualTo("1");
        assertThat(e.get("previous").asText()).isEqualTo("2");
    }
}
