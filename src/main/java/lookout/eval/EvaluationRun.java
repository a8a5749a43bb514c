package lookout.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import lookout.dataset.Box;
import lookout.detections.Detection;
import lookout.frames.DecodedImage;
import lookout.inference.Detector;

/**
 * Runs a detector over labelled images in batches and evaluates its detections of one class.
 * Used by {@code lookout eval} (images on disk) and by the trainer's holdout gate (label samples).
 */
public final class EvaluationRun {
    /** Progress after each batch: images done, total, mean inference ms per frame so far. */
    public record Progress(int done, int total, double msPerFrame) {
    }

    /**
     * What a run measured.
     *
     * @param matches50 per image, its detections matched at IoU 0.5 (for {@link PairedBootstrap})
     */
    public record Outcome(EvaluationResult result, double msPerFrame, long inferenceMillis,
            List<Evaluator.ImageMatches> matches50) {
    }

    /** Decodes one image when its batch comes up (so a run holds one batch of pixels at a time). */
    @FunctionalInterface
    public interface Pixels {
        DecodedImage decode() throws Exception;
    }

    /** One image to evaluate on: its pixels and its ground-truth boxes. */
    public record Sample(Pixels pixels, List<Box> boxes) {
    }

    private final Detector detector;
    private final String className;
    private final int batchSize;

    public EvaluationRun(Detector detector, String className, int batchSize) {
        this.detector = detector;
        this.className = className;
        this.batchSize = Math.max(1, batchSize);
    }

    /** @param scoreThreshold the operating point for precision, recall and F1 */
    public Outcome run(List<Sample> samples, double scoreThreshold, Consumer<Progress> progress) throws Exception {
        Evaluator evaluator = new Evaluator();
        long nanos = 0;
        for (int start = 0; start < samples.size(); start += batchSize) {
            List<Sample> chunk = samples.subList(start, Math.min(samples.size(), start + batchSize));
            List<DecodedImage> decoded = new ArrayList<>(chunk.size());
            for (Sample sample : chunk) {
                decoded.add(sample.pixels().decode());
            }
            long t0 = System.nanoTime();
            List<List<Detection>> out = detector.detect(decoded);
            nanos += System.nanoTime() - t0;
            for (int i = 0; i < chunk.size(); i++) {
                List<ScoredBox> dets = new ArrayList<>();
                for (Detection d : out.get(i)) {
                    if (d.label().equals(className)) {
                        dets.add(new ScoredBox(new Box(d.x1(), d.y1(), d.x2(), d.y2()), d.score()));
                    }
                }
                evaluator.add(chunk.get(i).boxes(), dets);
            }
            int done = start + chunk.size();
            progress.accept(new Progress(done, samples.size(), nanos / 1e6 / done));
        }
        double ms = samples.isEmpty() ? 0 : nanos / 1e6 / samples.size();
        return new Outcome(evaluator.evaluate(scoreThreshold), ms, nanos / 1_000_000, evaluator.matches(0.5));
    }
}
