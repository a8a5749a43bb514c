package lookout.retrain;

import java.nio.file.Path;

/**
 * The trainer's configuration ({@code lookout.trainer.*} in application.properties).
 *
 * @param holdoutFraction share of each camera's samples held out for the gate (by hash of the id)
 * @param tolerance       publish when candidate AP50 >= current AP50 - tolerance
 * @param defaults        training parameters a retrain command does not set
 * @param autoPromote     a published candidate becomes the serving version in the same transaction
 * @param keepVersions    prune the registry to this many versions after a publish
 * @param workDir         scratch space for base, candidate and holdout files
 * @param baseModelDir    the model to start from when the registry is empty
 */
public record RetrainSettings(double holdoutFraction, double tolerance, TrainingParams defaults, boolean autoPromote,
        int keepVersions, Path workDir, Path baseModelDir) {

    public TrainingParams merge(lookout.control.ControlCommand.Retrain cmd) {
        return new TrainingParams(
                cmd.epochs() != null ? cmd.epochs() : defaults.epochs(),
                cmd.lr() != null ? cmd.lr() : defaults.lr(),
                cmd.batchSize() != null ? cmd.batchSize() : defaults.batchSize());
    }
}
