package lookout.finetune;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
import lookout.dataset.Box;
import lookout.inference.DjlDetector;
import lookout.model.Lineage;
import lookout.model.ModelArtifact;
import lookout.model.ModelArtifactException;

/**
 * Fine-tunes an exported detection model from Java through its TorchScript {@code losses} method:
 * load with {@code trainParam=true}, switch the module to training mode explicitly, re-freeze the
 * early backbone layers, then per step {@code trainer.forward} on an input list that selects
 * {@code module_method:losses}, sum the loss dict, {@code GradientCollector.backward}, SGD step.
 * Writes a checkpoint per epoch and a new artifact (inference mode) at the end.
 */
public final class FineTuner {
    private final FineTuneConfig config;
    private final FineTuneListener listener;

    public FineTuner(FineTuneConfig config, FineTuneListener listener) {
        this.config = config;
        this.listener = listener == null ? FineTuneListener.NONE : listener;
    }

    /** What a run is, decided from the base model and the configuration before the model loads. */
    private record Plan(long label, Device device, int batch, int stepsPerEpoch, int totalSteps, List<String> frozen,
            Augmenter augmenter, String version) {
    }

    /**
     * The steps: {@link #plan} (check and derive), load the base for training, per-parameter learning
     * rates ({@link #schedule}), {@link #freeze} the early layers, {@link #train} the epochs
     * (checkpoint each), {@link #writeArtifact}.
     */
    public FineTuneResult run(ModelArtifact base, List<TrainingSample> samples, Path outDir)
            throws ModelArtifactException, IOException {
        Plan plan = plan(base, samples);
        try (ZooModel<NDList, NDList> model = DjlDetector.criteria(base, plan.device(), true).loadModel()) {
            PtSymbolBlock block = (PtSymbolBlock) model.getBlock();
            JniUtils.enableTrainingMode(block);
            // the losses method samples anchors and proposals with libtorch's own generator: seeded, a run repeats
            JniUtils.setSeed(config.seed());
            Map<String, Float> byPrefix = config.lrFactors() != null ? config.lrFactors() : base.lrFactors();
            LearningRateSchedule schedule = schedule(block, byPrefix, plan.totalSteps());
            DefaultTrainingConfig trainingConfig = trainingConfig(schedule, plan.device());
            Curves curves;
            long start = System.nanoTime();
            try (Trainer trainer = model.newTrainer(trainingConfig)) {
                // newTrainer unfreezes every parameter of a loaded model: re-freeze only now
                freeze(block, plan.frozen(), samples.size(), plan.totalSteps());
                curves = train(trainer, block, samples, plan, schedule, outDir, start);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            JniUtils.enableInferenceMode(block);
            FineTuneResult result = writeArtifact(block, base, samples, outDir, plan, byPrefix, curves, seconds);
            listener.finished(result);
            return result;
        } catch (ModelNotFoundException | MalformedModelException e) {
            throw new ModelArtifactException("cannot load " + base.modelFile() + " for training: " + e.getMessage(), e);
        }
    }

    /** Checks that there is something to train on and a class to train, and derives the run's sizes and names. */
    private Plan plan(ModelArtifact base, List<TrainingSample> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no training samples");
        }
        long label = base.classIndex(config.className());
        if (label < 1) {
            throw new IllegalArgumentException("model " + base + " has no class '" + config.className() + "' (classes: "
                    + base.metadata().classes() + ")");
        }
        Device device = DjlDetector.parseDevice(config.device());
        int batch = Math.max(1, config.batchSize());
        int stepsPerEpoch = (samples.size() + batch - 1) / batch;
        int totalSteps = stepsPerEpoch * config.epochs();
        List<String> frozen = config.frozenPrefixes() != null ? config.frozenPrefixes()
                : !base.frozenPrefixes().isEmpty() ? base.frozenPrefixes() : FineTuneConfig.DEFAULT_FROZEN_PREFIXES;
        Augmenter augmenter = new Augmenter(config.flipProbability(), config.minScale(), config.maxScale());
        String version = config.version() != null ? config.version()
                : Lineage.nextVersion(Collections.singletonList(base.metadata().version()));
        return new Plan(label, device, batch, stepsPerEpoch, totalSteps, frozen, augmenter, version);
    }

