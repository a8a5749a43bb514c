package lookout.trainer;

import lookout.config.TrainerSettings;
import lookout.eval.EvaluationResult;

/**
 * The trainer's decision on a candidate, from what the holdouts measured: publish for every camera,
 * publish for the retrained camera alone, or refuse, with the reason in words.
 *
 * <ul>
 * <li>Refused when the candidate's AP50 on the camera's holdout is below the current model's minus
 * {@code tolerance}.</li>
 * <li>For every camera when the general holdout (the other cameras' held-out frames) loses no more than
 * {@code general-tolerance}, or when every camera was retrained.</li>
 * <li>Otherwise for the camera alone ({@code camera-models}): when the others would lose more, when no
 * other camera has labelled frames to show what they would lose (a camera retrained without them forgot
 * the others: general AP50 -0.10 and -0.65 in the loop's measurement), or when the camera already has a
 * model of its own. But only when its holdout is sure of the gain: the candidate wins at least
 * {@code camera-confidence} of the paired resamples of the camera's held-out frames. A camera model is
 * judged on those frames alone, and a few of them cannot tell a gain from noise.</li>
 * <li>With {@code camera-first}, every camera's retrain is for that camera alone (trained without replay:
 * its model serves nobody else), with the same confidence asked of its holdout.</li>
 * <li>Without camera models, what fails the general holdout is refused, and a camera's retrain with no
 * general holdout is for every camera (gated on its own holdout alone).</li>
 * </ul>
 */
final class Gate {
    /** What to do with the candidate. */
    enum Verdict { GENERAL, CAMERA, REJECTED }

    /** @param reason why it was refused, or why it is for the camera alone; null for a general publish */
    record Decision(Verdict verdict, String reason) {
        boolean published() {
            return verdict != Verdict.REJECTED;
        }
    }

    /** What the holdouts measured. {@code candGeneral}/{@code curGeneral} null: no general holdout. */
    record Measured(EvaluationResult cand, EvaluationResult cur, EvaluationResult candGeneral,
            EvaluationResult curGeneral, int generalFrames, double confidence, int holdoutFrames) {
    }

    private final TrainerSettings settings;

    Gate(TrainerSettings settings) {
        this.settings = settings;
    }

    /**
     * @param camera   the retrained camera, null for a retrain of every camera
     * @param ownModel whether that camera already has a model of its own
     */
    Decision decide(Measured m, String camera, boolean ownModel) {
        double threshold = m.cur().ap50() - settings.tolerance();
        boolean better = !Double.isNaN(m.cand().ap50()) && (Double.isNaN(m.cur().ap50()) || m.cand().ap50() >= threshold);
        if (!better) {
            return rejected(String.format("candidate AP50 %.4f < current %.4f - tolerance %.4f", m.cand().ap50(),
                    m.cur().ap50(), settings.tolerance()));
        }
        boolean cameraFirst = settings.cameraFirstFor(camera);
        if (m.candGeneral() == null && !ownModel && !cameraFirst && (camera == null || !settings.cameraModels())) {
            return new Decision(Verdict.GENERAL, null); // every camera retrained, or nothing to check the others on
        }
        boolean keepsOthers = m.candGeneral() != null && (Double.isNaN(m.curGeneral().ap50())
                || !Double.isNaN(m.candGeneral().ap50())
                        && m.candGeneral().ap50() >= m.curGeneral().ap50() - settings.generalTolerance());
        if (!ownModel && !cameraFirst && keepsOthers) {
            return new Decision(Verdict.GENERAL, null);
        }
        if (!ownModel && !settings.cameraModels()) {
            return rejected(String.format("candidate AP50 on the general holdout (%d frames of other cameras) %.4f < "
                    + "current %.4f - general tolerance %.4f", m.generalFrames(), m.candGeneral().ap50(),
                    m.curGeneral().ap50(), settings.generalTolerance()));
        }
        String why;
        if (ownModel) {
            why = "camera " + camera + " has a model of its own";
        } else if (cameraFirst) {
            why = "a camera's retrain is for that camera alone (camera-first): camera " + camera + " gets a model of its own";
        } else if (m.candGeneral() == null) {
            why = "it lifts camera " + camera + " but no other camera has labelled frames to show what the others would pay";
        } else {
            why = String.format("it lifts camera %s but the general holdout (%d frames of other cameras) would lose %.4f "
                    + "AP50 (tolerance %.4f)", camera, m.generalFrames(), m.curGeneral().ap50() - m.candGeneral().ap50(),
                    settings.generalTolerance());
        }
        if (settings.cameraConfidence() > 0 && !(m.confidence() >= settings.cameraConfidence())) { // NaN: not sure either
            return rejected(String.format("%s, and its own holdout is not sure of the gain: on resamples of its %d "
                    + "held-out frames the candidate won %.0f%%, a model for one camera needs %.0f%% "
                    + "(camera-confidence); label more of its frames", why, m.holdoutFrames(), 100 * m.confidence(),
                    100 * settings.cameraConfidence()));
        }
        return new Decision(Verdict.CAMERA, ownModel || cameraFirst ? why : why + ": published for this camera alone");
    }

    private static Decision rejected(String reason) {
        return new Decision(Verdict.REJECTED, reason);
    }
}
