package lookout.bench;

import java.util.List;

/** Percentiles of a sample, nearest rank. */
final class Stats {
    private Stats() {
    }

    static double percentile(List<? extends Number> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(Number::doubleValue).sorted().toArray();
        return sorted[(int) Math.ceil(p * (sorted.length - 1))];
    }

    static double median(List<? extends Number> values) {
        return percentile(values, 0.5);
    }
}
