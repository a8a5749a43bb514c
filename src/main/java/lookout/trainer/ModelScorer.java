package lookout.trainer;

import java.nio.file.Path;
import java.util.List;

import lookout.eval.EvaluationResult;
import lookout.eval.Evaluator;
import lookout.labels.LabelSample;

/** Scores a model artifact on labelled samples (COCO-style AP, see {@link lookout.eval.Evaluator}). */
public interface ModelScorer {
    Scores score(Path modelDir, List<LabelSample> samples) throws Exception;

    /**
     * @param result    the evaluation over all samples
     * @param matches50 per sample, in order, its detections matched at IoU 0.5 (for a paired comparison)
     */
    record Scores(EvaluationResult result, List<Evaluator.ImageMatches> matches50) {
    }
}
