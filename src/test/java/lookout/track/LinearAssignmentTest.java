package lookout.track;

import static lookout.track.LinearAssignment.UNMATCHED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;

import org.junit.jupiter.api.Test;

class LinearAssignmentTest {

    @Test
    void shouldFindTheOptimumOfAClassicMatrix() {
        // Given a matrix whose greedy choice (row 1 -> column 1, cost 0) is not optimal
        double[][] cost = {{4, 1, 3}, {2, 0, 5}, {3, 2, 2}};
        // When solved
        int[] a = LinearAssignment.solve(cost);
        // Then the total is the optimum 5 (0->1, 1->0, 2->2)
        assertThat(a).containsExactly(1, 0, 2);
    }

    @Test
    void shouldAgreeWithBruteForceOnRandomRectangularMatrices() {
        Random rnd = new Random(42);
        for (int trial = 0; trial < 500; trial++) {
            int n = 1 + rnd.nextInt(6);
            int m = n + rnd.nextInt(3);
            double[][] cost = random(rnd, n, m);
            int[] a = LinearAssignment.solve(cost);
            assertThat(total(cost, a)).isCloseTo(BruteForce.bestFull(cost), within(1e-9));
            assertThat(a).doesNotHaveDuplicates();
        }
    }

    @Test
    void shouldTakeOnlyPairsCheaperThanTheLimitAndMinimiseCostMinusLimit() {
        Random rnd = new Random(1);
        for (int trial = 0; trial < 500; trial++) {
            double[][] cost = random(rnd, 1 + rnd.nextInt(5), 1 + rnd.nextInt(5));
            double limit = 0.5;
            int[] a = LinearAssignment.matchBelow(cost, limit);
            double objective = 0;
            for (int i = 0; i < a.length; i++) {
                if (a[i] != UNMATCHED) {
                    assertThat(cost[i][a[i]]).isLessThan(limit);
                    objective += cost[i][a[i]] - limit;
                }
            }
            assertThat(objective).isCloseTo(BruteForce.bestPartial(cost, c -> c < limit ? c - limit : Double.NaN), within(1e-9));
        }
    }

    @Test
    void shouldPreferMorePairsOverCheaperOnesInMaximumMatching() {
        // Given row 0 could take a cheap column 0 alone, or leave it to row 1 and take column 1
        double[][] cost = {{0.1, 0.4}, {0.45, 0.9}};
        // When gated at 0.5 the two objectives disagree:
        // Then ByteTrack's keeps the single cheap pair (-0.4 beats -0.1 - 0.05)
        assertThat(LinearAssignment.matchBelow(cost, 0.5)).containsExactly(0, UNMATCHED);
        // And CLEAR-MOT's takes two pairs
        assertThat(LinearAssignment.maximumMatching(cost, 0.5)).containsExactly(1, 0);
    }

    @Test
    void shouldFindTheLargestThenCheapestMatchingOnRandomGatedMatrices() {
        Random rnd = new Random(3);
        for (int trial = 0; trial < 500; trial++) {
            double[][] cost = random(rnd, 1 + rnd.nextInt(5), 1 + rnd.nextInt(5));
            int[] a = LinearAssignment.maximumMatching(cost, 0.5);
            int pairs = 0;
            double sum = 0;
            for (int i = 0; i < a.length; i++) {
                if (a[i] != UNMATCHED) {
                    assertThat(cost[i][a[i]]).isLessThanOrEqualTo(0.5);
                    pairs++;
                    sum += cost[i][a[i]];
                }
            }
            // brute force on (-1e6 per pair + cost): lexicographic (pairs, cost)
            double best = BruteForce.bestPartial(cost, c -> c <= 0.5 ? c - 1e6 : Double.NaN);
            assertThat(sum - 1e6 * pairs).isCloseTo(best, within(1e-6));
        }
    }

    @Test
    void shouldMatchNothingInEmptyOrFullyGatedMatrices() {
        assertThat(LinearAssignment.matchBelow(new double[0][0], 1)).isEmpty();
        assertThat(LinearAssignment.matchBelow(new double[][] {{}, {}}, 1)).containsExactly(UNMATCHED, UNMATCHED);
        assertThat(LinearAssignment.maximumMatching(new double[][] {{0.9, 0.8}}, 0.5)).containsExactly(UNMATCHED);
    }

    @Test
    void shouldSolveTallMatricesByTransposing() {
        // Given 3 tracks and 1 detection nearest the second track
        double[][] cost = {{0.7}, {0.1}, {0.3}};
        assertThat(LinearAssignment.matchBelow(cost, 0.8)).containsExactly(UNMATCHED, 0, UNMATCHED);
    }

    private static double[][] random(Random rnd, int n, int m) {
        double[][] c = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                c[i][j] = rnd.nextInt(4) == 0 ? 1.0 : rnd.nextDouble();
            }
        }
        return c;
    }

    private static double total(double[][] cost, int[] a) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += cost[i][a[i]];
        }
        return s;
    }

    /** Exhaustive search, the reference the solver is checked against. */
    private static final class BruteForce {
        static double bestFull(double[][] cost) {
            return full(cost, 0, new boolean[cost[0].length]);
        }

        private static double full(double[][] cost, int row, boolean[] used) {
            if (row == cost.length) {
                return 0;
            }
            double best = Double.POSITIVE_INFINITY;
            for (int j = 0; j < used.length; j++) {
                if (!used[j]) {
                    used[j] = true;
                    best = Math.min(best, cost[row][j] + full(cost, row + 1, used));
                    used[j] = false;
                }
            }
            return best;
        }

        /** Best sum of gain(cost) over partial matchings; NaN gain = pair not allowed. */
        static double bestPartial(double[][] cost, java.util.function.DoubleUnaryOperator gain) {
            return partial(cost, gain, 0, new boolean[cost[0].length]);
        }

        private static double partial(double[][] cost, java.util.function.DoubleUnaryOperator gain, int row, boolean[] used) {
            if (row == cost.length) {
                return 0;
            }
            double best = partial(cost, gain, row + 1, used);
            for (int j = 0; j < used.length; j++) {
                double g = gain.applyAsDouble(cost[row][j]);
                if (!used[j] && !Double.isNaN(g)) {
                    used[j] = true;
                    best = Math.min(best, g + partial(cost, gain, row + 1, used));
                    used[j] = false;
                }
            }
            return best;
        }
    }
}
