package lookout.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import lookout.kafka.Topics;

class CountingLineCommandsTest {
    private static ConsumerRecord<String, byte[]> command(long offset, String json) {
        return new ConsumerRecord<>(Topics.CONTROL, 0, offset, null, json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldSetChangeAndRemoveCountingLinesInCommandOrderIgnoringOtherCommands() {
        CountingLines lines = CountingLines.of(java.util.Map.of("hall", new CountingLine(0, 0.5, 1, 0.5)));
        CountingLineCommands.apply(List.of(
                command(0, "{\"command\":\"counting-line\",\"camera\":\"door\",\"line\":[0,0.6,1,0.6]}"),
                command(1, "{\"command\":\"retrain\",\"epochs\":1}"),
                command(2, "not json"),
                command(3, null),
                command(4, "{\"command\":\"counting-line\",\"camera\":\"door\",\"line\":[0.5,0,0.5,1]}"),
                command(5, "{\"command\":\"counting-line\",\"camera\":\"hall\",\"line\":null}")), lines);
        assertThat(lines.all()).containsOnlyKeys("door");
        assertThat(lines.get("door")).isEqualTo(new CountingLine(0.5, 0, 0.5, 1));
    }
}
