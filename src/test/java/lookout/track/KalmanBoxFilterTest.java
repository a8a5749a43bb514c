package lookout.track;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class KalmanBoxFilterTest {
    private final KalmanBoxFilter kalman = new KalmanBoxFilter();

    @Test
    void shouldDescribeTheInitialBoxWithZeroVelocity() {
        // Given a 40x120 box
        Rect box = new Rect(100, 50, 140, 170);
        // When a track starts on it
        KalmanBoxFilter.State s = kalman.initiate(box);
        // Then its mean is that box, standing still
        assertBox(s.box(), box, 1e-9);
        assertThat(s.mean()).containsExactly(new double[] {120, 110, 40.0 / 120, 120, 0, 0, 0, 0}, within(1e-12));
    }

    @Test
    void shouldLearnAConstantVelocityAndExtrapolateIt() {
        // Given a person walking 5 px/frame to the right, measured for 15 frames
        KalmanBoxFilter.State s = kalman.initiate(new Rect(0, 0, 40, 120));
        for (int f = 1; f <= 15; f++) {
            s = kalman.update(kalman.predict(s), new Rect(5 * f, 0, 5 * f + 40, 120));
        }
        // When predicting one frame on
        KalmanBoxFilter.State next = kalman.predict(s);
        // Then the box is where the walk leads, and the velocity is about 5 px/frame
        assertThat(s.mean()[4]).isCloseTo(5, within(0.3));
        assertBox(next.box(), new Rect(80, 0, 120, 120), 1.0);
    }

    @Test
    void shouldGrowUncertaintyWhilePredictingWithoutMeasurements() {
        // Given a track with a few measurements
        KalmanBoxFilter.State s = kalman.initiate(new Rect(0, 0, 40, 120));
        s = kalman.update(kalman.predict(s), new Rect(2, 0, 42, 120));
        // When it is predicted on for 5 frames with nothing seen
        double before = s.covariance()[0][0];
        KalmanBoxFilter.State coasted = kalman.predict(s, 5);
        // Then the position variance grows
        assertThat(coasted.covariance()[0][0]).isGreaterThan(before);
    }

    @Test
    void shouldMoveTowardTheMeasurementAndShrinkUncertaintyOnUpdate() {
        // Given a predicted track at x = 0
        KalmanBoxFilter.State predicted = kalman.predict(kalman.initiate(new Rect(0, 0, 40, 120)));
        // When a box 10 px to the right is measured
        KalmanBoxFilter.State updated = kalman.update(predicted, new Rect(10, 0, 50, 120));
        // Then the centre lands between prediction and measurement, and the variance shrinks
        assertThat(updated.mean()[0]).isStrictlyBetween(20.0, 30.0);
        assertThat(updated.covariance()[0][0]).isLessThan(predicted.covariance()[0][0]);
    }

    @Test
    void shouldPredictSeveralFramesExactlyAsRepeatedSingleSteps() {
        KalmanBoxFilter.State s = kalman.update(kalman.predict(kalman.initiate(new Rect(0, 0, 40, 120))), new Rect(3, 1, 43, 121));
        KalmanBoxFilter.State stepwise = kalman.predict(kalman.predict(kalman.predict(s)));
        KalmanBoxFilter.State multi = kalman.predict(s, 3);
        assertThat(multi.mean()).containsExactly(stepwise.mean());
        for (int i = 0; i < KalmanBoxFilter.DIM; i++) {
            assertThat(multi.covariance()[i]).containsExactly(stepwise.covariance()[i]);
        }
    }

    @Test
    void shouldKeepTheCovarianceExactlySymmetric() {
        // Given a long run of noisy updates (where rounding would otherwise break symmetry)
        KalmanBoxFilter.State s = kalman.initiate(new Rect(0, 0, 40, 120));
        java.util.Random rnd = new java.util.Random(7);
        for (int f = 1; f <= 50; f++) {
            double x = 3 * f + rnd.nextGaussian();
            s = kalman.update(kalman.predict(s), new Rect(x, rnd.nextGaussian(), x + 40 + rnd.nextGaussian(), 120));
        }
        // Then the serde may store only its upper triangle
        double[][] c = s.covariance();
        for (int i = 0; i < KalmanBoxFilter.DIM; i++) {
            for (int j = 0; j < KalmanBoxFilter.DIM; j++) {
                assertThat(c[i][j]).isEqualTo(c[j][i]);
            }
        }
    }

    @Test
    void shouldInvertASmallPositiveDefiniteMatrix() {
        double[][] a = {{4, 1, 0, 0}, {1, 3, 1, 0}, {0, 1, 2, 0.5}, {0, 0, 0.5, 1}};
        double[][] product = SmallMatrix.multiply(a, SmallMatrix.inverse(a));
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                assertThat(product[i][j]).isCloseTo(i == j ? 1 : 0, within(1e-12));
            }
        }
    }

    private static void assertBox(Rect actual, Rect expected, double tolerance) {
        assertThat(actual.x1()).isCloseTo(expected.x1(), within(tolerance));
        assertThat(actual.y1()).isCloseTo(expected.y1(), within(tolerance));
        assertThat(actual.x2()).isCloseTo(expected.x2(), within(tolerance));
        assertThat(actual.y2()).isCloseTo(expected.y2(), within(tolerance));
    }
}
