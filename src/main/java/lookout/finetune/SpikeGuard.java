package lookout.finetune;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Skips the update of a step whose loss is far above the run's recent steps. One batch whose loss jumps
 * a hundredfold (measured: 1,586 among steps of 3-6, in a 600-step retrain on 100 reviewed frames and
 * 100 replayed ones) gives a gradient that breaks the model for the rest of the run (the loss then
 * stayed at 16, the camera's AP50 fell 0.82 -> 0.27); the same frames in another order trained fine.
 * A step is skipped when its loss exceeds {@link #FACTOR} times the median of the last {@link #WINDOW}
 * applied steps, once there are {@link #MIN_HISTORY} of them; a skipped step does not enter the history,
 * so a lasting rise (the loss of a harder set) is followed, a lone spike is not. The Python mirror is
 * {@code lookout_model.adapt.SpikeGuard}.
 */
final class SpikeGuard {
    static final double FACTOR = 10;
    static final int WINDOW = 50;
    static final int MIN_HISTORY = 10;

    private final Deque<Double> recent = new ArrayDeque<>();
    private int skipped;

    /** Whether to apply this step's update (and remember its loss); false = skip it. */
    boolean accept(double loss) {
        if (recent.size() >= MIN_HISTORY && loss > FACTOR * median()) {
            skipped++;
            return false;
        }
        recent.addLast(loss);
        if (recent.size() > WINDOW) {
            recent.removeFirst();
        }
        return true;
    }

    double median() {
        double[] v = recent.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        int n = v.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    int skipped() {
        return skipped;
    }
}
