package lookout.review.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import lookout.config.ReviewSettings;
import lookout.detections.DetectionRecord;
import lookout.review.PickerFrame;

/** How the offline measurement makes a budget of N reviewed frames give N picks of the service's picker. */
class ReviewSimBudgetTest {
    private static final float THRESHOLD = 0.35f;
    /** The service's defaults: 20 an hour, 30 s gap, floor 0.3, scene check 4 grey levels over the last 8 picks. */
    private static final ReviewSettings SERVICE = new ReviewSettings(true, 20, Map.of(), Duration.ofSeconds(30), 0.3,
            0.15, 0.25, 2, 0.05, 4, 8, Duration.ofSeconds(30), 500);
    /** Every picture the same scene, as a few seconds of one static camera look to a 16x12 thumbnail. */
    private static final Function<byte[], double[]> ONE_SCENE = p -> new double[] {100};
    /** Every picture a scene of its own (the frame's index, 5 grey levels apart). */
    private static final Function<byte[], double[]> OWN_SCENES = p -> new double[] {5.0 * p[0] + 5 * 256 * p[1]};

    @Test
    void givenAOneSceneClipOf120DoubtfulFrames_whenTheBudgetIs50_thenTheSimulationPicksExactly50WithTheSceneCheckOff() {
        List<PickerFrame> frames = clip(120, i -> 0.40f + (i % 7) * 0.01f);

        SimBudget.Picked p = SimBudget.pick(frames, SERVICE, 50, THRESHOLD, ONE_SCENE);

        assertThat(p.skipped()).isNull();
        assertThat(p.picks()).hasSize(50).doesNotHaveDuplicates().isSorted();
        assertThat(p.sceneCheck()).isFalse();
        // with the scene check on, the service's picker offers one frame of this clip, whatever the budget
        assertThat(SimBudget.run(frames, SimBudget.atBudget(SERVICE, 120), THRESHOLD, ONE_SCENE)).hasSize(1);
    }

    @Test
    void givenVariedScenes_whenTheBudgetIs25_thenExactly25PicksWithTheSceneCheckOnAndAtLeastTheScaledGapApart() {
        List<PickerFrame> frames = clip(120, i -> 0.40f + (i % 7) * 0.01f);

        SimBudget.Picked p = SimBudget.pick(frames, SERVICE, 25, THRESHOLD, OWN_SCENES);

        assertThat(p.skipped()).isNull();
        assertThat(p.sceneCheck()).isTrue();
        assertThat(p.picks()).hasSize(25).doesNotHaveDuplicates().isSorted();
        long gap = SimBudget.atBudget(SERVICE, p.perHour()).minGap().toMillis();
        for (int k = 1; k < p.picks().size(); k++) {
            long dt = frames.get(p.picks().get(k)).captureTs() - frames.get(p.picks().get(k - 1)).captureTs();
            assertThat(dt).isGreaterThanOrEqualTo(gap);
        }
    }

    @Test
    void givenMorePicksThanTheBudget_whenTrimmed_thenTheMostUncertainAreKept() {
        // frames 0-59 somewhat doubtful (0.4), 60-119 very (0.96): 40 slots pick 40, the 10 kept are late ones
        List<PickerFrame> frames = clip(120, i -> i < 60 ? 0.50f : 0.36f);
        var picks = SimBudget.run(frames, SimBudget.atBudget(SERVICE, 40), THRESHOLD, OWN_SCENES);
        assertThat(picks).hasSize(40);

        assertThat(SimBudget.mostUncertain(picks, 10)).hasSize(10).isSorted().allMatch(i -> i >= 60);
    }

    @Test
    void givenTheServiceGapIsASixthOfItsSlot_whenTheBudgetChanges_thenTheGapKeepsItsShareAndNeverGrows() {
        assertThat(SimBudget.atBudget(SERVICE, 200).minGap()).isEqualTo(Duration.ofSeconds(3));
        assertThat(SimBudget.atBudget(SERVICE, 200).budget("any")).isEqualTo(200);
        assertThat(SimBudget.atBudget(SERVICE, 10).minGap()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void givenABudgetOverHalfThePool_whenPicked_thenItIsSkippedWithTheReason() {
        SimBudget.Picked p = SimBudget.pick(clip(120, i -> 0.4f), SERVICE, 100, THRESHOLD, OWN_SCENES);

        assertThat(p.picks()).isEmpty();
        assertThat(p.skipped()).contains("100").contains("120 watched frames");
        assertThat(SimBudget.tooBig(50, 120)).isNull();
    }

    @Test
    void givenTooFewDoubtfulFramesForTheBudget_whenPicked_thenItIsSkippedNotFilledWithSureOnes() {
        // 20 doubtful frames, the other 100 sure (a score far over the threshold adds nothing)
        List<PickerFrame> frames = clip(120, i -> i % 6 == 0 ? 0.40f : 0.95f);

        SimBudget.Picked p = SimBudget.pick(frames, SERVICE, 25, THRESHOLD, OWN_SCENES);

        assertThat(p.skipped()).contains("only 20");
        assertThat(p.picks()).isEmpty();
    }

    /** n frames of one camera spread over the simulated hour, each with one person scored by score(i). */
    private static List<PickerFrame> clip(int n, java.util.function.IntFunction<Float> score) {
        List<PickerFrame> out = new ArrayList<>();
        long step = SimBudget.HOUR_MS / n;
        for (int i = 0; i < n; i++) {
            var item = new DetectionRecord.Item("person", score.apply(i), new float[] {300, 100, 340, 220}, null);
            out.add(new PickerFrame("cam", i + 1, i * step, 640, 480, new DetectionRecord.ModelRef("sim", "1"),
                    List.of(item), List.of(), new byte[] {(byte) (i % 256), (byte) (i / 256)}));
        }
        return out;
    }
}
