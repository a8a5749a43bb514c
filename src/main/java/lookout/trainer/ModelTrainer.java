package lookout.trainer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import lookout.labels.LabelSample;

/** Fine-tunes a model artifact on labelled samples; {@link DjlFineTuneTrainer} runs the fine-tuner. */
public interface ModelTrainer {

    /** Progress callback, once per finished epoch. */
    @FunctionalInterface
    interface EpochListener {
        void epochDone(EpochReport report);
    }

    /**
     * One finished epoch.
     *
     * @param epoch        1-based epoch just finished
     * @param loss         mean total loss over the epoch
     * @param losses       mean of each loss term (e.g. loss_classifier, loss_box_reg...)
     * @param maxGradNorm  the largest global gradient norm of its steps, before clipping
     * @param clippedSteps how many of its steps had their gradients scaled down to the trainer's max-grad-norm
     * @param seconds      wall time of the epoch
     */
    record EpochReport(int epoch, double loss, Map<String, Double> losses, double maxGradNorm, int clippedSteps,
            double seconds) {
    }

    /**
     * Writes the fine-tuned artifact ({@code model.pt} + {@code model.json}) into {@code outDir}.
     *
     * @throws Exception on any failure; the caller reports it and publishes nothing
     */
    void train(Path baseModelDir, List<LabelSample> samples, TrainingParams params, Path outDir,
            EpochListener listener) throws Exception;
}
