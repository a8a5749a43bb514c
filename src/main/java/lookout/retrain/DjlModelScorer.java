package lookout.retrain;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import lookout.detect.Detection;
import lookout.detect.DjlDetector;
import lookout.eval.Box;
import lookout.eval.EvaluationResult;
import lookout.eval.Evaluator;
import lookout.eval.ScoredBox;
import lookout.frames.DecodedImage;
import lookout.frames.FrameDecoder;
import lookout.labels.LabelSample;

/** Scores an artifact with DJL on CPU: person detections (no score floor) through jml's Evaluator. */
public final class DjlModelScorer implements ModelScorer {
    private final String device;
    private final int batchSize;
    private final FrameDecoder decoder = FrameDecoder.withDefaults();

    public DjlModelScorer(String device, int batchSize) {
        this.device = device;
        this.batchSize = Math.max(1, batchSize);
    }

    @Override
    public EvaluationResult score(Path modelDir, List<LabelSample> samples) throws Exception {
        Evaluator evaluator = new Evaluator();
        try (DjlDetector detector = DjlDetector.load(modelDir, device, 0f)) {
            for (int start = 0; start < samples.size(); start += batchSize) {
                List<LabelSample> chunk = samples.subList(start, Math.min(samples.size(), start + batchSize));
                List<DecodedImage> images = new ArrayList<>(chunk.size());
                for (LabelSample s : chunk) {
                    images.add(decoder.decode(s.image()));
                }
                List<List<Detection>> out = detector.detect(images);
                for (int i = 0; i < chunk.size(); i++) {
                    List<ScoredBox> dets = new ArrayList<>();
                    for (Detection d : out.get(i)) {
                        if (d.label().equals("person")) {
                            dets.add(new ScoredBox(new Box(d.x1(), d.y1(), d.x2(), d.y2()), d.score()));
                        }
                    }
                    evaluator.add(chunk.get(i).boxes(), dets);
                }
            }
        }
        return evaluator.evaluate(0.5);
    }
}
