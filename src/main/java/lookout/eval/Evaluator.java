package lookout.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import lookout.dataset.Box;

/**
 * COCO-style single-class detection evaluation, following pycocotools: per image, detections
 * sorted by score (at most {@code maxDetections}) are matched greedily to the unmatched
 * ground-truth box of highest IoU at or above each threshold; all detections are then ranked by
 * score, precision is made monotone, and AP is the mean precision at 101 recall points
 * (0, 0.01, ..., 1). No crowd/ignore regions. Images with no ground truth contribute only false
 * positives; with no ground truth at all, AP is NaN.
 *
 * <p>Usage: {@code add(gt, detections)} per image, then {@link #evaluate(double)}. Not thread-safe.
 */
public final class Evaluator {
    private static final int RECALL_POINTS = 101;

    private final int maxDetections;
    private final List<List<Box>> groundTruth = new ArrayList<>();
    private final List<List<ScoredBox>> detections = new ArrayList<>();

    public Evaluator() {
        this(100);
    }

    public Evaluator(int maxDetections) {
        this.maxDetections = maxDetections;
    }

    /** Adds one image: its ground truth and its detections (any order). */
    public void add(List<Box> gt, List<ScoredBox> dets) {
        List<ScoredBox> sorted = new ArrayList<>(dets);
        sorted.sort(Comparator.comparingDouble((ScoredBox d) -> d.score()).reversed()); // stable
        if (sorted.size() > maxDetections) {
            sorted = new ArrayList<>(sorted.subList(0, maxDetections));
        }
        groundTruth.add(List.copyOf(gt));
        detections.add(sorted);
    }

    public int images() {
        return groundTruth.size();
    }

    /** Evaluates everything added so far; precision/recall/F1 are reported at {@code scoreThreshold}. */
    public EvaluationResult evaluate(double scoreThreshold) {
        int nGt = groundTruth.stream().mapToInt(List::size).sum();
        int nDet = detections.stream().mapToInt(List::size).sum();
        List<Double> thresholds = EvaluationResult.IOU_THRESHOLDS;
        double[] aps = new double[thresholds.size()];
        double[] curve50 = new double[RECALL_POINTS];
        double precision = Double.NaN;
        double recall = Double.NaN;
        for (int t = 0; t < thresholds.size(); t++) {
            Ranked ranked = rank(thresholds.get(t), nDet);
            double[] q = interpolatedPrecision(ranked.tp, nGt);
            aps[t] = nGt == 0 ? Double.NaN : mean(q);
            if (t == 0) {
                curve50 = q;
                int tp = 0;
                int kept = 0;
                for (int i = 0; i < ranked.tp.length && ranked.scores[i] >= scoreThreshold; i++) {
                    kept++;
                    tp += ranked.tp[i] ? 1 : 0;
                }
                precision = kept == 0 ? (nGt == 0 ? Double.NaN : 0) : (double) tp / kept;
                recall = nGt == 0 ? Double.NaN : (double) tp / nGt;
            }
        }
        double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
        if (Double.isNaN(precision) || Double.isNaN(recall)) {
            f1 = Double.NaN;
        }
        return new EvaluationResult(aps[0], aps[5], nGt == 0 ? Double.NaN : mean(aps), aps, scoreThreshold,
                precision, recall, f1, groundTruth.size(), nGt, nDet, curve50);
    }

    record Ranked(boolean[] tp, float[] scores) {
    }

    /**
     * One image's detections after matching at one IoU threshold, highest score first.
     *
     * @param scores      the detections' scores
     * @param truePositive whether each detection matched a ground-truth box
     * @param groundTruth the image's ground-truth boxes
     */
    public record ImageMatches(float[] scores, boolean[] truePositive, int groundTruth) {
    }

    /** Every image added so far, matched at one IoU threshold (what {@link PairedBootstrap} resamples). */
    public List<ImageMatches> matches(double iouThreshold) {
        List<ImageMatches> out = new ArrayList<>(groundTruth.size());
        for (int img = 0; img < groundTruth.size(); img++) {
            out.add(match(groundTruth.get(img), detections.get(img), iouThreshold));
        }
        return out;
    }

    /** Greedy matching of one image: each detection, highest score first, takes the free box of highest IoU. */
    private static ImageMatches match(List<Box> gt, List<ScoredBox> dets, double iouThreshold) {
        boolean[] taken = new boolean[gt.size()];
        float[] scores = new float[dets.size()];
        boolean[] tp = new boolean[dets.size()];
        for (int d = 0; d < dets.size(); d++) {
            ScoredBox det = dets.get(d);
            double best = Math.min(iouThreshold, 1 - 1e-10);
            int match = -1;
            for (int g = 0; g < gt.size(); g++) {
                if (taken[g]) {
                    continue;
                }
                double iou = det.box().iou(gt.get(g));
                if (iou < best) {
                    continue;
                }
                best = iou;
                match = g;
            }
            if (match >= 0) {
                taken[match] = true;
            }
            scores[d] = det.score();
            tp[d] = match >= 0;
        }
        return new ImageMatches(scores, tp, gt.size());
    }

    /** Matches every image at one IoU threshold and ranks all detections by score (stable, image order on ties). */
    private Ranked rank(double iouThreshold, int nDet) {
        float[] scores = new float[nDet];
        boolean[] tp = new boolean[nDet];
        int k = 0;
        for (ImageMatches m : matches(iouThreshold)) {
            System.arraycopy(m.scores(), 0, scores, k, m.scores().length);
            System.arraycopy(m.truePositive(), 0, tp, k, m.truePositive().length);
            k += m.scores().length;
        }
        return ranked(scores, tp);
    }

    /** Detections ranked by score, highest first (a stable sort: input order on ties). */
    static Ranked ranked(float[] scores, boolean[] tp) {
        int nDet = scores.length;
        Integer[] order = new Integer[nDet];
        for (int i = 0; i < nDet; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(scores[b], scores[a])); // stable merge sort
        float[] s = new float[nDet];
        boolean[] t = new boolean[nDet];
        for (int i = 0; i < nDet; i++) {
            s[i] = scores[order[i]];
            t[i] = tp[order[i]];
        }
        return new Ranked(t, s);
    }

    /** Monotone precision sampled at recall 0, 0.01, ..., 1 (pycocotools' searchsorted 'left'). */
    static double[] interpolatedPrecision(boolean[] tp, int nGt) {
        double[] q = new double[RECALL_POINTS];
        if (nGt == 0 || tp.length == 0) {
            return q;
        }
        int n = tp.length;
        double[] rc = new double[n];
        double[] pr = new double[n];
        int tps = 0;
        for (int i = 0; i < n; i++) {
            tps += tp[i] ? 1 : 0;
            rc[i] = (double) tps / nGt;
            pr[i] = (double) tps / (i + 1);
        }
        for (int i = n - 1; i > 0; i--) {
            if (pr[i] > pr[i - 1]) {
                pr[i - 1] = pr[i];
            }
        }
        int idx = 0;
        for (int r = 0; r < RECALL_POINTS; r++) {
            double level = r / 100.0;
            while (idx < n && rc[idx] < level) {
                idx++;
            }
            q[r] = idx < n ? pr[idx] : 0;
        }
        return q;
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
