package lookout.trainer;

import java.nio.file.Path;
import java.util.List;

import lookout.eval.EvaluationResult;
import lookout.labels.LabelSample;

/** Scores a model artifact on labelled samples (COCO-style AP, see {@link lookout.eval.Evaluator}). */
public interface ModelScorer {
    EvaluationResult score(Path modelDir, List<LabelSample> samples) throws Exception;
}
