package lookout.detect;

import java.util.List;

import lookout.frames.DecodedImage;
import lookout.model.ModelMetadata;

/**
 * Runs one loaded model on one device. Not thread-safe: the inference pool gives each worker
 * its own detector. Implementations free native memory in {@link #close()}.
 */
public interface Detector extends AutoCloseable {

    /** Detections for each image of the batch, in the same order; boxes in source pixels. */
    List<List<Detection>> detect(List<DecodedImage> batch);

    /** The model this detector runs (name, version, classes...). */
    ModelMetadata model();

    /** The device it runs on, e.g. "cpu" or "gpu:0". */
    String device();

    @Override
    void close();
}
