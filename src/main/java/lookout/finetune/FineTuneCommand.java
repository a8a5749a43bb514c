package lookout.finetune;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import lookout.common.Sha256;
import lookout.config.LookoutConfig;
import lookout.dataset.DatasetException;
import lookout.dataset.DatasetOptions;
import lookout.dataset.LabelledImage;
import lookout.frames.FrameDecoder;
import lookout.inference.ModelOptions;
import lookout.model.ModelArtifact;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;

/** {@code lookout finetune}: fine-tune a model artifact on a labelled folder and write a new artifact. */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = "Fine-tune a model artifact on labelled images (MOTChallenge sequence, USC sets or YOLO split) and write a new artifact.")
public class FineTuneCommand implements Callable<Integer> {

    @Mixin
    ModelOptions base = new ModelOptions();

    @Mixin
    DatasetOptions data = new DatasetOptions();

    @Option(names = "--epochs", required = true, description = "passes over the data")
    int epochs;

    @Option(names = "--lr", defaultValue = "0.005", description = "peak learning rate of the heads (default ${DEFAULT-VALUE})")
    float lr;

    @Option(names = "--backbone-lr-factor", defaultValue = "0.1", description = "backbone lr multiplier (default ${DEFAULT-VALUE})")
    float backboneLrFactor;

    @Option(names = "--batch", defaultValue = "2", description = "images per step (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--warmup", defaultValue = "20", description = "linear warm-up steps (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--decay", defaultValue = "cosine", description = "cosine or step (default ${DEFAULT-VALUE})")
    String decay;

    @Option(names = "--no-augment", description = "disable flip and scale jitter")
    boolean noAugment;

    @Option(names = "--max-grad-norm",
            description = "scale a step's gradients down to this global norm when above it, 0 = never (default: the "
                    + "trainer's lookout.trainer.max-grad-norm)")
    Float maxGradNorm;

    @Option(names = "--log-every", defaultValue = "10", description = "progress line every N steps (default ${DEFAULT-VALUE})")
    int logEvery;

    @Option(names = "--out", required = true, description = "output artifact dir (model.pt, model.json, checkpoints/)")
    Path out;

    @Override
    public Integer call() throws Exception {
        ModelArtifact model = base.open();
        List<LabelledImage> labelled = data.load();
        List<TrainingSample> samples = read(labelled, new FrameDecoder(LookoutConfig.current().frameLimits()));
        FineTuneConfig config = FineTuneConfig.defaults(data.className()).withEpochs(epochs).withBatchSize(batch)
                .withLearningRate(lr).withWarmupSteps(warmup).withLogEvery(logEvery).withDevice(base.device)
                .withBackboneLrFactor(backboneLrFactor).withMaxGradNorm(maxGradNorm != null ? maxGradNorm
                        : (float) LookoutConfig.current().trainer().maxGradNorm())
                .withDecay(LearningRateSchedule.Decay.valueOf(decay.toUpperCase(Locale.ROOT)));
        if (noAugment) {
            config = config.withAugmentation(0, 1, 1);
        }
        System.out.printf(Locale.ROOT, "fine-tuning %s on %d images (%d boxes), %d epochs, batch %d, lr %.4g, device %s%n",
                model, samples.size(), samples.stream().mapToInt(s -> s.boxes().size()).sum(), epochs, batch, lr, base.device);
        FineTuneResult result = new FineTuner(config, new PrintingListener()).run(model, samples, out);
        System.out.printf(Locale.ROOT, "wrote %s (version %s): loss %.4f -> %.4f over %d steps in %.0f s (%.2f s/step)%n",
                result.artifactDir(), result.version(), result.firstLoss(), result.lastLoss(), result.steps(), result.seconds(),
                result.seconds() / Math.max(1, result.steps()));
        return 0;
    }

    /** Prints progress lines: step, epoch, loss components, lr, s/step, ETA. */
    static final class PrintingListener implements FineTuneListener {
        @Override
        public void started(int samples, int totalSteps, int trainable, int frozen) {
            System.out.printf(Locale.ROOT, "%d steps; %d trainable and %d frozen parameter tensors%n", totalSteps, trainable, frozen);
        }

        @Override
        public void progress(Progress p) {
            String parts = p.losses().entrySet().stream()
                    .map(e -> e.getKey().replace("loss_", "") + " " + String.format(Locale.ROOT, "%.4f", e.getValue()))
                    .collect(Collectors.joining(", "));
            System.out.printf(Locale.ROOT, "  step %d/%d (epoch %d/%d) loss %.4f [%s] lr %.2e, %.2f s/step, ETA %s%n",
                    p.step(), p.totalSteps(), p.epoch(), p.epochs(), p.loss(), parts, p.learningRate(), p.secondsPerStep(),
                    eta(p.etaSeconds()));
        }

        @Override
        public void epochFinished(Epoch e) {
            System.out.printf(Locale.ROOT, "epoch %d: mean loss %.4f, largest gradient norm %.1f (%d steps clipped)%s%n",
                    e.epoch(), e.meanLoss(), e.maxGradNorm(), e.clippedSteps(),
                    e.checkpoint() == null ? "" : ", checkpoint " + e.checkpoint());
        }

        private static String eta(double seconds) {
            long s = Math.round(seconds);
            return s >= 60 ? (s / 60) + "m" + String.format("%02d", s % 60) + "s" : s + "s";
        }
    }

    /** Reads and decodes every image (the fine-tuner holds its training set in memory). */
    static List<TrainingSample> read(List<LabelledImage> images, FrameDecoder decoder) throws DatasetException {
        List<TrainingSample> samples = new ArrayList<>(images.size());
        for (LabelledImage image : images) {
            byte[] bytes = image.bytes();
            samples.add(new TrainingSample(image.id(), Sha256.hex(bytes), image.decode(decoder, bytes), image.boxes()));
        }
        return samples;
    }
}
