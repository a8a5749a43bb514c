package lookout.review.sim;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import lookout.common.Sha256;
import lookout.dataset.DatasetException;
import lookout.dataset.FrameRange;
import lookout.dataset.LabelledImage;
import lookout.dataset.MotDataset;
import lookout.dataset.UscDataset;
import lookout.dataset.YoloDataset;

/**
 * A camera of the offline measurement: the frames the picker watches (the pool; the reviewer answers
 * for those it picks) and the camera's later frames, which the retrained model is scored on (the
 * general holdout, never this camera's, is {@link SimOthers}').
 *
 * @param fps the footage's frame rate (the tracker's frame counts are rescaled to it)
 */
record SimCamera(String name, List<LabelledImage> pool, List<LabelledImage> later, double fps) {

    /** The cameras this measurement knows, and what each is for. */
    static final List<String> NAMES = List.of("tud-stadtmitte", "person-mix-test", "tud-campus", "usc-b");

    /**
     * <ul>
     * <li>{@code tud-stadtmitte}: frames 1-120 watched, 121-179 later (never in the default model's training);
     * <li>{@code person-mix-test}: the person-mix test split (never trained on), 60% watched / 40% later by
     * hash of the name, every second later image scored; not one camera but many scenes, and no motion
     * between neighbouring images, so the track signals are noise there;
     * <li>{@code tud-campus}, {@code usc-b}: all watched, nothing later: in the default model's training, so
     * only for choosing the rule by what the picks cost a reviewer (never for its AP).
     * </ul>
     */
    static SimCamera load(String name, Path data) throws DatasetException {
        return switch (name) {
            case "tud-stadtmitte" -> {
                Path seq = data.resolve("tud/TUD-Stadtmitte");
                yield new SimCamera(name, MotDataset.load(seq, new FrameRange(1, 120)),
                        MotDataset.load(seq, new FrameRange(121, 179)), MotDataset.frameRate(seq));
            }
            case "tud-campus" -> {
                Path seq = data.resolve("tud/TUD-Campus");
                yield new SimCamera(name, MotDataset.load(seq, FrameRange.ALL), List.of(), MotDataset.frameRate(seq));
            }
            case "usc-b" -> {
                List<LabelledImage> all = new ArrayList<>();
                all.addAll(UscDataset.load(data.resolve("usc-pedestrian/USCPedestrianSetB")));
                all.sort(Comparator.comparing(LabelledImage::id));
                if (all.isEmpty()) {
                    throw new DatasetException("no USC set B images under " + data.resolve("usc-pedestrian"));
                }
                yield new SimCamera(name, all, List.of(), 5);
            }
            case "person-mix-test" -> {
                List<LabelledImage> all = new ArrayList<>(YoloDataset.load(data.resolve("person-mix/test"), "person"));
                all.sort(Comparator.comparing(LabelledImage::id));
                List<LabelledImage> pool = new ArrayList<>();
                List<LabelledImage> later = new ArrayList<>();
                for (LabelledImage i : all) {
                    (bucket(i.id()) < 0.6 ? pool : later).add(i);
                }
                List<LabelledImage> scored = new ArrayList<>();
                for (int k = 0; k < later.size(); k += 2) {
                    scored.add(later.get(k));
                }
                yield new SimCamera(name, pool, scored, 5);
            }
            default -> throw new DatasetException("unknown camera '" + name + "': one of " + NAMES);
        };
    }

    static double bucket(String id) {
        byte[] h = Sha256.digest("review-sim:" + id);
        long v = 0;
        for (int i = 0; i < 7; i++) {
            v = (v << 8) | (h[i] & 0xff);
        }
        return v / (double) (1L << 56);
    }
}
