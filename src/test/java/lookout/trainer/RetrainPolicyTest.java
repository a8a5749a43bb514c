package lookout.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import lookout.common.Json;
import lookout.config.RetrainPolicySettings;
import lookout.dataset.Box;
import lookout.labels.LabelCodec;
import lookout.labels.LabelSet;
import lookout.testing.TestFrames;
import lookout.testing.TestSettings;

class RetrainPolicyTest {
    static final long T0 = 1_700_000_000_000L;
    static final long HOUR = 3_600_000L;
    private final byte[] image = TestFrames.image("jpg", 40, 30);
    private final LabelSet labels = new LabelSet(LabelCodec.fromConfig(TestSettings.config()));
    private long offset;

    private void label(String camera, int n) {
        for (int i = 0; i < n; i++) {
            offset++;
            labels.apply(camera + "/" + offset, LabelCodec.encode(image, List.of(new Box(1, 1, 10, 20)),
                    List.of("person"), camera, null), 0, offset);
        }
    }

    private static JsonNode outcome(String type, String camera, long ts, long watermark) throws Exception {
        return Json.MAPPER.readTree("{\"type\":\"" + type + "\",\"camera\":\"" + camera + "\",\"ts\":" + ts
                + ",\"labelsWatermark\":{\"0\":" + watermark + "}}");
    }

    @Test
    void shouldDoNothingWhenOff() {
        RetrainPolicy off = new RetrainPolicy(new RetrainPolicySettings(0, Duration.ZERO, Duration.ofSeconds(30)), T0);
        label("cam", 500);
        assertThat(off.due(labels, T0 + 1000 * HOUR)).isEmpty();
        assertThat(TestSettings.config().trainer().policy().enabled()).as("off by default").isFalse();
    }

    @Test
    void shouldRetrainACameraAfterNNewLabelsSinceItsLastRun() throws Exception {
        RetrainPolicy policy = new RetrainPolicy(new RetrainPolicySettings(10, Duration.ZERO, Duration.ofSeconds(30)), T0);
        label("cam", 9);
        assertThat(policy.due(labels, T0)).isEmpty();
        label("cam", 1);
        assertThat(policy.due(labels, T0)).contains("cam");
        // Given a run that took its samples at offset 10 (any outcome counts: a rejection too)
        policy.event(outcome("rejected", "cam", T0 + 5, 10));
        assertThat(policy.due(labels, T0 + 10)).isEmpty();
        label("other", 3);
        label("cam", 9);
        assertThat(policy.due(labels, T0 + 10)).isEmpty();
        label("cam", 1);
        assertThat(policy.due(labels, T0 + 10)).contains("cam");
    }

    @Test
    void shouldRetrainACameraWithNewLabelsOnceTheIntervalHasPassed() throws Exception {
        RetrainPolicy policy = new RetrainPolicy(new RetrainPolicySettings(0, Duration.ofHours(6),
                Duration.ofSeconds(30)), T0);
        label("cam", 1);
        assertThat(policy.due(labels, T0 + 5 * HOUR)).as("never run: counted from the trainer's start").isEmpty();
        assertThat(policy.due(labels, T0 + 6 * HOUR)).contains("cam");
        policy.event(outcome("published", "cam", T0 + 6 * HOUR, offset));
        assertThat(policy.due(labels, T0 + 13 * HOUR)).as("no new label since").isEmpty();
        label("cam", 1);
        assertThat(policy.due(labels, T0 + 11 * HOUR)).isEmpty();
        assertThat(policy.due(labels, T0 + 12 * HOUR)).contains("cam");
    }

    @Test
    void shouldIgnoreEventsThatAreNoOutcomeOfOneCamerasRun() throws Exception {
        RetrainPolicy policy = new RetrainPolicy(new RetrainPolicySettings(2, Duration.ZERO, Duration.ofSeconds(30)), T0);
        label("cam", 2);
        policy.event(outcome("training-started", "cam", T0, offset));
        policy.event(Json.MAPPER.readTree("{\"type\":\"published\",\"ts\":1}"));
        policy.event(Json.MAPPER.readTree("{\"type\":\"failed\",\"camera\":7}"));
        assertThat(policy.due(labels, T0)).contains("cam");
    }

    @Test
    void shouldRetrainACameraAfterNNewReviewedLabelsWhateverElseArrives() throws Exception {
        RetrainPolicy policy = new RetrainPolicy(new RetrainPolicySettings(0, Duration.ZERO, Duration.ofSeconds(30), 3), T0);
        assertThat(new RetrainPolicySettings(0, Duration.ZERO, Duration.ofSeconds(30), 3).enabled()).isTrue();
        // Given imported labels of the camera and two answered on the review page
        label("cam", 50);
        reviewed("cam", 2);
        reviewed("other", 5);
        assertThat(policy.due(labels, T0)).as("other has 5 reviewed labels").contains("other");
        policy.event(outcome("published", "other", T0 + 1, offset));
        assertThat(policy.due(labels, T0 + 2)).as("cam has 2 reviewed of 3").isEmpty();
        // When a third frame of cam is answered
        reviewed("cam", 1);
        // Then cam is due
        assertThat(policy.due(labels, T0 + 2)).contains("cam");
    }

    private void reviewed(String camera, int n) {
        for (int i = 0; i < n; i++) {
            offset++;
            labels.apply("review/" + camera + "/" + offset, LabelCodec.encode(image, List.of(new Box(1, 1, 10, 20)),
                    List.of("person"), camera, "review:r-" + offset,
                    new lookout.labels.Provenance("r-" + offset, "alice", 1, 0, 0, 0, false)), 0, offset);
        }
    }
}
