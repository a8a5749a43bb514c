package lookout.trainer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import lookout.common.Sha256;
import lookout.finetune.FineTuneConfig;
import lookout.finetune.FineTuneListener;
import lookout.finetune.FineTuner;
import lookout.finetune.TrainingSample;
import lookout.frames.FrameDecoder;
import lookout.labels.LabelSample;
import lookout.model.ModelArtifact;

/** Fine-tunes with the {@link FineTuner} (DJL, the TorchScript losses method) on decoded label samples. */
public final class DjlFineTuneTrainer implements ModelTrainer {
    private final String device;
    private final String className;
    private final FrameDecoder decoder;
    private final double maxGradNorm;

    public DjlFineTuneTrainer(String device, String className, FrameDecoder decoder, double maxGradNorm) {
        this.device = device;
        this.className = className;
        this.decoder = decoder;
        this.maxGradNorm = maxGradNorm;
    }

    @Override
    public void train(Path baseModelDir, List<LabelSample> samples, TrainingParams params, Path outDir,
            EpochListener epochs) throws Exception {
        List<TrainingSample> training = new ArrayList<>(samples.size());
        for (LabelSample s : samples) {
            training.add(new TrainingSample(s.id(), Sha256.hex(s.image()), decoder.decode(s.image()), s.boxes()));
        }
        ModelArtifact base = ModelArtifact.open(baseModelDir);
        new FineTuner(config(params, device, className, maxGradNorm), new EpochMeans(epochs)).run(base, training, outDir);
    }

    /** The fine-tuning recipe of a retrain with these parameters (the offline review measurement runs it too). */
    public static FineTuneConfig config(TrainingParams params, String device, String className, double maxGradNorm) {
        return FineTuneConfig.defaults(className).withEpochs(params.epochs())
                .withBatchSize(params.batchSize()).withLearningRate((float) params.lr()).withCheckpoints(false)
                .withDevice(device).withLogEvery(5).withMaxGradNorm((float) maxGradNorm);
    }

    /** Turns the fine-tuner's progress reports into one mean per loss term and epoch. */
    private static final class EpochMeans implements FineTuneListener {
        private final EpochListener epochs;
        private Map<String, Double> sums = new LinkedHashMap<>();
        private int reports;
        private long epochStart = System.nanoTime();

        EpochMeans(EpochListener epochs) {
            this.epochs = epochs;
        }

        @Override
        public void progress(Progress p) {
            p.losses().forEach((k, v) -> sums.merge(k, v, Double::sum));
            reports++;
        }

        @Override
        public void epochFinished(Epoch e) {
            Map<String, Double> mean = new LinkedHashMap<>();
            final int n = Math.max(1, reports);
            sums.forEach((k, v) -> mean.put(k, Math.round(v / n * 10000) / 10000.0));
            epochs.epochDone(new EpochReport(e.epoch(), e.meanLoss(), mean, e.maxGradNorm(), e.clippedSteps(),
                    (System.nanoTime() - epochStart) / 1e9));
            sums = new LinkedHashMap<>();
            reports = 0;
            epochStart = System.nanoTime();
        }
    }
}
