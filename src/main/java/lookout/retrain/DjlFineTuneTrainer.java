package lookout.retrain;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import lookout.frames.FrameDecoder;
import lookout.labels.LabelSample;
import lookout.model.ModelArtifact;
import lookout.train.FineTuneConfig;
import lookout.train.FineTuneListener;
import lookout.train.FineTuner;
import lookout.train.TrainingSample;

/** Fine-tunes with jml's {@link FineTuner} (DJL, TorchScript losses method) on decoded label samples. */
public final class DjlFineTuneTrainer implements ModelTrainer {
    private final String device;

    public DjlFineTuneTrainer(String device) {
        this.device = device;
    }

    @Override
    public void train(Path baseModelDir, List<LabelSample> samples, TrainingParams params, Path outDir,
            EpochListener epochs) throws Exception {
        FrameDecoder decoder = FrameDecoder.withDefaults();
        List<TrainingSample> training = new ArrayList<>(samples.size());
        for (LabelSample s : samples) {
            training.add(new TrainingSample(s.id(), decoder.decode(s.image()), s.boxes()));
        }
        FineTuneConfig config = FineTuneConfig.defaults().withEpochs(params.epochs()).withBatchSize(params.batchSize())
                .withLearningRate((float) params.lr()).withCheckpoints(false).withDevice(device).withLogEvery(5);
        ModelArtifact base = ModelArtifact.open(baseModelDir);
        new FineTuner(config, new FineTuneListener() {
            private Map<String, Double> sums = new LinkedHashMap<>();
            private int reports;
            private long epochStart = System.nanoTime();

            @Override
            public void progress(Progress p) {
                p.losses().forEach((k, v) -> sums.merge(k, v, Double::sum));
                reports++;
            }

            @Override
            public void epochFinished(int epoch, double meanLoss, Path checkpoint) {
                Map<String, Double> mean = new LinkedHashMap<>();
                final int n = Math.max(1, reports);
                sums.forEach((k, v) -> mean.put(k, Math.round(v / n * 10000) / 10000.0));
                epochs.epochDone(epoch, meanLoss, mean, (System.nanoTime() - epochStart) / 1e9);
                sums = new LinkedHashMap<>();
                reports = 0;
                epochStart = System.nanoTime();
            }
        }).run(base, training, outDir);
    }
}
