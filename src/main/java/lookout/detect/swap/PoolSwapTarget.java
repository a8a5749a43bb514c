package lookout.detect.swap;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import lookout.detect.Detector;
import lookout.detect.DjlDetector;
import lookout.detect.InferencePool;
import lookout.model.ModelArtifact;
import lookout.model.ModelMetadata;

/**
 * Swaps the detector's {@link InferencePool} to a new artifact: one DJL detector per worker device,
 * warmed up at the new model's nominal size for every batch size, then {@link InferencePool#swap}.
 * If anything fails before the switch, the new detectors are closed and the pool is untouched.
 */
public final class PoolSwapTarget implements ModelSwapTarget {
    private final InferencePool pool;
    private final List<String> workerDevices;

    public PoolSwapTarget(InferencePool pool, List<String> workerDevices) {
        this.pool = pool;
        this.workerDevices = List.copyOf(workerDevices);
    }

    @Override
    public ModelMetadata serving() {
        return pool.model();
    }

    @Override
    public void swapTo(Path artifactDir) throws Exception {
        ModelArtifact artifact = ModelArtifact.open(artifactDir); // verifies sha256 once more
        List<Detector> loaded = new ArrayList<>();
        try {
            for (String device : workerDevices) {
                loaded.add(DjlDetector.load(artifact, device));
            }
            InferencePool.warmUp(loaded, pool.maxBatchSize());
        } catch (Exception | LinkageError e) {
            loaded.forEach(Detector::close);
            throw e;
        }
        pool.swap(loaded);
    }
}