    /** The learning rate per step (warm-up, decay), each parameter's scaled by its longest matching prefix's factor. */
    private LearningRateSchedule schedule(PtSymbolBlock block, Map<String, Float> byPrefix, int totalSteps) {
        Map<String, Float> lrFactors = new HashMap<>();
        for (Pair<String, Parameter> pair : block.getParameters()) {
            Parameter p = pair.getValue();
            Float factor = factorFor(p.getName(), byPrefix);
            if (factor != null) {
                lrFactors.put(p.getId(), factor);
            } else if (config.backbonePrefix() != null && p.getName().startsWith(config.backbonePrefix())) {
                lrFactors.put(p.getId(), config.backboneLrFactor());
            }
        }
        int warmup = Math.min(config.warmupSteps(), totalSteps / 3);
        return new LearningRateSchedule(config.learningRate(), warmup, totalSteps, config.decay(), lrFactors);
    }

    private DefaultTrainingConfig trainingConfig(LearningRateSchedule schedule, Device device) {
        Optimizer sgd = Optimizer.sgd().setLearningRateTracker(schedule).optMomentum(config.momentum())
                .optWeightDecays(config.weightDecay()).build();
        return new DefaultTrainingConfig(Loss.l1Loss()).optOptimizer(sgd).optDevices(new Device[] {device});
    }

    /** Freezes the parameters under the frozen prefixes (and only those), and tells the listener the run starts. */
    private void freeze(PtSymbolBlock block, List<String> frozen, int samples, int totalSteps) {
        block.freezeParameters(false);
        block.freezeParameters(true, p -> startsWithAny(p.getName(), frozen));
        int trainable = 0;
        int frozenCount = 0;
        for (Pair<String, Parameter> pair : block.getParameters()) {
            if (pair.getValue().requiresGradient()) {
                trainable++;
            } else {
                frozenCount++;
            }
        }
        if (frozenCount == 0 && !frozen.isEmpty()) {
            throw new IllegalArgumentException("no parameter name starts with " + frozen
                    + " (names look like " + block.getParameters().get(0).getValue().getName() + ")");
        }
        listener.started(samples, totalSteps, trainable, frozenCount);
    }

    /** Every step's total loss and gradient norm, in order. */
    private record Curves(List<Double> losses, List<Double> gradNorms) {
    }

    /** One step's loss components, its gradients' global norm before clipping, and whether they were clipped. */
    private record StepResult(Map<String, Double> losses, double gradNorm, boolean clipped) {
    }

