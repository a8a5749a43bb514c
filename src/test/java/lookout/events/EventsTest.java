package lookout.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import lookout.common.Json;

class EventsTest {
    @Test
    void shouldWriteSmallEventsAsTheyAre() throws Exception {
        JsonNode e = Json.MAPPER.readTree(Events.toJson("error", "trainer@a", Map.of("id", "r1", "error", "boom")));
        assertThat(e.get("type").asText()).isEqualTo("error");
        assertThat(e.get("source").asText()).isEqualTo("trainer@a");
        assertThat(e.get("id").asText()).isEqualTo("r1");
        assertThat(e.get("error").asText()).isEqualTo("boom");
    }

    @Test
    void shouldClipAHugeFieldSoTheEventAlwaysFitsTheTopic() throws Exception {
        // Given a failure that quotes a 5 MB camera name
        byte[] json = Events.toJson("failed", "trainer@a", Map.of("id", "r1", "camera", "c".repeat(5_000_000),
                "error", "no training samples for camera " + "c".repeat(5_000_000)));
        // Then the event is small, still says which command failed and why
        assertThat(json.length).isLessThanOrEqualTo(Events.MAX_EVENT_BYTES);
        JsonNode e = Json.MAPPER.readTree(json);
        assertThat(e.get("id").asText()).isEqualTo("r1");
        assertThat(e.get("error").asText()).startsWith("no training samples for camera ccc").contains("more chars");
    }

    @Test
    void shouldReplaceDetailsThatStayTooLargeWithANote() throws Exception {
        byte[] json = Events.toJson("pruned", "t", Map.of("id", "p", "versions", List.of("v".repeat(900)).stream()
                .flatMap(v -> java.util.stream.Stream.generate(() -> v).limit(200)).toList()));
        assertThat(json.length).isLessThanOrEqualTo(Events.MAX_EVENT_BYTES);
        JsonNode e = Json.MAPPER.readTree(json);
        assertThat(e.get("id").asText()).isEqualTo("p");
        assertThat(e.get("truncated").asText()).contains("details left out");
    }

    @Test
    void shouldRedactACredentialQuotedInAnEventsText() throws Exception {
        JsonNode e = Json.MAPPER.readTree(Events.toJson("error", "detector@a", Map.of("id", "r2",
                "error", "cannot open rtsp://admin:s3cr3t@pw@10.0.0.7/s1 (http://cam/v.cgi?user=a&pwd=hunter22)")));
        assertThat(e.get("error").asText())
                .isEqualTo("cannot open rtsp://admin:***@10.0.0.7/s1 (http://cam/v.cgi?user=***&pwd=***)");
    }
}
