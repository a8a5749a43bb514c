package lookout.registry;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import lookout.detect.Detector;
import lookout.detect.DjlDetector;
import lookout.detect.InferencePool;
import lookout.model.ModelArtifact;
import lookout.model.ModelMetadata;

/**
 * Swaps svc's {@link InferencePool} to a new artifact: one DJL detector per worker device, warmed up
 * at the given frame size for every batch size, then {@link InferencePool#swap}. If anything fails
 * before the switch, the new detectors are closed and the pool is untouched.
 */
public final class PoolSwapTarget implements ModelSwapTarget {
    private final InferencePool pool;
    private final List<String> workerDevices;
    private final float scoreThreshold;
    private final int warmWidth;
    private final int warmHeight;

    public PoolSwapTarget(InferencePool pool, List<String> workerDevices, float scoreThreshold, int warmWidth,
            int warmHeight) {
        this.pool = pool;
        this.workerDevices = List.copyOf(workerDevices);
        this.scoreThreshold = scoreThreshold;
        this.warmWidth = warmWidth;
        this.warmHeight = warmHeight;
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
                loaded.add(DjlDetector.load(artifact, device, scoreThreshold));
            }
            InferencePool.warmUp(loaded, warmWidth, warmHeight, pool.maxBatchSize());
        } catch (Exception | LinkageError e) {
            loaded.forEach(Detector::close);
            throw e;
        }
        pool.swap(loaded);
    }
}
