package lookout.inference;

import java.nio.file.Path;

import lookout.model.ModelArtifact;
import lookout.model.ModelArtifactException;

/**
 * The one way a model artifact becomes a running {@link Detector}: the service's pool, the hot swap,
 * evaluation, fine-tuning checks, the trainer's gate, the benchmarks and the review simulation all
 * load through it, so another engine is one more implementation here. Tests hand the service their
 * own (slowed or fake detectors).
 */
@FunctionalInterface
public interface DetectorFactory {
    /** TorchScript through DJL: what every role and tool runs. */
    DetectorFactory DJL = new DetectorFactory() {
        @Override
        public Detector open(Path modelDir, String device) throws ModelArtifactException {
            return DjlDetector.load(modelDir, device);
        }

        @Override
        public Detector open(ModelArtifact artifact, String device) throws ModelArtifactException {
            return DjlDetector.load(artifact, device);
        }
    };

    /** Verifies the artifact in {@code modelDir} and loads it on {@code device} ("cpu", "gpu", "gpu:N"). */
    Detector open(Path modelDir, String device) throws ModelArtifactException;

    /** Loads an artifact already verified (once per worker device, without hashing it again where the engine can). */
    default Detector open(ModelArtifact artifact, String device) throws ModelArtifactException {
        return open(artifact.dir(), device);
    }
}
