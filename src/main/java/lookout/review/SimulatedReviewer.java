package lookout.review;

import java.util.ArrayList;
import java.util.List;

import lookout.dataset.Box;

/**
 * A reviewer who knows the truth (a dataset's ground truth) and answers a review item as a careful
 * person would with the page: a model box that fits a true person tightly (IoU at least the accept
 * threshold, {@link #ACCEPT_IOU} by default) is accepted as it is (nobody redraws a box that looks
 * right), one that overlaps less but still finds someone (IoU at least {@link #MOVE_IOU}) is moved or
 * resized onto them (snapped to the truth: one drag, counted), a box on nobody is deleted, and a person
 * without a box is drawn. Used by the offline measurement and by the broker-backed loop test, in place
 * of a person.
 */
public final class SimulatedReviewer {
    /**
     * A careful operator's eye: IoU 0.85 is a box shifted by 8% of its width, or grown by 4% on every
     * side (4 px on a 100 px person): about where people stop seeing a difference (annotators agree on
     * the same box at IoU of about 0.88). At 0.7, the first measurement's value, a box may be shifted by
     * 18% of its width or grown by 10% on every side, which a careful reviewer does fix; labels that
     * loose taught the retrain looser boxes (AP fell 0.52 to 0.43 on TUD-Stadtmitte, docs/review.md).
     */
    public static final double ACCEPT_IOU = 0.85;
    public static final double MOVE_IOU = 0.3;

    /**
     * What the reviewer submits: the boxes and what they did to get there.
     *
     * @param boxes the label's boxes: accepted model boxes as they were, moved and drawn ones on the truth
     */
    public record Answer(List<Box> boxes, int accepted, int moved, int added, int deleted) {
        /** Edits made (accepting a box is none). */
        public int corrections() {
            return moved + added + deleted;
        }

        /**
         * Actions on the review page: one key to submit, plus for each moved box one drag, for each
         * added box one drag, for each deleted box a click and a key (see docs/review.md).
         */
        public int pageActions() {
            return 1 + moved + added + 2 * deleted;
        }
    }

    private SimulatedReviewer() {
    }

    /**
     * The answer to a frame of w x h pixels whose model boxes are {@code offered} and whose true people are
     * {@code truth}; true boxes reaching past the border are drawn up to it (the page keeps boxes inside the
     * frame), and what is left of one is dropped when under 2 px wide or high.
     */
    public static Answer answer(List<Box> offered, List<Box> truth, int w, int h) {
        return answer(offered, truth, w, h, ACCEPT_IOU);
    }

    /** As {@link #answer(List, List, int, int)}, accepting a model box as it is only at IoU {@code acceptIou} or more. */
    public static Answer answer(List<Box> offered, List<Box> truth, int w, int h, double acceptIou) {
        List<Box> inside = new ArrayList<>();
        for (Box b : truth) {
            Box c = new Box(Math.max(0, b.x1()), Math.max(0, b.y1()), Math.min(w, b.x2()), Math.min(h, b.y2()));
            if (c.width() >= 2 && c.height() >= 2) {
                inside.add(c);
            }
        }
        return answer(offered, inside, acceptIou);
    }

    /** The answer to a frame whose model boxes are {@code offered} and whose true people are {@code truth}. */
    public static Answer answer(List<Box> offered, List<Box> truth) {
        return answer(offered, truth, ACCEPT_IOU);
    }

    /** As {@link #answer(List, List)}, with the IoU at which a model box is accepted as it is. */
    public static Answer answer(List<Box> offered, List<Box> truth, double acceptIou) {
        if (!(acceptIou >= MOVE_IOU && acceptIou <= 1)) {
            throw new IllegalArgumentException("accept IoU must be in [" + MOVE_IOU + ", 1], got " + acceptIou);
        }
        // greedy matching by IoU, best pairs first (one truth per box and one box per truth)
        List<double[]> pairs = new ArrayList<>();
        for (int i = 0; i < offered.size(); i++) {
            for (int j = 0; j < truth.size(); j++) {
                double iou = offered.get(i).iou(truth.get(j));
                if (iou >= MOVE_IOU) {
                    pairs.add(new double[] {iou, i, j});
                }
            }
        }
        pairs.sort((a, b) -> Double.compare(b[0], a[0]));
        int[] offeredTo = new int[offered.size()];
        java.util.Arrays.fill(offeredTo, -1);
        boolean[] truthTaken = new boolean[truth.size()];
        for (double[] p : pairs) {
            int i = (int) p[1];
            int j = (int) p[2];
            if (offeredTo[i] < 0 && !truthTaken[j]) {
                offeredTo[i] = j;
                truthTaken[j] = true;
            }
        }
        List<Box> boxes = new ArrayList<>();
        int accepted = 0;
        int moved = 0;
        int deleted = 0;
        for (int i = 0; i < offered.size(); i++) {
            int j = offeredTo[i];
            if (j < 0) {
                deleted++;
            } else if (offered.get(i).iou(truth.get(j)) >= acceptIou) {
                boxes.add(offered.get(i));
                accepted++;
            } else {
                boxes.add(truth.get(j));
                moved++;
            }
        }
        int added = 0;
        for (int j = 0; j < truth.size(); j++) {
            if (!truthTaken[j]) {
                boxes.add(truth.get(j));
                added++;
            }
        }
        return new Answer(boxes, accepted, moved, added, deleted);
    }
}
