package lookout.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import lookout.detect.Detection;
import lookout.detect.Detector;
import lookout.frames.DecodedImage;

/**
 * Runs a detector over labelled images in batches and evaluates its person detections.
 * Reusable by the command line and by the retraining loop's holdout gate.
 */
public final class EvaluationRun {
    /** Progress after each batch: images done, total, mean inference ms per frame so far. */
    public record Progress(int done, int total, double msPerFrame) {
    }

    /** What a run measured. */
    public record Outcome(EvaluationResult result, double msPerFrame, long inferenceMillis) {
    }

    private final Detector detector;
    private final String className;
    private final int batchSize;

    public EvaluationRun(Detector detector, String className, int batchSize) {
        this.detector = detector;
        this.className = className;
        this.batchSize = Math.max(1, batchSize);
    }

    public Outcome run(List<LabelledImage> images, double scoreThreshold, Consumer<Progress> progress) throws DatasetException {
        Evaluator evaluator = new Evaluator();
        long nanos = 0;
        for (int start = 0; start < images.size(); start += batchSize) {
            List<LabelledImage> chunk = images.subList(start, Math.min(images.size(), start + batchSize));
            List<DecodedImage> decoded = new ArrayList<>(chunk.size());
            for (LabelledImage image : chunk) {
                decoded.add(Datasets.read(image.path()));
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
            progress.accept(new Progress(done, images.size(), nanos / 1e6 / done));
        }
        double ms = images.isEmpty() ? 0 : nanos / 1e6 / images.size();
        return new Outcome(evaluator.evaluate(scoreThreshold), ms, nanos / 1_000_000);
    }
}
