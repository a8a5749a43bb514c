package lookout.track;

import java.util.Arrays;
import java.util.function.DoublePredicate;
import java.util.function.DoubleUnaryOperator;

/**
 * Minimum-cost bipartite assignment: the Hungarian method in its O(n^3) shortest-augmenting-path
 * form (Jonker-Volgenant style, with row and column potentials). Results are row-to-column arrays,
 * {@code -1} where a row stays unmatched. Two thresholded variants on top of the plain solver, because
 * the tracker and the scorer want different things from a gated cost matrix:
 * <ul>
 * <li>{@link #matchBelow}: ByteTrack's (lapjv {@code cost_limit}) objective: leaving a pair unmatched
 * costs {@code limit}, so a pair is worth taking only if it is cheaper than that, and the total
 * {@code sum(cost - limit)} over taken pairs is minimised.
 * <li>{@link #maximumMatching}: CLEAR-MOT's (py-motmetrics') objective: as many pairs within the gate
 * as possible, and among those the cheapest.
 * </ul>
 */
public final class LinearAssignment {
    public static final int UNMATCHED = -1;

    private LinearAssignment() {
    }

    /**
     * Every row of a rows &lt;= columns matrix to a distinct column, minimising the total cost.
     * Costs must be finite.
     */
    public static int[] solve(double[][] cost) {
        int n = cost.length;
        if (n == 0) {
            return new int[0];
        }
        int m = cost[0].length;
        if (n > m) {
            throw new IllegalArgumentException("more rows (" + n + ") than columns (" + m + "): transpose first");
        }
        // 1-based arrays; column 0 is the virtual start of each augmenting path
        double[] u = new double[n + 1];
        double[] v = new double[m + 1];
        int[] rowOfCol = new int[m + 1];
        int[] way = new int[m + 1];
        double[] minv = new double[m + 1];
        boolean[] used = new boolean[m + 1];
        for (int i = 1; i <= n; i++) {
            rowOfCol[0] = i;
            int j0 = 0;
            Arrays.fill(minv, Double.POSITIVE_INFINITY);
            Arrays.fill(used, false);
            do {
                used[j0] = true;
                int i0 = rowOfCol[j0];
                double delta = Double.POSITIVE_INFINITY;
                int j1 = 0;
                for (int j = 1; j <= m; j++) {
                    if (!used[j]) {
                        double cur = cost[i0 - 1][j - 1] - u[i0] - v[j];
                        if (cur < minv[j]) {
                            minv[j] = cur;
                            way[j] = j0;
                        }
                        if (minv[j] < delta) {
                            delta = minv[j];
                            j1 = j;
                        }
                    }
                }
                for (int j = 0; j <= m; j++) {
                    if (used[j]) {
                        u[rowOfCol[j]] += delta;
                        v[j] -= delta;
                    } else {
                        minv[j] -= delta;
                    }
                }
                j0 = j1;
            } while (rowOfCol[j0] != 0);
            do {
                int j1 = way[j0];
                rowOfCol[j0] = rowOfCol[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        int[] rowToCol = new int[n];
        Arrays.fill(rowToCol, UNMATCHED);
        for (int j = 1; j <= m; j++) {
            if (rowOfCol[j] != 0) {
                rowToCol[rowOfCol[j] - 1] = j - 1;
            }
        }
        return rowToCol;
    }

    /**
     * Pairs with {@code cost < limit} only, minimising {@code sum(cost - limit)} over the pairs taken
     * (equivalently: an unmatched row or column costs {@code limit / 2}).
     */
    public static int[] matchBelow(double[][] cost, double limit) {
        return gated(cost, c -> c < limit ? c - limit : 0.0, c -> c < limit);
    }

    /**
     * The largest number of pairs with {@code cost <= maxCost}; among matchings that large, the
     * cheapest.
     */
    public static int[] maximumMatching(double[][] cost, double maxCost) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] row : cost) {
            for (double c : row) {
                if (c <= maxCost) {
                    lo = Math.min(lo, c);
                    hi = Math.max(hi, c);
                }
            }
        }
        if (lo == Double.POSITIVE_INFINITY) {
            return unmatched(cost.length);
        }
        // every extra pair must be worth more than any difference in cost a smaller matching could save
        int size = Math.min(cost.length, cost[0].length);
        double bonus = (size + 1) * (Math.abs(hi) + Math.abs(lo) + 1);
        return gated(cost, c -> c <= maxCost ? c - bonus : 0.0, c -> c <= maxCost);
    }

    /**
     * Feasible pairs get a negative entry and infeasible ones 0; a row solved onto a 0 entry is
     * unmatched. Taller-than-wide matrices are solved transposed.
     */
    private static int[] gated(double[][] cost, DoubleUnaryOperator entry, DoublePredicate admit) {
        int n = cost.length;
        if (n == 0 || cost[0].length == 0) {
            return unmatched(n);
        }
        int m = cost[0].length;
        boolean transposed = n > m;
        int rows = transposed ? m : n;
        int cols = transposed ? n : m;
        double[][] entries = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double c = transposed ? cost[j][i] : cost[i][j];
                entries[i][j] = entry.applyAsDouble(c);
            }
        }
        int[] solved = solve(entries);
        int[] rowToCol = unmatched(n);
        for (int i = 0; i < rows; i++) {
            int j = solved[i];
            if (j == UNMATCHED) {
                continue;
            }
            int r = transposed ? j : i;
            int c = transposed ? i : j;
            if (admit.test(cost[r][c])) {
                rowToCol[r] = c;
            }
        }
        return rowToCol;
    }

    private static int[] unmatched(int n) {
        int[] out = new int[n];
        Arrays.fill(out, UNMATCHED);
        return out;
    }
}
