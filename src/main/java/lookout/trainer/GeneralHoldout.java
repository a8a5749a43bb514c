package lookout.trainer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

import lookout.config.TrainerSettings;
import lookout.labels.HoldoutSplit;
import lookout.labels.LabelSample;
import lookout.labels.LabelSet;

/**
 * The frames a camera's retrain is checked against for forgetting: the held-out side (same hash rule
 * as every holdout, so never a training frame of any run) of every sample that is not that camera's,
 * at most {@code lookout.trainer.general-holdout-max} of them (a stable choice). Empty for a retrain
 * on all cameras (there is no "other camera") and while no other camera has labels.
 *
 * @param samples the frames, in id order
 * @param cameras the cameras they come from (a sample without a camera counts as "-")
 */
public record GeneralHoldout(List<LabelSample> samples, List<String> cameras) {

    public static GeneralHoldout of(LabelSet labels, String camera, TrainerSettings settings) {
        if (camera == null) {
            return new GeneralHoldout(List.of(), List.of());
        }
        List<LabelSample> others = others(labels, camera);
        List<LabelSample> held = new HoldoutSplit(settings.holdoutFraction()).split(others).holdout();
        List<LabelSample> chosen = HoldoutSplit.stableSubset(held, settings.generalHoldoutMax());
        TreeSet<String> cameras = new TreeSet<>();
        chosen.forEach(s -> cameras.add(Objects.requireNonNullElse(s.camera(), "-")));
        return new GeneralHoldout(List.copyOf(chosen), List.copyOf(cameras));
    }

    /**
     * The replay sample of a camera's retrain: the training side (never a held-out frame, so never a
     * frame of this or any general holdout) of every other camera's samples, {@code replayRatio} per
     * frame of the camera's own training set and at most {@code replayMax}, a stable choice by hash of
     * the id. Empty for a retrain on all cameras and with replay off.
     */
    public static List<LabelSample> replay(LabelSet labels, String camera, TrainerSettings settings, int ownTrain) {
        int wanted = (int) Math.min(settings.replayMax(), Math.round(settings.replayRatio() * ownTrain));
        if (camera == null || wanted <= 0) {
            return List.of();
        }
        List<LabelSample> others = others(labels, camera);
        List<LabelSample> train = new HoldoutSplit(settings.holdoutFraction()).split(others).train();
        return List.copyOf(HoldoutSplit.stableSubset(train, wanted));
    }

    /** Every sample that is not this camera's. */
    private static List<LabelSample> others(LabelSet labels, String camera) {
        List<LabelSample> others = new ArrayList<>();
        for (LabelSample s : labels.samples(null)) {
            if (!camera.equals(s.camera())) {
                others.add(s);
            }
        }
        return others;
    }

    public boolean isEmpty() {
        return samples.isEmpty();
    }

    /** The {@code general} object of the evaluated event. */
    Map<String, Object> describe(Map<String, Object> candidate, Map<String, Object> current) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("holdout", samples.size());
        m.put("cameras", cameras);
        m.put("candidate", candidate);
        m.put("current", current);
        return m;
    }
}
