package lookout.review;

import java.util.ArrayList;
import java.util.List;

import lookout.dataset.Box;

/**
 * What a reviewer changed, told from the boxes they submitted against the model's boxes the item
 * offered (the server's reading, not the page's claim): a submitted box equal to an offered one (within
 * half a pixel on every side) was accepted; one that overlaps an offered box it is not equal to was moved
 * or resized from it; the rest were drawn (added); offered boxes left without a submitted box were deleted.
 */
public final class ReviewDiff {
    /** A side may differ by this much (pixels) and the box still counts as accepted: rounding on the way. */
    static final double SAME_PX = 0.5;
    /** A submitted box overlapping an offered one at least this much was made from it. */
    static final double FROM_IOU = 0.1;

    public record Counts(int accepted, int moved, int added, int deleted) {
    }

    private ReviewDiff() {
    }

    public static Counts of(List<Box> offered, List<Box> submitted) {
        boolean[] offeredUsed = new boolean[offered.size()];
        boolean[] submittedUsed = new boolean[submitted.size()];
        int accepted = 0;
        for (int s = 0; s < submitted.size(); s++) {
            for (int o = 0; o < offered.size(); o++) {
                if (!offeredUsed[o] && same(offered.get(o), submitted.get(s))) {
                    offeredUsed[o] = true;
                    submittedUsed[s] = true;
                    accepted++;
                    break;
                }
            }
        }
        List<double[]> pairs = new ArrayList<>();
        for (int s = 0; s < submitted.size(); s++) {
            for (int o = 0; o < offered.size(); o++) {
                if (!submittedUsed[s] && !offeredUsed[o]) {
                    double iou = offered.get(o).iou(submitted.get(s));
                    if (iou >= FROM_IOU) {
                        pairs.add(new double[] {iou, s, o});
                    }
                }
            }
        }
        pairs.sort((a, b) -> Double.compare(b[0], a[0]));
        int moved = 0;
        for (double[] p : pairs) {
            int s = (int) p[1];
            int o = (int) p[2];
            if (!submittedUsed[s] && !offeredUsed[o]) {
                submittedUsed[s] = true;
                offeredUsed[o] = true;
                moved++;
            }
        }
        int added = countFalse(submittedUsed);
        int deleted = countFalse(offeredUsed);
        return new Counts(accepted, moved, added, deleted);
    }

    private static boolean same(Box a, Box b) {
        return Math.abs(a.x1() - b.x1()) <= SAME_PX && Math.abs(a.y1() - b.y1()) <= SAME_PX
                && Math.abs(a.x2() - b.x2()) <= SAME_PX && Math.abs(a.y2() - b.y2()) <= SAME_PX;
    }

    private static int countFalse(boolean[] used) {
        int n = 0;
        for (boolean u : used) {
            n += u ? 0 : 1;
        }
        return n;
    }

    static List<Box> boxes(ReviewItem item) {
        List<Box> out = new ArrayList<>();
        item.detections().forEach(d -> out.add(new Box(d.box()[0], d.box()[1], d.box()[2], d.box()[3])));
        return out;
    }
}
