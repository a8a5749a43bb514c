package lookout.finetune;

import java.util.Map;

import ai.djl.training.tracker.ParameterTracker;

/**
 * Linear warm-up from {@code warmupFactor * base} to {@code base} over {@code warmupSteps}, then
 * cosine decay to {@code finalFactor * base} (or step decay: x0.1 at 2/3 and again at 8/9 of the
 * run). Parameters listed in {@code factors} (by DJL parameter id) get their own multiplier, e.g.
 * a tenth for the backbone.
 */
public final class LearningRateSchedule implements ParameterTracker {
    public enum Decay { COSINE, STEP }

    private final float base;
    private final int warmupSteps;
    private final int totalSteps;
    private final Decay decay;
    private final Map<String, Float> factors;
    private static final float WARMUP_FACTOR = 0.1f;
    private static final float FINAL_FACTOR = 0.01f;

    public LearningRateSchedule(float base, int warmupSteps, int totalSteps, Decay decay, Map<String, Float> factors) {
        this.base = base;
        this.warmupSteps = Math.max(0, warmupSteps);
        this.totalSteps = Math.max(1, totalSteps);
        this.decay = decay;
        this.factors = Map.copyOf(factors);
    }

    /** The base (head) learning rate at update {@code step} (0-based). */
    public float at(int step) {
        if (step < warmupSteps) {
            float t = (step + 1) / (float) warmupSteps;
            return base * (WARMUP_FACTOR + (1 - WARMUP_FACTOR) * t);
        }
        int decaySteps = Math.max(1, totalSteps - warmupSteps);
        float t = Math.min(1f, (step - warmupSteps) / (float) decaySteps);
        if (decay == Decay.STEP) {
            return t < 2f / 3f ? base : t < 8f / 9f ? base * 0.1f : base * 0.01f;
        }
        float cos = (float) (0.5 * (1 + Math.cos(Math.PI * t)));
        return base * (FINAL_FACTOR + (1 - FINAL_FACTOR) * cos);
    }

    /** DJL counts updates per parameter from 1. */
    @Override
    public float getNewValue(String parameterId, int numUpdate) {
        return at(Math.max(0, numUpdate - 1)) * factors.getOrDefault(parameterId, 1f);
    }
}
