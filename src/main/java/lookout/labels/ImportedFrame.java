package lookout.labels;

import java.util.List;

import lookout.dataset.Box;

/** A labelled frame read from a data set on disk, ready to publish to {@code lookout.labels}. */
public record ImportedFrame(String id, byte[] image, List<Box> boxes, String camera, String source) {
}
