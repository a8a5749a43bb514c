package lookout.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import lookout.common.Sha256;
import lookout.dataset.Box;
import lookout.finetune.FineTuneConfig;
import lookout.finetune.FineTuneListener;
import lookout.finetune.FineTuner;
import lookout.finetune.TrainingSample;
import lookout.frames.DecodedImage;
import lookout.frames.FrameDecoder;
import lookout.model.ModelArtifact;

/**
 * Milliseconds per fine-tuning step from Java (the retraining loop's FineTuner: the artifact's
 * exported {@code losses}, SGD), no augmentation, on the bench frames with two fixed person boxes
 * each: the same boxes the Python side uses, so both time the same work.
 */
final class FineTuneBench {
    private FineTuneBench() {
    }

    static double msPerStep(Path model, String className, List<byte[]> jpegs, FrameDecoder decoder, int batch,
            int steps, Path work) throws Exception {
        int warmup = 3; // as bench/python_compare.py: the first steps still compile and allocate
        List<TrainingSample> samples = new ArrayList<>();
        for (int i = 0; i < batch * (steps + warmup); i++) {
            byte[] jpeg = jpegs.get(i % jpegs.size());
            DecodedImage image = decoder.decode(jpeg);
            samples.add(new TrainingSample("bench-" + i, Sha256.hex(jpeg), image, boxes(image)));
        }
        FineTuneConfig config = FineTuneConfig.defaults(className).withEpochs(1).withBatchSize(batch)
                .withAugmentation(0, 1, 1).withLogEvery(1).withCheckpoints(false);
        List<Double> cumulative = new ArrayList<>();
        FineTuner tuner = new FineTuner(config, new FineTuneListener() {
            @Override
            public void progress(Progress p) {
                cumulative.add(p.secondsPerStep() * p.step());
            }
        });
        Files.createDirectories(work);
        tuner.run(ModelArtifact.open(model), samples, work.resolve("out"));
        List<Double> perStep = new ArrayList<>();
        // cumulative.get(i) is the time to the end of step i + 1: the first timed step is i = warmup
        for (int i = warmup; i < cumulative.size(); i++) {
            perStep.add(cumulative.get(i) - cumulative.get(i - 1));
        }
        return 1000 * Stats.median(perStep);
    }

    /** Two upright person-sized boxes (as python_compare.py's box_set). */
    static List<Box> boxes(DecodedImage image) {
        float w = image.width();
        float h = image.height();
        return List.of(new Box(0.20f * w, 0.30f * h, 0.28f * w, 0.75f * h), new Box(0.60f * w, 0.25f * h, 0.68f * w, 0.70f * h));
    }
}
