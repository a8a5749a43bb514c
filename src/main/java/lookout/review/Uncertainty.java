package lookout.review;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import lookout.config.ReviewSettings;
import lookout.detections.Detection;
import lookout.detections.DetectionRecord;

/**
 * How unsure the model looks on a frame, and why: the sum of
 * <ul>
 * <li><b>near-threshold</b>: each detection within {@code near-above} over or {@code near-below} under the
 * score threshold adds up to 1, the more the closer it scores to the threshold (a person the model is
 * not sure of, or a sign post it almost takes for one);
 * <li><b>track-lost</b>: each confirmed track that had a box on the camera's previous analysed frame,
 * well inside the picture, and has none now adds 1 (a person does not vanish in the middle of the
 * picture: the model missed them);
 * <li><b>track-regained</b>: each track that comes back after missing at least one analysed frame adds
 * 0.5 (the model missed them on the frames between, and may be wavering now);
 * <li><b>count-jump</b>: a change of {@code count-jump} people or more from the previous analysed frame
 * adds 1, and 1 more per further person (at 5 frames/s people do not appear by threes).
 * </ul>
 *
 * @param score   the sum above (0 = nothing doubtful)
 * @param reasons each contribution that is not 0, as {@code name:count}
 */
public record Uncertainty(double score, List<String> reasons) {
    public static final String NEAR = "near-threshold";
    public static final String LOST = "track-lost";
    public static final String REGAINED = "track-regained";
    public static final String JUMP = "count-jump";

    public Uncertainty {
        reasons = List.copyOf(reasons);
    }

    /** Measures a frame against what the camera's memory holds of its previous analysed frames (not changed here). */
    static Uncertainty of(PickerFrame f, CameraMemory memory, ReviewSettings s, float threshold) {
        double near = 0;
        int nearCount = 0;
        for (DetectionRecord.Item item : f.items()) {
            double w = 1 - (item.score() - threshold) / s.above();
            if (w > 0) {
                near += Math.min(1, w);
                nearCount++;
            }
        }
        if (s.below() > 0) {
            for (Detection d : f.below()) {
                double w = 1 - (threshold - d.score()) / s.below();
                if (w > 0) {
                    near += Math.min(1, w);
                    nearCount++;
                }
            }
        }
        Set<Long> now = new HashSet<>();
        int regained = 0;
        for (DetectionRecord.Item item : f.items()) {
            if (item.trackId() != null) {
                now.add(item.trackId());
                if (memory.missedBefore(item.trackId())) {
                    regained++;
                }
            }
        }
        int lost = 0;
        for (CameraMemory.Seen prev : memory.previousTracks()) {
            if (!now.contains(prev.trackId()) && inside(prev.box(), memory.previousWidth(), memory.previousHeight(),
                    s.borderMargin())) {
                lost++;
            }
        }
        int jump = memory.previousCount() < 0 ? 0 : Math.abs(f.items().size() - memory.previousCount());
        int jumpScore = jump >= s.countJump() ? jump - s.countJump() + 1 : 0;
        List<String> reasons = new ArrayList<>();
        if (nearCount > 0) {
            reasons.add(NEAR + ":" + nearCount);
        }
        if (lost > 0) {
            reasons.add(LOST + ":" + lost);
        }
        if (regained > 0) {
            reasons.add(REGAINED + ":" + regained);
        }
        if (jumpScore > 0) {
            reasons.add(JUMP + ":" + jump);
        }
        return new Uncertainty(near + lost + 0.5 * regained + jumpScore, reasons);
    }

    /** Whether a box lies farther than margin (fraction of the frame) from every border of a w x h frame. */
    static boolean inside(float[] box, int w, int h, double margin) {
        double mx = margin * w;
        double my = margin * h;
        return box[0] > mx && box[1] > my && box[2] < w - mx && box[3] < h - my;
    }
}
