package lookout.finetune;

import java.nio.file.Path;
import java.util.Map;

/** Training progress for people and for the retraining loop's event stream. All methods optional. */
public interface FineTuneListener {

    /** Every {@code logEvery} steps (and the first and last): mean losses since the last report. */
    record Progress(int epoch, int epochs, int step, int totalSteps, Map<String, Double> losses, double loss,
            double learningRate, double secondsPerStep, double etaSeconds) {
    }

    default void started(int samples, int totalSteps, int trainableParameters, int frozenParameters) {
    }

    default void progress(Progress progress) {
    }

    /**
     * An epoch's end: its mean total loss, the largest global gradient norm of its steps (before
     * clipping), how many of its steps were clipped to {@code maxGradNorm}, and its checkpoint (null when
     * checkpoints are off).
     */
    record Epoch(int epoch, double meanLoss, double maxGradNorm, int clippedSteps, Path checkpoint) {
    }

    default void epochFinished(Epoch epoch) {
    }

    default void finished(FineTuneResult result) {
    }

    FineTuneListener NONE = new FineTuneListener() {
    };
}
