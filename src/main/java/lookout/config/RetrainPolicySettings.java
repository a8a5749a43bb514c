package lookout.config;

import java.time.Duration;

/**
 * When the trainer retrains a camera without being asked ({@code lookout.trainer.policy.*}); off by
 * default.
 *
 * @param newLabels         retrain a camera after this many new labels of it (0 = not for this reason)
 * @param interval          retrain a camera that has new labels this long after its last run (0 = not for this reason)
 * @param check             how often the trainer looks
 * @param newReviewedLabels retrain a camera after this many new labels of it answered on the review page
 *                          (0 = not for this reason)
 */
public record RetrainPolicySettings(int newLabels, Duration interval, Duration check, int newReviewedLabels) {

    /** Without a rule for reviewed labels. */
    public RetrainPolicySettings(int newLabels, Duration interval, Duration check) {
        this(newLabels, interval, check, 0);
    }

    public boolean enabled() {
        return newLabels > 0 || !interval.isZero() || newReviewedLabels > 0;
    }
}
