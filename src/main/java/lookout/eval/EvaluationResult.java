package lookout.eval;

import java.util.List;

/**
 * COCO-style results for one class.
 *
 * @param ap50           AP at IoU 0.50 (101-point interpolated)
 * @param ap75           AP at IoU 0.75
 * @param ap             mean AP over IoU 0.50:0.05:0.95
 * @param apPerThreshold AP at each IoU threshold, in order
 * @param scoreThreshold the operating point for precision/recall/F1
 * @param precision      precision at IoU 0.50 over detections scoring at least scoreThreshold
 * @param recall         recall at IoU 0.50 over detections scoring at least scoreThreshold
 * @param f1             harmonic mean of the two
 * @param images         images evaluated
 * @param groundTruth    ground-truth boxes
 * @param detections     detections considered (after the per-image cap)
 * @param prCurve        interpolated precision at the 101 recall points, IoU 0.50
 */
public record EvaluationResult(double ap50, double ap75, double ap, double[] apPerThreshold,
        double scoreThreshold, double precision, double recall, double f1,
        int images, int groundTruth, int detections, double[] prCurve) {

    public static final List<Double> IOU_THRESHOLDS = List.of(.50, .55, .60, .65, .70, .75, .80, .85, .90, .95);
}
