package lookout.finetune;

import java.nio.file.Path;
import java.util.List;

/**
 * @param artifactDir  the new artifact (model.pt + model.json)
 * @param version      its version
 * @param stepLosses   total loss of every step, in order
 * @param gradNorms    the global L2 norm of every step's gradients, before any clipping
 * @param steps        optimizer steps taken
 * @param seconds      wall time of the training loop
 */
public record FineTuneResult(Path artifactDir, String version, List<Double> stepLosses, List<Double> gradNorms, int steps,
        double seconds) {
    public double firstLoss() {
        return stepLosses.isEmpty() ? Double.NaN : stepLosses.get(0);
    }

    public double lastLoss() {
        return stepLosses.isEmpty() ? Double.NaN : stepLosses.get(stepLosses.size() - 1);
    }
}
