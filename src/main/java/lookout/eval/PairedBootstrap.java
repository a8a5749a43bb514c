package lookout.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * How sure a holdout is that one model beats another: the images are drawn again with replacement,
 * the same draw for both models (paired), and AP50 computed on each draw. The confidence is the share
 * of draws where the first model scores higher (a tie counts half), so two models that detect the same
 * boxes are at 0.5, and a gain that rests on one or two of a handful of images stays far from 1.
 * Why: a retrain published for one camera alone is judged on that camera's few held-out frames only,
 * and a 10-frame holdout once showed +0.029 AP50 for a model that lost 0.017 on the camera's later frames.
 */
public final class PairedBootstrap {
    private PairedBootstrap() {
    }

    /**
     * @param first     per image, the first model's detections matched at IoU 0.5 ({@link Evaluator#matches})
     * @param second    the same images, in the same order, for the second model
     * @param resamples draws (1000 is plenty for a threshold of 0.9)
     * @param seed      the draws' seed: the same inputs give the same confidence
     * @return the share of draws in which the first model's AP50 is higher; NaN without images
     */
    public static double confidence(List<Evaluator.ImageMatches> first, List<Evaluator.ImageMatches> second,
            int resamples, long seed) {
        if (first.size() != second.size()) {
            throw new IllegalArgumentException("the two models were scored on " + first.size() + " and "
                    + second.size() + " images: a paired comparison needs the same images");
        }
        int n = first.size();
        if (n == 0 || resamples <= 0) {
            return Double.NaN;
        }
        Ranking a = new Ranking(first);
        Ranking b = new Ranking(second);
        SplittableRandom random = new SplittableRandom(seed);
        int[] count = new int[n];
        double wins = 0;
        for (int r = 0; r < resamples; r++) {
            Arrays.fill(count, 0);
            for (int i = 0; i < n; i++) {
                count[random.nextInt(n)]++;
            }
            double apA = a.ap50(count);
            double apB = b.ap50(count);
            boolean bothNaN = Double.isNaN(apA) && Double.isNaN(apB);
            if (bothNaN || Math.abs(apA - apB) < 1e-12) {
                wins += 0.5;
            } else if (apA > apB || Double.isNaN(apB)) {
                wins += 1;
            }
        }
        return wins / resamples;
    }

    /** One model's detections over all images, ranked once by score; a draw repeats each image's. */
    private static final class Ranking {
        private final int[] image;
        private final boolean[] tp;
        private final int[] groundTruth;

        Ranking(List<Evaluator.ImageMatches> images) {
            record Det(int image, float score, boolean tp) {
            }
            List<Det> all = new ArrayList<>();
            groundTruth = new int[images.size()];
            for (int i = 0; i < images.size(); i++) {
                Evaluator.ImageMatches m = images.get(i);
                groundTruth[i] = m.groundTruth();
                for (int d = 0; d < m.scores().length; d++) {
                    all.add(new Det(i, m.scores()[d], m.truePositive()[d]));
                }
            }
            all.sort(Comparator.comparingDouble((Det d) -> d.score()).reversed()); // stable: image order on ties
            image = new int[all.size()];
            tp = new boolean[all.size()];
            for (int k = 0; k < all.size(); k++) {
                image[k] = all.get(k).image();
                tp[k] = all.get(k).tp();
            }
        }

        /** AP50 of the draw in which image i appears count[i] times. */
        double ap50(int[] count) {
            int nGt = 0;
            int nDet = 0;
            for (int i = 0; i < count.length; i++) {
                nGt += count[i] * groundTruth[i];
            }
            for (int k = 0; k < image.length; k++) {
                nDet += count[image[k]];
            }
            if (nGt == 0) {
                return Double.NaN;
            }
            boolean[] drawn = new boolean[nDet];
            int j = 0;
            for (int k = 0; k < image.length; k++) {
                for (int c = count[image[k]]; c > 0; c--) {
                    drawn[j++] = tp[k];
                }
            }
            double sum = 0;
            for (double p : Evaluator.interpolatedPrecision(drawn, nGt)) {
                sum += p;
            }
            return sum / 101;
        }
    }
}
