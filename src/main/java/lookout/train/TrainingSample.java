package lookout.train;

import java.util.List;

import lookout.eval.Box;
import lookout.frames.DecodedImage;

/** One labelled training image held in memory: a stable id, its pixels and its person boxes. */
public record TrainingSample(String id, DecodedImage image, List<Box> boxes) {
    public TrainingSample {
        boxes = List.copyOf(boxes);
    }
}
