package lookout.inference;

import java.util.function.Supplier;

import lookout.model.ModelMetadata;

/** What the inference pool reports: batches, queueing, the model it serves (the detector's meters implement it). */
public interface PoolMetrics {
    /** A batch of {@code size} frames ran in {@code inferenceNanos}. */
    void batch(int size, long inferenceNanos);

    /** A frame waited this long in the queue before its batch started. */
    void queueTime(long nanos);

    /** The queue's depth, read when scraped. */
    void queueDepth(Supplier<Number> depth);

    /** The model the workers serve now. */
    void model(ModelMetadata model);

    /** The model of a camera with a model of its own; null when it follows the pool's model again. */
    void cameraModel(String camera, ModelMetadata model);
}
