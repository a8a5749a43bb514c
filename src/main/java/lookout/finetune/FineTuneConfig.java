package lookout.finetune;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Fine-tuning knobs.
 *
 * @param epochs             passes over the samples
 * @param batchSize          images per step
 * @param learningRate       peak learning rate of the heads
 * @param momentum           SGD momentum
 * @param weightDecay        L2 weight decay
 * @param warmupSteps        linear warm-up steps (capped at a third of the run)
 * @param decay              cosine or step decay after warm-up
 * @param backboneLrFactor   multiplier for parameters under {@code backbonePrefix}
 * @param backbonePrefix     parameter-name prefix of the backbone
 * @param frozenPrefixes     prefixes to keep frozen; null = from model.json, else a default
 * @param lrFactors          learning-rate multipliers by parameter-name prefix (the longest matching
 *                           prefix wins, before the backbone rule); null = model.json's {@code lrFactors}
 * @param flipProbability    horizontal flip probability
 * @param minScale           smallest scale jitter factor (below 1 pads)
 * @param maxScale           largest scale jitter factor (above 1 crops)
 * @param logEvery           progress event every N steps
 * @param checkpointEachEpoch write checkpoints/epoch-NNN.pt after every epoch
 * @param device             cpu, gpu or gpu:N
 * @param seed               shuffling and augmentation seed
 * @param version            version of the new artifact; null = the one after the parent's
 * @param className          the class the boxes are of (one of the base model's classes)
 * @param maxGradNorm        rescale a step's gradients to this global L2 norm when they exceed it; 0 = never
 */
public record FineTuneConfig(int epochs, int batchSize, float learningRate, float momentum, float weightDecay,
        int warmupSteps, LearningRateSchedule.Decay decay, float backboneLrFactor, String backbonePrefix,
        List<String> frozenPrefixes, Map<String, Float> lrFactors, double flipProbability, double minScale, double maxScale,
        int logEvery, boolean checkpointEachEpoch, String device, long seed, String version, String className,
        float maxGradNorm) {

    /** Used when neither the caller nor model.json names frozen layers: the stem of the backbone. */
    public static final List<String> DEFAULT_FROZEN_PREFIXES = List.of("model.backbone.body.0.");

    /** The recipe's defaults, for boxes of {@code className}. */
    public static FineTuneConfig defaults(String className) {
        return new FineTuneConfig(5, 2, 0.005f, 0.9f, 1e-4f, 50, LearningRateSchedule.Decay.COSINE, 0.1f,
                "model.backbone.body.", null, null, 0.5, 0.8, 1.25, 10, true, "cpu", 42L, null, className, 0f);
    }

    public FineTuneConfig withEpochs(int n) {
        return with(b -> b.epochs = n);
    }

    public FineTuneConfig withBatchSize(int n) {
        return with(b -> b.batchSize = n);
    }

    public FineTuneConfig withLearningRate(float lr) {
        return with(b -> b.learningRate = lr);
    }

    public FineTuneConfig withWarmupSteps(int n) {
        return with(b -> b.warmupSteps = n);
    }

    public FineTuneConfig withAugmentation(double flip, double min, double max) {
        return with(b -> {
            b.flipProbability = flip;
            b.minScale = min;
            b.maxScale = max;
        });
    }

    public FineTuneConfig withLogEvery(int n) {
        return with(b -> b.logEvery = n);
    }

    public FineTuneConfig withCheckpoints(boolean on) {
        return with(b -> b.checkpointEachEpoch = on);
    }

    public FineTuneConfig withDevice(String d) {
        return with(b -> b.device = d);
    }

    public FineTuneConfig withFrozenPrefixes(List<String> prefixes) {
        return with(b -> b.frozenPrefixes = prefixes);
    }

    public FineTuneConfig withLrFactors(Map<String, Float> factors) {
        return with(b -> b.lrFactors = factors == null ? null : Map.copyOf(factors));
    }

    public FineTuneConfig withBackboneLrFactor(float f) {
        return with(b -> b.backboneLrFactor = f);
    }

    public FineTuneConfig withSeed(long seed) {
        return with(b -> b.seed = seed);
    }

    public FineTuneConfig withMaxGradNorm(float n) {
        return with(b -> b.maxGradNorm = n);
    }

    public FineTuneConfig withDecay(LearningRateSchedule.Decay d) {
        return with(b -> b.decay = d);
    }

    /** A copy with one change: every wither goes through here, so a new field is added in one place. */
    private FineTuneConfig with(Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return c.build();
    }

    private static final class Copy {
        int epochs;
        int batchSize;
        float learningRate;
        float momentum;
        float weightDecay;
        int warmupSteps;
        LearningRateSchedule.Decay decay;
        float backboneLrFactor;
        String backbonePrefix;
        List<String> frozenPrefixes;
        Map<String, Float> lrFactors;
        double flipProbability;
        double minScale;
        double maxScale;
        int logEvery;
        boolean checkpointEachEpoch;
        String device;
        long seed;
        String version;
        String className;
        float maxGradNorm;

        Copy(FineTuneConfig c) {
            epochs = c.epochs;
            batchSize = c.batchSize;
            learningRate = c.learningRate;
            momentum = c.momentum;
            weightDecay = c.weightDecay;
            warmupSteps = c.warmupSteps;
            decay = c.decay;
            backboneLrFactor = c.backboneLrFactor;
            backbonePrefix = c.backbonePrefix;
            frozenPrefixes = c.frozenPrefixes;
            lrFactors = c.lrFactors;
            flipProbability = c.flipProbability;
            minScale = c.minScale;
            maxScale = c.maxScale;
            logEvery = c.logEvery;
            checkpointEachEpoch = c.checkpointEachEpoch;
            device = c.device;
            seed = c.seed;
            version = c.version;
            className = c.className;
            maxGradNorm = c.maxGradNorm;
        }

        FineTuneConfig build() {
            return new FineTuneConfig(epochs, batchSize, learningRate, momentum, weightDecay, warmupSteps, decay,
                    backboneLrFactor, backbonePrefix, frozenPrefixes, lrFactors, flipProbability, minScale, maxScale, logEvery,
                    checkpointEachEpoch, device, seed, version, className, maxGradNorm);
        }
    }
}
