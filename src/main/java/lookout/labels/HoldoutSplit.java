package lookout.labels;

import java.util.ArrayList;
import java.util.List;

import lookout.common.Sha256;

/**
 * Deterministic train/holdout split: a sample is held out when the hash of its id falls under the
 * holdout fraction. The same id lands on the same side on every trainer, every run, whatever else
 * is in the set, so a model is never scored on frames it was trained on.
 */
public final class HoldoutSplit {
    private final double holdoutFraction;

    public HoldoutSplit(double holdoutFraction) {
        if (holdoutFraction < 0 || holdoutFraction >= 1) {
            throw new IllegalArgumentException("holdout fraction must be in [0, 1), got " + holdoutFraction);
        }
        this.holdoutFraction = holdoutFraction;
    }

    public boolean isHoldout(String sampleId) {
        return bucket(sampleId) < holdoutFraction;
    }

    /** A stable number in [0, 1) derived from the id (first 7 bytes of its sha256). */
    static double bucket(String sampleId) {
        byte[] h = Sha256.digest(sampleId);
        long v = 0;
        for (int i = 0; i < 7; i++) {
            v = (v << 8) | (h[i] & 0xff);
        }
        return v / (double) (1L << 56);
    }

    /** Samples split into training and holdout lists. */
    public Split split(List<LabelSample> samples) {
        List<LabelSample> train = new ArrayList<>();
        List<LabelSample> holdout = new ArrayList<>();
        for (LabelSample s : samples) {
            (isHoldout(s.id()) ? holdout : train).add(s);
        }
        return new Split(train, holdout);
    }

    public record Split(List<LabelSample> train, List<LabelSample> holdout) {
    }
}
