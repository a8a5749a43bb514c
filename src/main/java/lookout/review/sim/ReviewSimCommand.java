package lookout.review.sim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import lookout.common.Json;
import lookout.config.LookoutConfig;
import lookout.config.ReviewSettings;
import lookout.config.TrackerSettings;
import lookout.config.TrainerSettings;
import lookout.finetune.FineTuneConfig;
import lookout.frames.FrameDecoder;
import lookout.labels.DatasetImport;
import lookout.labels.LabelCodec;
import lookout.labels.LabelSample;
import lookout.review.PickerFrame;
import lookout.review.SceneSignature;
import lookout.review.SimulatedReviewer;
import lookout.trainer.DjlFineTuneTrainer;
import lookout.trainer.GeneralHoldout;
import lookout.trainer.TrainingParams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lookout review simulate}: the review loop measured offline on a camera with ground truth (see
 * {@link ReviewSimulation}). One JSON line per (camera, rule, budget, seed) appended to {@code --out};
 * lines already there are not run again, so a long measurement goes in chunks ({@code --max-minutes}); a
 * chunk that stopped with runs left exits with status 3.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Measure the review loop offline: the picker against random frames, a simulated reviewer, "
                + "a retrain per budget and seed, AP50/AP on the camera's later frames and on a general holdout.")
public class ReviewSimCommand implements Callable<Integer> {
    /** Exit status of a chunk that stopped for time with runs left to do. */
    static final int MORE_TO_DO = 3;

    @Option(names = "--camera", required = true, description = "tud-stadtmitte, person-mix-test, tud-campus or usc-b")
    String cameraName;

    @Option(names = "--model", description = "model artifact directory (default lookout.model.dir)")
    Path model;

    @Option(names = "--budgets", split = ",", defaultValue = "25,50,100",
            description = "reviewed frames wanted (default ${DEFAULT-VALUE}); a budget over half the watched frames is"
                    + " skipped (no choice), and so is one the picker cannot fill")
    List<Integer> budgets;

    @Option(names = "--accept-iou", defaultValue = "0.85",
            description = "the simulated reviewer accepts a model box as it is at this IoU with the truth or more, and"
                    + " moves the others onto the truth (default ${DEFAULT-VALUE}: a careful operator)")
    double acceptIou;

    @Option(names = "--seeds", split = ",", defaultValue = "1,2,3", description = "seeds (random frames, training order)")
    List<Long> seeds;

    @Option(names = "--rules", split = ",", defaultValue = "rule,random",
            description = "rule (the service's picker), random, and with --picks-only also uniform, top, no-scene, "
                    + "no-tracks, no-below, any (min-uncertainty 0)")
    List<String> rules;

    @Option(names = "--picks-only", description = "only what the picks cost a reviewer (no retraining)")
    boolean picksOnly;

    @Option(names = "--out", defaultValue = "build/review-sim/results.jsonl", description = "results, one JSON line per run")
    Path out;

    @Option(names = "--cache", defaultValue = "build/review-sim", description = "detections cache and scratch space")
    Path cache;

