package lookout.inference.swap;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import lookout.inference.Detector;
import lookout.inference.DetectorFactory;
import lookout.inference.InferencePool;
import lookout.model.ModelArtifact;
import lookout.model.ModelMetadata;

/**
 * Swaps the detector's {@link InferencePool} to a new artifact: one detector per worker device (from
 * the service's {@link DetectorFactory}),
 * warmed up at the new model's nominal size for every batch size, then {@link InferencePool#swap} (for
 * a camera with a model of its own, {@link InferencePool#swap(String, List)}).
 * If anything fails before the switch, the new detectors are closed and the pool is untouched.
 */
public final class PoolSwapTarget implements ModelSwapTarget {
    private final InferencePool pool;
    private final List<String> workerDevices;
    private final DetectorFactory factory;

    public PoolSwapTarget(InferencePool pool, List<String> workerDevices, DetectorFactory factory) {
        this.pool = pool;
        this.workerDevices = List.copyOf(workerDevices);
        this.factory = factory;
    }

    @Override
    public ModelMetadata serving(String camera) {
        if (camera == null) {
            return pool.model();
        }
        return pool.ownModels().contains(camera) ? pool.model(camera) : null;
    }

    @Override
    public Set<String> ownModels() {
        return pool.ownModels();
    }

    @Override
    public void drop(String camera) {
        pool.swap(camera, null);
    }

    @Override
    public void swapTo(String camera, Path artifactDir) throws Exception {
        ModelArtifact artifact = ModelArtifact.open(artifactDir); // verifies sha256 once more
        List<Detector> loaded = new ArrayList<>();
        try {
            for (String device : workerDevices) {
                loaded.add(factory.open(artifact, device));
            }
            InferencePool.warmUp(loaded, pool.maxBatchSize());
        } catch (Exception | LinkageError e) {
            loaded.forEach(Detector::close);
            throw e;
        }
        if (camera == null) {
            pool.swap(loaded);
        } else {
            pool.swap(camera, loaded);
        }
    }
}