    /**
     * The epoch loop: each epoch shuffles the samples, augments each batch and takes one step per
     * batch (one seeded random source for both, so a run repeats), reports progress every
     * {@code logEvery} steps and checkpoints at the epoch's end.
     *
     * @return the total loss and the gradient norm of every step
     */
    private Curves train(Trainer trainer, PtSymbolBlock block, List<TrainingSample> samples, Plan plan,
            LearningRateSchedule schedule, Path outDir, long start) throws IOException {
        Augmenter augmenter = plan.augmenter();
        Random random = new Random(config.seed());
        int batch = plan.batch();
        int totalSteps = plan.totalSteps();
        List<Double> stepLosses = new ArrayList<>(totalSteps);
        List<Double> gradNorms = new ArrayList<>(totalSteps);
        int step = 0;
        Map<String, Double> window = new LinkedHashMap<>();
        int windowSteps = 0;
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            List<TrainingSample> order = new ArrayList<>(samples);
            Collections.shuffle(order, random);
            double epochLoss = 0;
            double epochMaxNorm = 0;
            int clipped = 0;
            for (int b = 0; b < plan.stepsPerEpoch(); b++) {
                List<TrainingSample> chunk = new ArrayList<>(batch);
                for (TrainingSample s : order.subList(b * batch, Math.min(order.size(), (b + 1) * batch))) {
                    chunk.add(augmenter.apply(s, random));
                }
                StepResult result = step(trainer, block, chunk, plan.label(), config.maxGradNorm());
                Map<String, Double> losses = result.losses();
                double total = losses.values().stream().mapToDouble(Double::doubleValue).sum();
                if (!Double.isFinite(total)) {
                    throw new IllegalStateException("loss is " + total + " at step " + (step + 1)
                            + " (diverged: lower --lr)");
                }
                stepLosses.add(total);
                gradNorms.add(result.gradNorm());
                epochMaxNorm = Math.max(epochMaxNorm, result.gradNorm());
                clipped += result.clipped() ? 1 : 0;
                epochLoss += total;
                losses.forEach((k, v) -> window.merge(k, v, Double::sum));
                windowSteps++;
                step++;
                if (step == 1 || step % Math.max(1, config.logEvery()) == 0 || step == totalSteps) {
                    report(epoch, step, totalSteps, window, windowSteps, schedule, start);
                    window.clear();
                    windowSteps = 0;
                }
            }
            listener.epochFinished(new FineTuneListener.Epoch(epoch, epochLoss / plan.stepsPerEpoch(), epochMaxNorm, clipped,
                    checkpoint(block, outDir, epoch)));
        }
        return new Curves(stepLosses, gradNorms);
    }

    /** Progress: the mean of each loss over the steps since the last report, the rate, the time left. */
    private void report(int epoch, int step, int totalSteps, Map<String, Double> window, int windowSteps,
            LearningRateSchedule schedule, long start) {
        double secs = (System.nanoTime() - start) / 1e9 / step;
        Map<String, Double> mean = new LinkedHashMap<>();
        window.forEach((k, v) -> mean.put(k, v / windowSteps));
        listener.progress(new FineTuneListener.Progress(epoch, config.epochs(), step, totalSteps, mean,
                mean.values().stream().mapToDouble(Double::doubleValue).sum(), schedule.at(step - 1),
                secs, secs * (totalSteps - step)));
    }

    /** The module as of the end of this epoch (inference mode), when configured; null otherwise. */
    private Path checkpoint(PtSymbolBlock block, Path outDir, int epoch) throws IOException {
        if (!config.checkpointEachEpoch()) {
            return null;
        }
        Path checkpoint = outDir.resolve("checkpoints").resolve(String.format("epoch-%03d.pt", epoch));
        JniUtils.enableInferenceMode(block);
        ArtifactWriter.writeModule(block, checkpoint);
        JniUtils.enableTrainingMode(block);
        return checkpoint;
    }

    /** The new artifact (model.pt + model.json with its lineage and how it was trained). */
    private FineTuneResult writeArtifact(PtSymbolBlock block, ModelArtifact base, List<TrainingSample> samples,
            Path outDir, Plan plan, Map<String, Float> byPrefix, Curves curves, double seconds)
            throws ModelArtifactException, IOException {
        List<Double> stepLosses = curves.losses();
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("epochs", config.epochs());
        training.put("steps", plan.totalSteps());
        training.put("batchSize", plan.batch());
        training.put("learningRate", config.learningRate());
        training.put("samples", samples.size());
        training.put("frozenPrefixes", plan.frozen());
        training.put("lrFactors", byPrefix);
        training.put("firstLoss", stepLosses.get(0));
        training.put("lastEpochMeanLoss", stepLosses.subList(Math.max(0, stepLosses.size() - plan.stepsPerEpoch()),
                stepLosses.size()).stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
        if (config.maxGradNorm() > 0) {
            training.put("maxGradNorm", config.maxGradNorm());
        }
        training.put("seconds", Math.round(seconds));
        ModelArtifact written = ArtifactWriter.write(block, base, outDir, plan.version(), TrainingSample.fingerprint(samples),
                training);
        return new FineTuneResult(written.dir(), plan.version(), stepLosses, curves.gradNorms(), plan.totalSteps(),
                seconds);
    }

    /**
     * One optimizer step on a batch, its gradients first rescaled to {@code maxGradNorm} when their global
     * norm is above it (a long retrain can otherwise climb into a divergence it does not come back from).
     */
    private static StepResult step(Trainer trainer, PtSymbolBlock block, List<TrainingSample> chunk, long label,
            float maxGradNorm) {
        zeroGradients(block);
        Map<String, Double> values = new LinkedHashMap<>();
        try (NDManager manager = trainer.getManager().newSubManager()) {
            NDList input = new NDList(3 * chunk.size() + 1);
            for (TrainingSample s : chunk) {
                input.add(DjlDetector.toTensor(manager, s.image()));
            }
            for (TrainingSample s : chunk) {
                float[] boxes = new float[4 * s.boxes().size()];
                int i = 0;
                for (Box b : s.boxes()) {
                    boxes[i++] = b.x1();
                    boxes[i++] = b.y1();
                    boxes[i++] = b.x2();
                    boxes[i++] = b.y2();
                }
                NDArray array = manager.create(boxes, new Shape(s.boxes().size(), 4));
                array.setName("boxes[]");
                input.add(array);
            }
            for (TrainingSample s : chunk) {
                long[] labels = new long[s.boxes().size()];
                java.util.Arrays.fill(labels, label);
                NDArray array = manager.create(labels, new Shape(labels.length));
                array.setName("labels[]");
                input.add(array);
            }
            NDArray method = manager.create(0f);
            method.setName("module_method:losses");
            input.add(method);
            try (GradientCollector collector = trainer.newGradientCollector()) {
                NDList losses = trainer.forward(input);
                if (losses.isEmpty()) {
                    throw new IllegalStateException("the model's losses method returned no losses (not in training mode?)");
                }
                NDArray total = null;
                for (NDArray loss : losses) {
                    values.put(loss.getName() == null ? "loss" + values.size() : loss.getName(), (double) loss.getFloat());
                    total = total == null ? loss : total.add(loss);
                }
                collector.backward(total);
            }
            double norm = clipGradients(block, maxGradNorm);
            trainer.step();
            return new StepResult(values, norm, clips(norm, maxGradNorm));
        }
    }

    /** Clips the trainable parameters' gradients ({@link #rescaleToNorm}) and returns their norm before it. */
    private static double clipGradients(PtSymbolBlock block, float maxNorm) {
        List<NDArray> grads = new ArrayList<>();
        try {
            for (Pair<String, Parameter> pair : block.getParameters()) {
                NDArray array = pair.getValue().getArray();
                if (pair.getValue().requiresGradient() && array.hasGradient()) {
                    grads.add(array.getGradient());
                }
            }
            return rescaleToNorm(grads, maxNorm);
        } finally {
            grads.forEach(NDArray::close);
        }
    }

    /** The global L2 norm of the arrays; scales them in place so that it is maxNorm when it is above (and maxNorm > 0). */
    static double rescaleToNorm(List<NDArray> arrays, float maxNorm) {
        // one read back from the device per step, not one per parameter
        NDList sums = new NDList(arrays.size());
        double sumSquares = 0;
        try {
            for (NDArray a : arrays) {
                try (NDArray squares = a.square()) {
                    sums.add(squares.sum());
                }
            }
            if (!sums.isEmpty()) {
                try (NDArray stacked = NDArrays.stack(sums); NDArray total = stacked.sum()) {
                    sumSquares = total.getFloat();
                }
            }
        } finally {
            sums.close();
        }
        double norm = Math.sqrt(sumSquares);
        if (clips(norm, maxNorm)) {
            float scale = (float) (maxNorm / norm);
            for (NDArray a : arrays) {
                a.muli(scale);
            }
        }
        return norm;
    }

    private static boolean clips(double norm, float maxNorm) {
        return maxNorm > 0 && norm > maxNorm;
    }

    /** libtorch accumulates gradients; clear them before each backward pass. */
    private static void zeroGradients(PtSymbolBlock block) {
        for (Pair<String, Parameter> pair : block.getParameters()) {
            Parameter p = pair.getValue();
            if (p.requiresGradient()) {
                NDArray array = p.getArray();
                if (array.hasGradient()) {
                    try (NDArray grad = array.getGradient()) {
                        grad.subi(grad);
                    }
                }
            }
        }
    }

    /** The factor of the longest prefix of name in byPrefix, or null when none matches. */
    static Float factorFor(String name, Map<String, Float> byPrefix) {
        String best = null;
        for (String prefix : byPrefix.keySet()) {
            if (name.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        return best == null ? null : byPrefix.get(best);
    }

    private static boolean startsWithAny(String name, List<String> prefixes) {
        for (String prefix : prefixes) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
