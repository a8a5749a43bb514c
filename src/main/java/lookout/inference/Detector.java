package lookout.inference;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import lookout.detections.Detection;
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

    /**
     * Runs every batch size up to {@code maxBatchSize} a few times on grey frames of the given size,
     * so the first real frames do not pay for lazy initialisation (and, on GPU, for each new batch
     * shape: every shape is compiled once).
     */
    default void warmUp(ModelMetadata.Size size, int maxBatchSize) {
        for (int batchSize = 1; batchSize <= maxBatchSize; batchSize++) {
            warmUpBatch(size, batchSize);
        }
    }

    /** Runs batches of exactly {@code batchSize} grey frames of the given size a few times (see {@link #warmUp}). */
    default void warmUpBatch(ModelMetadata.Size size, int batchSize) {
        byte[] grey = new byte[size.width() * size.height() * 3];
        Arrays.fill(grey, (byte) 114);
        DecodedImage image = new DecodedImage(size.width(), size.height(), grey);
        List<DecodedImage> batch = Collections.nCopies(batchSize, image);
        for (int round = 0; round < (batchSize == 1 ? 3 : 2); round++) {
            detect(batch);
        }
    }

    @Override
    void close();
}
