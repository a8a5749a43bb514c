package lookout.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import lookout.common.Json;
import lookout.control.ControlCommand;
import lookout.kafka.Topics;

class CommandDispatchTest {
    private record Completed(ConsumerRecord<String, byte[]> command, List<ProducerRecord<String, byte[]>> records) {
    }

    private final List<Completed> completed = new ArrayList<>();
    private final List<String> handled = new ArrayList<>();
    private final CommandDispatch dispatch = new CommandDispatch((c, r) -> completed.add(new Completed(c, r)),
            new OutcomeEvents("trainer-test"));

    private static ConsumerRecord<String, byte[]> command(long offset, String json) {
        return new ConsumerRecord<>(Topics.CONTROL, 0, offset, null, json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode event(ProducerRecord<String, byte[]> r) throws Exception {
        assertThat(r.topic()).isEqualTo(Topics.EVENTS);
        return Json.MAPPER.readTree(r.value());
    }

    @Test
    void givenAHandlerPerType_whenCommandsArrive_thenEachGoesToTheHandlerOfItsTypeWithItsSender() {
        dispatch.on(ControlCommand.Promote.class, (p, r, by) -> handled.add("promote " + p.version() + " by " + by + " @" + r.offset()))
                .on(ControlCommand.Prune.class, (p, r, by) -> handled.add("prune " + p.keep() + " by " + by + " @" + r.offset()));

        dispatch.handle(command(3, "{\"command\":\"promote\",\"version\":\"2\",\"by\":\"alice\"}"));
        dispatch.handle(command(4, "{\"command\":\"prune\",\"keep\":2}"));

        assertThat(handled).containsExactly("promote 2 by alice @3", "prune 2 by null @4");
        assertThat(completed).as("the handlers write their own outcomes").isEmpty();
    }

    @Test
    void givenACommandForDetectors_whenDispatched_thenItIsCompletedWithNoOutcome() {
        dispatch.handle(command(7, "{\"command\":\"reload\"}"));

        assertThat(completed).hasSize(1);
        assertThat(completed.get(0).command().offset()).isEqualTo(7);
        assertThat(completed.get(0).records()).isEmpty();
    }

    @Test
    void givenAMalformedCommand_whenDispatched_thenItsOffsetIsCompletedWithAnErrorEventNamingIt() throws Exception {
        dispatch.handle(command(9, "{\"command\":\"retrian\",\"id\":\"typo\"}"));

        assertThat(completed).hasSize(1);
        assertThat(completed.get(0).command().offset()).isEqualTo(9);
        JsonNode e = event(completed.get(0).records().get(0));
        assertThat(e.get("type").asText()).isEqualTo("error");
        assertThat(e.get("id").asText()).isEqualTo("typo");
        assertThat(e.get("error").asText()).contains("unknown command");
        assertThat(e.get("offset").asLong()).isEqualTo(9);
        assertThat(e.get("command").asText()).contains("retrian");
    }

    @Test
    void givenAHandlerThatFails_whenDispatched_thenTheCommandIsCompletedWithAnErrorEventForItsSender() throws Exception {
        dispatch.on(ControlCommand.Prune.class, (p, r, by) -> {
            throw new IllegalStateException("registry unreadable");
        });

        dispatch.handle(command(5, "{\"command\":\"prune\",\"id\":\"p-1\",\"by\":\"bob\"}"));

        JsonNode e = event(completed.get(0).records().get(0));
        assertThat(e.get("type").asText()).isEqualTo("error");
        assertThat(e.get("id").asText()).isEqualTo("p-1");
        assertThat(e.get("command").asText()).isEqualTo("prune");
        assertThat(e.get("error").asText()).isEqualTo("registry unreadable");
        assertThat(e.get("by").asText()).isEqualTo("bob");
    }

    @Test
    void givenKafkaFailsInAHandler_whenDispatched_thenTheFailurePropagatesAndNothingIsCompleted() {
        dispatch.on(ControlCommand.Prune.class, (p, r, by) -> {
            throw new KafkaException("fenced");
        });

        assertThatThrownBy(() -> dispatch.handle(command(5, "{\"command\":\"prune\"}"))).isInstanceOf(KafkaException.class);
        assertThat(completed).as("the command is read again from the committed offset").isEmpty();
    }

    @Test
    void givenAHandlerForAType_whenASecondIsRegistered_thenItIsRefused() {
        dispatch.on(ControlCommand.Prune.class, (p, r, by) -> { });

        assertThatThrownBy(() -> dispatch.on(ControlCommand.Prune.class, (p, r, by) -> { }))
                .isInstanceOf(IllegalStateException.class);
    }
}
