package lookout.eval;

import java.nio.file.Path;
import java.util.List;

/** An image file with its ground-truth person boxes; {@code id} is stable and unique within a dataset. */
public record LabelledImage(String id, Path path, List<Box> boxes) {
    public LabelledImage {
        boxes = List.copyOf(boxes);
    }
}
