package lookout.trainer;

import lookout.config.TrainerSettings;
import lookout.control.ControlCommand;

/**
 * Parameters of one fine-tuning run: what a retrain command says, the configured defaults for what it does not.
 *
 * @param epochs    passes over the training samples
 * @param lr        learning rate of the heads
 * @param batchSize images per step
 */
public record TrainingParams(int epochs, double lr, int batchSize) {

    public static TrainingParams of(ControlCommand.Retrain cmd, TrainerSettings defaults) {
        return new TrainingParams(
                cmd.epochs() != null ? cmd.epochs() : defaults.epochs(),
                cmd.lr() != null ? cmd.lr() : defaults.lr(),
                cmd.batchSize() != null ? cmd.batchSize() : defaults.batchSize());
    }
}
