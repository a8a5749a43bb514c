package lookout.finetune;

import java.util.List;

import lookout.dataset.Box;
import lookout.frames.DecodedImage;
import lookout.model.Lineage;

/**
 * One labelled training image held in memory: a stable id, the sha256 of its encoded image (what
 * the data fingerprint is taken over), its pixels and its boxes of the target class.
 */
public record TrainingSample(String id, String imageSha256, DecodedImage image, List<Box> boxes) {
    public TrainingSample {
        boxes = List.copyOf(boxes);
    }

    /** The same sample with other pixels and boxes (an augmented view of it: same identity). */
    public TrainingSample with(DecodedImage otherImage, List<Box> otherBoxes) {
        return new TrainingSample(id, imageSha256, otherImage, otherBoxes);
    }

    /** The sample as the data fingerprint sees it. */
    public Lineage.Sample lineage() {
        return new Lineage.Sample(id, imageSha256, Box.flat(boxes));
    }

    /** The data fingerprint of a training set (the lineage rule, see {@link Lineage#dataFingerprint}). */
    public static String fingerprint(List<TrainingSample> samples) {
        return Lineage.dataFingerprint(samples.stream().map(TrainingSample::lineage).toList());
    }
}
