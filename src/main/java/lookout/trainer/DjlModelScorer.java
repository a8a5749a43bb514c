package lookout.trainer;

import java.nio.file.Path;
import java.util.List;

import lookout.eval.EvaluationRun;
import lookout.frames.FrameDecoder;
import lookout.inference.Detector;
import lookout.inference.DetectorFactory;
import lookout.labels.LabelSample;

/** Scores an artifact with DJL on labelled samples: every detection of the class (no score floor) through the evaluator. */
public final class DjlModelScorer implements ModelScorer {
    private final String device;
    private final int batchSize;
    private final String className;
    private final double operatingPoint;
    private final FrameDecoder decoder;

    /**
     * @param className      the class scored
     * @param operatingPoint the score threshold precision and recall are reported at (the serving threshold)
     */
    public DjlModelScorer(String device, int batchSize, String className, double operatingPoint, FrameDecoder decoder) {
        this.device = device;
        this.batchSize = Math.max(1, batchSize);
        this.className = className;
        this.operatingPoint = operatingPoint;
        this.decoder = decoder;
    }

    @Override
    public Scores score(Path modelDir, List<LabelSample> samples) throws Exception {
        try (Detector detector = DetectorFactory.DJL.open(modelDir, device)) {
            List<EvaluationRun.Sample> items = samples.stream()
                    .map(s -> new EvaluationRun.Sample(() -> decoder.decode(s.image()), s.boxes())).toList();
            EvaluationRun.Outcome outcome = new EvaluationRun(detector, className, batchSize).run(items, operatingPoint, p -> { });
            return new Scores(outcome.result(), outcome.matches50());
        }
    }
}
