package lookout.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;

import org.junit.jupiter.api.Test;
import lookout.dataset.Box;

class EvaluatorTest {
    private static final Box G1 = new Box(0, 0, 10, 10);
    private static final Box G2 = new Box(20, 0, 30, 10);

    private static ScoredBox det(float x1, float y1, float x2, float y2, float score) {
        return new ScoredBox(new Box(x1, y1, x2, y2), score);
    }

    @Test
    void shouldComputeIouOfOverlappingBoxes() {
        assertThat(G1.iou(new Box(0, 0, 10, 8.2f))).isCloseTo(0.82, within(1e-6));
        assertThat(G1.iou(new Box(5, 0, 15, 10))).isCloseTo(50.0 / 150.0, within(1e-9));
        assertThat(G1.iou(G2)).isZero();
    }

    /**
     * Given 2 GT and 3 detections: d1 (0.9) IoU 0.82 with G1, d2 (0.8) on nothing, d3 (0.7) IoU 0.62 with G2.
     * At IoU <= 0.6 the ranking is TP, FP, TP: recall .5 .5 1, precision 1 .5 .667 -> monotone 1 .667 .667;
     * recall points 0..0.50 (51 of them) get 1, 0.51..1 (50) get 2/3: AP = (51 + 100/3)/101 = 253/303.
     * At 0.65..0.80 only d1 is a TP: AP = 51/101. At 0.85..0.95 nothing matches: AP = 0.
     * AP@[.5:.95] = (3 * 253/303 + 4 * 51/101) / 10 = 457/1010.
     */
    @Test
    void shouldComputeHandCheckedApForTwoTruthsAndThreeDetections() {
        Evaluator evaluator = new Evaluator();
        evaluator.add(List.of(G1, G2), List.of(
                det(20, 0, 30, 6.2f, 0.7f),
                det(0, 0, 10, 8.2f, 0.9f),
                det(50, 50, 60, 60, 0.8f)));
        EvaluationResult r = evaluator.evaluate(0.75);
        assertThat(r.ap50()).isCloseTo(253.0 / 303.0, within(1e-12));
        assertThat(r.ap75()).isCloseTo(51.0 / 101.0, within(1e-12));
        assertThat(r.apPerThreshold()[9]).isZero();
        assertThat(r.ap()).isCloseTo(457.0 / 1010.0, within(1e-12));
        // at score >= 0.75: d1 (TP) and d2 (FP)
        assertThat(r.precision()).isCloseTo(0.5, within(1e-12));
        assertThat(r.recall()).isCloseTo(0.5, within(1e-12));
        assertThat(r.f1()).isCloseTo(0.5, within(1e-12));
        assertThat(r.groundTruth()).isEqualTo(2);
        assertThat(r.detections()).isEqualTo(3);
        assertThat(r.prCurve()[50]).isEqualTo(1.0);
        assertThat(r.prCurve()[51]).isCloseTo(2.0 / 3.0, within(1e-12));
    }

    @Test
    void shouldGiveFullApForPerfectDetections() {
        Evaluator evaluator = new Evaluator();
        evaluator.add(List.of(G1), List.of(new ScoredBox(G1, 0.9f)));
        evaluator.add(List.of(G2), List.of(new ScoredBox(G2, 0.2f)));
        EvaluationResult r = evaluator.evaluate(0.5);
        assertThat(r.ap50()).isEqualTo(1.0);
        assertThat(r.ap()).isEqualTo(1.0);
        assertThat(r.precision()).isEqualTo(1.0);
        assertThat(r.recall()).isEqualTo(0.5);
    }

    /** A duplicate on an already matched truth is a false positive; the second image has GT but no detection. */
    @Test
    void shouldCountDuplicatesAsFalsePositivesAndMissedTruthsAgainstRecall() {
        Evaluator evaluator = new Evaluator();
        evaluator.add(List.of(G1), List.of(det(0, 0, 10, 10, 0.9f), det(0, 0, 10, 9.5f, 0.8f)));
        evaluator.add(List.of(G2), List.of());
        evaluator.add(List.of(), List.of(det(0, 0, 5, 5, 0.95f))); // no GT: a false positive ranked first
        EvaluationResult r = evaluator.evaluate(0.0);
        // ranking: FP(.95), TP(.9), FP(.8); nGt = 2: recall 0, .5, .5; precision 0, .5, .333 -> monotone .5 .5 .333
        // recall points 0..0.5 -> 0.5 (51 points), above -> 0
        assertThat(r.ap50()).isCloseTo(51 * 0.5 / 101, within(1e-12));
        assertThat(r.precision()).isCloseTo(1.0 / 3.0, within(1e-12));
        assertThat(r.recall()).isCloseTo(0.5, within(1e-12));
        assertThat(r.images()).isEqualTo(3);
    }

    @Test
    void shouldHandleImagesWithNothingAtAll() {
        Evaluator evaluator = new Evaluator();
        evaluator.add(List.of(), List.of());
        EvaluationResult r = evaluator.evaluate(0.5);
        assertThat(r.ap50()).isNaN();
        assertThat(r.ap()).isNaN();
        assertThat(r.groundTruth()).isZero();

        Evaluator missedAll = new Evaluator();
        missedAll.add(List.of(G1), List.of());
        EvaluationResult m = missedAll.evaluate(0.5);
        assertThat(m.ap50()).isZero();
        assertThat(m.recall()).isZero();
        assertThat(m.precision()).isZero();
    }

    @Test
    void shouldPreferTheHighestIouUnmatchedTruth() {
        // one detection overlapping two truths: it takes the better one; the second detection takes the other
        Box a = new Box(0, 0, 10, 10);
        Box b = new Box(2, 0, 12, 10);
        Evaluator evaluator = new Evaluator();
        evaluator.add(List.of(a, b), List.of(det(2, 0, 12, 10, 0.9f), det(0, 0, 10, 10, 0.8f)));
        assertThat(evaluator.evaluate(0.5).ap()).isEqualTo(1.0);
    }
}
