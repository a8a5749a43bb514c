package lookout.config;

import java.nio.file.Path;

/**
 * The trainer's configuration ({@code lookout.trainer.*}).
 *
 * @param holdoutFraction share of each camera's samples held out for the gate (by hash of the id)
 * @param tolerance       publish when candidate AP50 >= current AP50 - tolerance
 * @param epochs          epochs of a retrain command that does not say
 * @param lr              learning rate of a retrain command that does not say
 * @param batchSize       images per step of a retrain command that does not say
 * @param device          where fine-tuning and holdout scoring run
 * @param scoreBatchSize  images per inference call when scoring on the holdout
 * @param autoPromote     a published candidate becomes the serving version in the same transaction
 * @param keepVersions    prune the registry to this many versions after a publish
 * @param workDir         scratch space for base, candidate and holdout files
 * @param baseModelDir    the model to start from when the registry is empty ({@code lookout.model.dir})
 * @param policy          retraining without a command (off by default)
 * @param generalTolerance refuse a camera's candidate whose AP50 on the general holdout (held-out
 *                        frames of the other cameras) is more than this below the current model's
 * @param generalHoldoutMax at most this many general-holdout frames are scored (a stable choice by
 *                        hash of the id), so the gate's cost does not grow with the label set
 * @param replayRatio     a camera's retrain also trains on this many frames of the other cameras' training
 *                        side per frame of its own (replay: what keeps it from forgetting them); 0 = none
 * @param replayMax       at most this many replay frames (a stable choice by hash of the id)
 * @param maxGradNorm     a retrain step's gradients are rescaled to this global norm when above it; 0 = never
 * @param cameraModels    a camera's candidate that lifts its camera but fails the general holdout is
 *                        published for that camera alone (its own serving pointer) instead of refused
 * @param cameraConfidence a model for one camera alone is published only when the candidate wins at least
 *                        this share of paired resamples of the camera's held-out frames (0 = no such check)
 * @param cameraFirst     with camera models, every camera's retrain trains on that camera's frames alone (no
 *                        replay, no general holdout) and is published for that camera alone
 */
public record TrainerSettings(double holdoutFraction, double tolerance, int epochs, double lr, int batchSize,
        String device, int scoreBatchSize, boolean autoPromote, int keepVersions, Path workDir, Path baseModelDir,
        RetrainPolicySettings policy, double generalTolerance, int generalHoldoutMax, double replayRatio,
        int replayMax, double maxGradNorm, boolean cameraModels, double cameraConfidence,
        boolean cameraFirst) {

    /** Without replay, clipping or camera models (tests of other concerns). */
    public TrainerSettings(double holdoutFraction, double tolerance, int epochs, double lr, int batchSize,
            String device, int scoreBatchSize, boolean autoPromote, int keepVersions, Path workDir, Path baseModelDir,
            RetrainPolicySettings policy, double generalTolerance, int generalHoldoutMax) {
        this(holdoutFraction, tolerance, epochs, lr, batchSize, device, scoreBatchSize, autoPromote, keepVersions,
                workDir, baseModelDir, policy, generalTolerance, generalHoldoutMax, 0, 0, 0, false, 0, false);
    }

    /** Whether this retrain (null camera: every camera) is camera-first: its camera's frames alone, for it alone. */
    public boolean cameraFirstFor(String camera) {
        return camera != null && cameraModels && cameraFirst;
    }
}
