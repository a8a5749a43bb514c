package lookout.review.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** What a result line keeps of a retrain's loss (or gradient norm) curve: enough to see a run go astray, not every step. */
class ReviewSimLossCurveTest {

    @Test
    void givenARetrainWhoseLossRisesInItsLastTenth_whenSummarised_thenTheMaxAndTheLastTenthShowIt() {
        List<Double> steps = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            steps.add(i < 90 ? 1.0 : 5.0);
        }
        Map<String, Object> curve = ReviewSimulation.curve(steps);

        assertThat(curve).containsEntry("first", 1.0).containsEntry("last", 5.0).containsEntry("max", 5.0);
        assertThat(curve.get("tenths")).isEqualTo(List.of(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 5.0));
    }

    @Test
    void givenFewerStepsThanTenths_whenSummarised_thenEveryTenthHoldsAStep() {
        Map<String, Object> curve = ReviewSimulation.curve(List.of(3.0, 1.0));

        assertThat(curve.get("tenths")).asList().hasSize(10).containsOnly(3.0, 1.0);
        assertThat(curve).containsEntry("max", 3.0);
    }
}
