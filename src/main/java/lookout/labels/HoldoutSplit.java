package lookout.labels;

import java.util.ArrayList;
import java.util.Comparator;
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

    /**
     * At most max of the samples, a stable choice: those with the smallest hash buckets, so the same
     * ids stay in while samples come and go; in id order.
     */
    public static List<LabelSample> stableSubset(List<LabelSample> samples, int max) {
        if (samples.size() <= max) {
            return samples;
        }
        List<LabelSample> sorted = new ArrayList<>(samples);
        sorted.sort(Comparator.comparingDouble((LabelSample s) -> bucket("subset:" + s.id())));
        List<LabelSample> out = new ArrayList<>(sorted.subList(0, Math.max(0, max)));
        out.sort(Comparator.comparing(LabelSample::id));
        return out;
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