    @Option(names = "--max-minutes", defaultValue = "15", description = "start no new run after this many minutes")
    double maxMinutes;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        LookoutConfig config = LookoutConfig.current();
        Path modelDir = model != null ? model : config.detector().modelDir();
        SimCamera camera = SimCamera.load(cameraName, config.dataDir());
        float threshold = config.detector().scoreThreshold();
        TrackerSettings tracker = config.tracker().atFrameRate(config.trackerFrameRate(), camera.fps());
        ReviewSettings review = config.review().withEnabled(true);
        FrameDecoder decoder = new FrameDecoder(config.frameLimits());
        ReviewSimulation sim = new ReviewSimulation(camera, modelDir, decoder, threshold, config.targetClass(), tracker);
        Set<String> done = done(out);
        System.out.printf(Locale.ROOT, "review simulate: camera %s, %d watched and %d later frames, model %s, %s%n",
                camera.name(), camera.pool().size(), camera.later().size(), modelDir, picksOnly ? "picks only" : "retraining");
        sim.detections(cache);
        List<PickerFrame> frames = sim.frames(true, true);
        TrainerSettings trainer = config.trainer();
        FineTuneConfig recipe = DjlFineTuneTrainer.config(new TrainingParams(trainer.epochs(), trainer.lr(),
                trainer.batchSize()), "cpu", config.targetClass(), trainer.maxGradNorm());
        SimOthers others = picksOnly ? null : SimOthers.load(cameraName, config.dataDir(), new DatasetImport(decoder),
                LabelCodec.fromConfig(config), config.targetClass(), trainer);
        GeneralHoldout general = others == null ? null : others.general();
        if (general != null) {
            System.out.printf(Locale.ROOT, "review simulate: general holdout %d frames of %s; replay %.1f per frame, at most %d%n",
                    general.samples().size(), general.cameras(), trainer.replayRatio(), trainer.replayMax());
        }
        if (!picksOnly && !done.contains(key("base", 0, 0))) {
            Map<String, Object> line = head("base", 0, 0);
            line.put("later", ReviewSimulation.scores(sim.score(modelDir, camera.later())));
            line.put("general", ReviewSimulation.scores(sim.scoreLabels(modelDir, general.samples())));
            append(line);
            done.add(key("base", 0, 0));
        }
        for (long seed : picksOnly ? List.of(seeds.get(0)) : seeds) {
            for (int budget : budgets) {
                SimBudget.Picked byRule = picks("rule", frames, review, budget, 0, 0, sim, threshold);
                if (byRule.skipped() != null) {
                    if (seed == seeds.get(0)) {
                        System.out.printf("review simulate: %s, budget %d skipped: %s%n", cameraName, budget, byRule.skipped());
                    }
                    continue;
                }
                for (String rule : rules) {
                    long s = rule.equals("random") || !picksOnly ? seed : 0;
                    if (done.contains(key(rule, budget, s))) {
                        continue;
                    }
                    if ((System.nanoTime() - start) / 60e9 > maxMinutes) {
                        System.out.printf("review simulate: %.0f minutes used; run again to go on%n", maxMinutes);
                        return MORE_TO_DO;
                    }
                    SimBudget.Picked picked = rule.equals("rule") ? byRule
                            : picks(rule, frames, review, budget, byRule.picks().size(), s, sim, threshold);
                    List<Integer> picks = picked.picks();
                    List<SimulatedReviewer.Answer> answers = sim.answers(picks, frames, acceptIou);
                    Map<String, Object> line = head(rule, budget, s);
                    line.put("picked", picks.size());
                    if (picked.perHour() > 0) {
                        line.put("perHour", picked.perHour());
                        line.put("sceneCheck", picked.sceneCheck());
                    }
                    line.put("acceptIou", acceptIou);
                    line.put("effort", ReviewSimulation.effort(answers));
                    line.put("picks", picks);
                    if (!picksOnly) {
                        long t0 = System.nanoTime();
                        Path candidate = cache.resolve("candidate-" + ProcessHandle.current().pid());
                        ReviewSimulation.deleteQuietly(candidate);
                        List<LabelSample> replay = others.replay(picks.size());
                        line.put("replay", replay.size());
                        var fit = sim.train(picks, answers, replay, recipe.withSeed(seed), candidate);
                        line.put("trainSeconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
                        line.put("loss", ReviewSimulation.curve(fit.stepLosses()));
                        line.put("gradNorm", ReviewSimulation.curve(fit.gradNorms()));
                        line.put("later", ReviewSimulation.scores(sim.score(candidate, camera.later())));
                        line.put("general", ReviewSimulation.scores(sim.scoreLabels(candidate, general.samples())));
                        line.put("seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
                        ReviewSimulation.deleteQuietly(candidate);
                    }
                    append(line);
                    done.add(key(rule, budget, s));
                    System.out.println("review simulate: " + Json.MAPPER.writeValueAsString(line).replaceAll(",\"picks\":\\[[^]]*]", ""));
                }
            }
        }
        return 0;
    }

    /**
     * The frames a rule picks to have {@code target} reviewed frames: a picker rule through {@link SimBudget}
     * (N picks, or skipped), random and top frames as many as the service's rule picked.
     */
    private static SimBudget.Picked picks(String rule, List<PickerFrame> frames, ReviewSettings review, int target,
            int ruleCount, long seed, ReviewSimulation sim, float threshold) throws Exception {
        return switch (rule) {
            case "rule" -> SimBudget.pick(frames, review, target, threshold, SceneSignature::of);
            case "random" -> new SimBudget.Picked(ReviewSimulation.random(frames.size(), ruleCount, seed), 0, false, null);
            // the same slots with nothing to tell frames apart: the first frame of each slot (even in time)
            case "uniform" -> SimBudget.pick(strip(frames), review.withMinSceneDistance(0).withMinUncertainty(0), target,
                    threshold, SceneSignature::of);
            case "top" -> new SimBudget.Picked(ReviewSimulation.top(frames, review, ruleCount, threshold), 0, false, null);
            case "no-scene" -> SimBudget.pick(frames, review.withMinSceneDistance(0), target, threshold, SceneSignature::of);
            case "any" -> SimBudget.pick(frames, review.withMinUncertainty(0), target, threshold, SceneSignature::of);
            case "no-tracks" -> SimBudget.pick(sim.frames(false, true), review, target, threshold, SceneSignature::of);
            case "no-below" -> SimBudget.pick(sim.frames(true, false), review, target, threshold, SceneSignature::of);
            default -> throw new IllegalArgumentException("unknown rule " + rule);
        };
    }

    private static List<PickerFrame> strip(List<PickerFrame> frames) {
        return frames.stream().map(f -> new PickerFrame(f.camera(), f.seq(), f.captureTs(), f.width(), f.height(),
                f.model(), List.of(), List.of(), f.picture())).toList();
    }

    private Map<String, Object> head(String rule, int budget, long seed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("camera", cameraName);
        m.put("mode", picksOnly ? "picks" : "retrain");
        m.put("rule", rule);
        m.put("budget", budget);
        m.put("seed", seed);
        return m;
    }

    private String key(String rule, int budget, long seed) {
        return cameraName + "|" + (picksOnly ? "picks" : "retrain") + "|" + rule + "|" + budget + "|" + seed;
    }

    private static Set<String> done(Path file) throws IOException {
        Set<String> out = new HashSet<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        for (String l : Files.readAllLines(file)) {
            if (l.isBlank()) {
                continue;
            }
            JsonNode n = Json.MAPPER.readTree(l);
            out.add(n.path("camera").asText() + "|" + n.path("mode").asText() + "|" + n.path("rule").asText() + "|"
                    + n.path("budget").asInt() + "|" + n.path("seed").asLong());
        }
        return out;
    }

    private void append(Map<String, Object> line) throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, Json.MAPPER.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
