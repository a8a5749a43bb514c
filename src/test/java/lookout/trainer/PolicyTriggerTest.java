package lookout.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import lookout.config.RetrainPolicySettings;
import lookout.control.ControlCommand;
import lookout.dataset.Box;
import lookout.labels.LabelCodec;
import lookout.labels.LabelSet;
import lookout.testing.TestFrames;
import lookout.testing.TestSettings;

class PolicyTriggerTest {
    static final long T0 = 1_700_000_000_000L;
    private final LabelSet labels = new LabelSet(LabelCodec.fromConfig(TestSettings.config()));
    private boolean caughtUp = true;

    private PolicyTrigger trigger(int newLabels) {
        RetrainPolicy policy = new RetrainPolicy(new RetrainPolicySettings(newLabels, Duration.ZERO, Duration.ofSeconds(30)), T0);
        return new PolicyTrigger(policy, () -> caughtUp, () -> labels);
    }

    private void label(String camera, int n) {
        byte[] image = TestFrames.image("jpg", 40, 30);
        for (int i = 0; i < n; i++) {
            labels.apply(camera + "/" + i, LabelCodec.encode(image, List.of(new Box(1, 1, 10, 20)), List.of("person"),
                    camera, null), 0, i + 1);
        }
    }

    @Test
    void givenACameraDue_whenAsked_thenARetrainOfThatCameraNamedForThePolicyIsStartedOncePerCheck() {
        PolicyTrigger trigger = trigger(2);
        label("cam", 2);

        ControlCommand.Retrain run = trigger.due(T0).orElseThrow();
        assertThat(run.camera()).isEqualTo("cam");
        assertThat(run.id()).isEqualTo("policy-cam-" + T0);
        assertThat(run.epochs()).isNull();
        assertThat(trigger.due(T0 + 29_000)).as("before the next check").isEmpty();
        assertThat(trigger.due(T0 + 30_000)).as("still due: no outcome learnt").isPresent();
    }

    @Test
    void givenLabelsNotYetReadUpToDate_whenAsked_thenNothingStarts() {
        PolicyTrigger trigger = trigger(2);
        label("cam", 5);
        caughtUp = false;

        assertThat(trigger.due(T0)).isEmpty();
        caughtUp = true;
        assertThat(trigger.due(T0)).as("the check was not spent").isPresent();
    }

    @Test
    void givenTheCamerasOutcomeEvent_whenLearnt_thenItIsNoLongerDue() {
        PolicyTrigger trigger = trigger(2);
        label("cam", 2);
        trigger.learn("not json".getBytes(StandardCharsets.UTF_8));
        trigger.learn(("{\"type\":\"published\",\"camera\":\"cam\",\"ts\":" + (T0 + 1)
                + ",\"labelsWatermark\":{\"0\":2}}").getBytes(StandardCharsets.UTF_8));

        assertThat(trigger.due(T0 + 10)).isEmpty();
    }

    @Test
    void givenThePolicyOff_whenAsked_thenNothingStarts() {
        PolicyTrigger trigger = trigger(0);
        label("cam", 50);

        assertThat(trigger.due(T0)).isEmpty();
    }
}
