package lookout.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.jboss.logging.Logger;

import lookout.common.FileTrees;
import lookout.common.Json;
import lookout.common.Sha256;
import lookout.config.TrainerSettings;
import lookout.control.ControlCommand;
import lookout.events.EventSink;
import lookout.events.Events;
import lookout.eval.EvaluationResult;
import lookout.eval.PairedBootstrap;
import lookout.labels.HoldoutSplit;
import lookout.labels.LabelSample;
import lookout.labels.LabelSet;
import lookout.model.Lineage;
import lookout.model.ModelArtifact;
import lookout.registry.ModelManifest;
import lookout.registry.ModelRegistry;
import lookout.registry.RegistryState;
import lookout.registry.ServingPointer;

/**
 * One retraining run: split the camera's labels (deterministic holdout), fine-tune from the base
 * version, score candidate and current model on the same holdout (and, for a shared retrain of a camera,
 * on the general holdout: the other cameras' held-out frames, {@link GeneralHoldout}), and let the
 * {@link Gate} decide: publish for every camera, for the retrained camera alone (its own serving
 * pointer; by default every camera's retrain, {@code lookout.trainer.camera-first}, trained on its frames
 * alone), or refuse. Says what happened in events at every step: training-started, epoch...,
 * evaluated (progress, on the event sink), then the outcome: published, rejected or failed, written
 * through {@link Outcomes} (the trainer writes an outcome, the publish it carries and the command's
 * offset in one transaction: a run that dies before has no outcome, and its command runs again).
 */
public final class RetrainJob {
    private static final Logger LOG = Logger.getLogger(RetrainJob.class);

    /** How a run ended. */
    public enum Outcome { PUBLISHED, REJECTED, FAILED }

    /** Where a run's outcome goes: each call writes the outcome event (and what it publishes) at once or not at all. */
    public interface Outcomes {
        /**
         * Publishes the candidate in dir as version and writes the {@code published} event with it.
         *
         * @param camera null: serve moves the general pointer; else the camera's own pointer
         */
        ModelManifest publish(Path dir, String version, boolean serve, String previous, String camera,
                Map<String, Object> event) throws Exception;

        /** Writes a {@code rejected} or {@code failed} event. */
        void report(String type, Map<String, Object> event);
    }

    /** Why a run was started: a command on lookout.control, or the retraining policy. */
    public static final String TRIGGER_COMMAND = "command";
    public static final String TRIGGER_POLICY = "policy";

    /** The gate's paired resamples of a holdout: fixed, so the same retrain always gets the same verdict. */
    private static final int BOOTSTRAP_RESAMPLES = 1000;
    private static final long BOOTSTRAP_SEED = 20261207L;

    private final ModelTrainer trainer;
    private final ModelScorer scorer;
    private final ModelRegistry registry;
    private final EventSink events;
    private final TrainerSettings settings;

    public RetrainJob(ModelTrainer trainer, ModelScorer scorer, ModelRegistry registry, EventSink events,
            TrainerSettings settings) {
        this.trainer = trainer;
        this.scorer = scorer;
        this.registry = registry;
        this.events = events;
        this.settings = settings;
    }

    /**
     * @param trigger {@link #TRIGGER_COMMAND} or {@link #TRIGGER_POLICY}, repeated in every event
     */
    public Outcome run(ControlCommand.Retrain cmd, LabelSet labels, String trigger, Outcomes outcomes) {
        long start = System.nanoTime();
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("id", cmd.id());
        ctx.put("camera", cmd.camera());
        ctx.put("trigger", trigger);
        // where the labels stood when this run took its samples: the policy counts new labels from here
        ctx.put("labelsWatermark", watermarkJson(labels.watermark()));
        Path work = null;
        try {
            List<LabelSample> samples = labels.samples(cmd.camera());
            HoldoutSplit.Split split = new HoldoutSplit(settings.holdoutFraction()).split(samples);
            if (split.train().isEmpty()) {
                return fail(outcomes, ctx, "no training samples" + (cmd.camera() != null ? " for camera " + cmd.camera() : "")
                        + " (" + samples.size() + " labelled, " + split.holdout().size() + " held out)");
            }
            RegistryState state = registry.snapshot();
            ServingPointer serving = state.serving();
            // a camera with a model of its own is retrained from it, compared with it, published for it
            ServingPointer own = state.serving(cmd.camera());
            String currentVersion = own != null ? own.version() : serving != null ? serving.version() : state.latest();
            String baseVersion = cmd.baseVersion() != null ? cmd.baseVersion() : currentVersion;
            work = Files.createDirectories(settings.workDir()).resolve("run-" + System.currentTimeMillis());
            Path baseDir = materialise(state, baseVersion, work.resolve("base"));
            Path currentDir = baseVersion == null || baseVersion.equals(currentVersion) ? baseDir
                    : materialise(state, currentVersion, work.resolve("current"));
            TrainingParams params = TrainingParams.of(cmd, settings);
            // a retrain for its camera alone (camera-first) replays nothing and checks no one else: its model serves nobody else
            boolean cameraFirst = settings.cameraFirstFor(cmd.camera());
            List<LabelSample> replay = cameraFirst ? List.of()
                    : GeneralHoldout.replay(labels, cmd.camera(), settings, split.train().size());
            List<LabelSample> training = new ArrayList<>(split.train());
            training.addAll(replay);
            ctx.put("baseVersion", baseVersion != null ? baseVersion : "file:" + settings.baseModelDir());
            Map<String, Object> started = new LinkedHashMap<>(ctx);
            started.put("train", split.train().size());
            started.put("replay", replay.size());
            started.put("holdout", split.holdout().size());
            started.put("epochs", params.epochs());
            started.put("lr", params.lr());
            started.put("batchSize", params.batchSize());
            events.emit(Events.TRAINING_STARTED, started);

            Path candidate = work.resolve("candidate");
            trainer.train(baseDir, training, params, candidate, report -> {
                Map<String, Object> e = new LinkedHashMap<>(ctx);
                e.put("epoch", report.epoch());
                e.put("epochs", params.epochs());
                e.put("loss", round(report.loss()));
                e.put("losses", report.losses());
                // a retrain going astray shows here first: norms of 3-5 are normal, clipped steps are not
                Map<String, Object> gradNorm = new LinkedHashMap<>(); // max is null if NaN: no Map.of
                gradNorm.put("max", round(report.maxGradNorm()));
                gradNorm.put("clipped", report.clippedSteps());
                e.put("gradNorm", gradNorm);
                e.put("seconds", round(report.seconds()));
                events.emit(Events.EPOCH, e);
            });

            if (split.holdout().isEmpty()) {
                Map<String, Object> r = new LinkedHashMap<>(ctx);
                r.put("reason", "no holdout samples to compare on; label more frames or raise the holdout fraction");
                outcomes.report(Events.REJECTED, r);
                return Outcome.REJECTED;
            }
            ModelScorer.Scores candScores = scorer.score(candidate, split.holdout());
            ModelScorer.Scores curScores = scorer.score(currentDir, split.holdout());
            EvaluationResult cand = candScores.result();
            EvaluationResult cur = curScores.result();
            double confidence = PairedBootstrap.confidence(candScores.matches50(), curScores.matches50(),
                    BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED);
            GeneralHoldout general = GeneralHoldout.of(labels, cameraFirst ? null : cmd.camera(), settings);
            EvaluationResult candGeneral = general.isEmpty() ? null : scorer.score(candidate, general.samples()).result();
            EvaluationResult curGeneral = general.isEmpty() ? null : scorer.score(currentDir, general.samples()).result();
            Map<String, Object> evaluated = new LinkedHashMap<>(ctx);
            evaluated.put("holdout", split.holdout().size());
            evaluated.put("candidate", scores(cand));
            evaluated.put("current", scores(cur));
            evaluated.put("confidence", round(confidence));
            evaluated.put("currentVersion", currentVersion);
            evaluated.put("general", general.describe(candGeneral == null ? null : scores(candGeneral),
                    curGeneral == null ? null : scores(curGeneral)));
            events.emit(Events.EVALUATED, evaluated);

            Gate.Decision decision = new Gate(settings).decide(new Gate.Measured(cand, cur, candGeneral, curGeneral,
                    general.samples().size(), confidence, split.holdout().size()), cmd.camera(), own != null);
            boolean cameraOnly = decision.verdict() == Gate.Verdict.CAMERA;
            Map<String, Object> result = new LinkedHashMap<>(ctx);
            result.put("candidateAp50", round(cand.ap50()));
            result.put("currentAp50", round(cur.ap50()));
            result.put("tolerance", settings.tolerance());
            result.put("confidence", round(confidence));
            result.put("generalHoldout", general.samples().size());
            result.put("candidateGeneralAp50", candGeneral == null ? null : round(candGeneral.ap50()));
            result.put("currentGeneralAp50", curGeneral == null ? null : round(curGeneral.ap50()));
            result.put("generalTolerance", settings.generalTolerance());
            result.put("seconds", round((System.nanoTime() - start) / 1e9));
            if (!decision.published()) {
                result.put("reason", decision.reason());
                outcomes.report(Events.REJECTED, result);
                return Outcome.REJECTED;
            }
            String version = registry.snapshot().nextVersion(); // now, not at the start: the registry may have moved
            stamp(candidate, baseVersion, cand, cur, split, replay, cmd, params, candGeneral, curGeneral, general);
            result.put("version", version);
            result.put("parent", baseVersion);
            result.put("sha256", Sha256.hex(candidate.resolve(ModelArtifact.MODEL_FILE)));
            result.put("serving", settings.autoPromote());
            result.put("scope", cameraOnly ? "camera" : "general");
            if (cameraOnly) {
                result.put("why", decision.reason());
            }
            // a camera's first model of its own has no previous: its rollback returns it to the general model
            String previous = !cameraOnly ? currentVersion : own == null ? null : own.version();
            outcomes.publish(candidate, version, settings.autoPromote(), previous, cameraOnly ? cmd.camera() : null, result);
            prune();
            return Outcome.PUBLISHED;
        } catch (OutcomeNotWritten e) {
            throw e; // the outcome could not be committed: nothing happened, the command runs again
        } catch (Exception e) {
            LOG.error("retrain failed", e);
            return fail(outcomes, ctx, e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            delete(work);
        }
    }

    /** Keeps the newest versions; a failure here is logged, the run's outcome (published) stands. */
    private void prune() {
        try {
            List<String> pruned = registry.prune(registry.snapshot(), settings.keepVersions());
            if (!pruned.isEmpty()) {
                events.emit(Events.PRUNED, Map.of("versions", pruned, "keep", settings.keepVersions()));
            }
        } catch (RuntimeException e) {
            LOG.warnf("pruning the registry after a publish failed: %s", e.toString());
        }
    }

    /** The directory of a version (reassembled and verified), or the configured base model. */
    private Path materialise(RegistryState state, String version, Path dir) throws Exception {
        if (version == null) {
            return settings.baseModelDir();
        }
        return state.assemble(version, dir);
    }

    /**
     * Stamps the candidate's model.json by the lineage rule (parent = the base version, fingerprint
     * of the training split, sha256) and records what the gate measured on the holdout.
     */
    private static void stamp(Path candidate, String parent, EvaluationResult cand, EvaluationResult cur,
            HoldoutSplit.Split split, List<LabelSample> replay, ControlCommand.Retrain cmd, TrainingParams params,
            EvaluationResult candGeneral, EvaluationResult curGeneral, GeneralHoldout general) throws IOException {
        Path json = candidate.resolve(ModelArtifact.METADATA_FILE);
        ObjectNode meta = (ObjectNode) Json.MAPPER.readTree(json.toFile());
        // the fingerprint covers every frame the candidate trained on, the replay sample included
        List<LabelSample> trained = new ArrayList<>(split.train());
        trained.addAll(replay);
        String fingerprint = Lineage.dataFingerprint(trained.stream().map(LabelSample::lineage).toList());
        Lineage.stamp(meta, parent, fingerprint, Sha256.hex(candidate.resolve(ModelArtifact.MODEL_FILE)));
        ObjectNode metrics = meta.putObject("metrics");
        metrics.put("ap50", cand.ap50());
        metrics.put("ap", cand.ap());
        metrics.put("parentAp50", cur.ap50());
        metrics.put("holdout", split.holdout().size());
        metrics.put("train", split.train().size());
        metrics.put("replay", replay.size());
        if (cmd.camera() != null) {
            metrics.put("camera", cmd.camera());
        }
        if (candGeneral != null) {
            metrics.put("generalAp50", candGeneral.ap50());
            metrics.put("parentGeneralAp50", curGeneral.ap50());
            metrics.put("generalHoldout", general.samples().size());
        }
        metrics.put("epochs", params.epochs());
        metrics.put("lr", params.lr());
        Json.pretty().writeValue(json.toFile(), meta);
    }

    private static Outcome fail(Outcomes outcomes, Map<String, Object> ctx, String error) {
        Map<String, Object> f = new LinkedHashMap<>(ctx);
        f.put("error", error);
        outcomes.report(Events.FAILED, f);
        return Outcome.FAILED;
    }

    /**
     * Thrown by an {@link Outcomes} that could not write the outcome (the trainer lost its
     * partition or Kafka refused the transaction): the run counts as not done.
     */
    public static final class OutcomeNotWritten extends RuntimeException {
        public OutcomeNotWritten(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Partition -> offset, with string keys (JSON object keys). */
    static Map<String, Long> watermarkJson(Map<Integer, Long> watermark) {
        Map<String, Long> m = new TreeMap<>();
        watermark.forEach((p, o) -> m.put(String.valueOf(p), o));
        return m;
    }

    private static Map<String, Object> scores(EvaluationResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ap50", round(r.ap50()));
        m.put("ap", round(r.ap()));
        m.put("recall", round(r.recall()));
        m.put("precision", round(r.precision()));
        return m;
    }

    private static Object round(double v) {
        return Double.isNaN(v) ? null : Math.round(v * 10000) / 10000.0;
    }

    private static void delete(Path dir) {
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            LOG.warnf("could not clean %s: %s", dir, e.getMessage());
        }
    }
}
