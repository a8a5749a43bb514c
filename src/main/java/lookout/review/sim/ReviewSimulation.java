package lookout.review.sim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.core.type.TypeReference;

import lookout.common.Json;
import lookout.common.Sha256;
import lookout.config.ReviewSettings;
import lookout.config.TrackerSettings;
import lookout.dataset.Box;
import lookout.dataset.LabelledImage;
import lookout.detections.Detection;
import lookout.detections.DetectionRecord;
import lookout.detections.StageHeaders;
import lookout.eval.EvaluationResult;
import lookout.eval.EvaluationRun;
import lookout.finetune.FineTuneConfig;
import lookout.finetune.FineTuneResult;
import lookout.finetune.FineTuner;
import lookout.finetune.TrainingSample;
import lookout.frames.FrameDecoder;
import lookout.inference.Detector;
import lookout.inference.DetectorFactory;
import lookout.labels.LabelSample;
import lookout.model.ModelArtifact;
import lookout.review.PickerFrame;
import lookout.review.SimulatedReviewer;
import lookout.track.ByteTracker;
import lookout.track.TrackedDetection;

/**
 * The offline measurement of the review loop on one camera: the model's detections over the watched
 * frames (computed once, cached), the service's tracker and picker run over them as the topology would
 * (the watched footage spread over one hour of capture time; {@link SimBudget} makes a budget of N
 * give N picks), a simulated reviewer answering each pick from the ground truth, a fine-tune on the
 * answers plus the trainer's replay of other cameras' frames ({@link SimOthers}) with the trainer's
 * recipe, and the retrained model scored on the camera's later frames and on the trainer's general
 * holdout. The same number of uniformly random watched frames, answered and trained the same way, is
 * the baseline.
 */
final class ReviewSimulation {
    private final SimCamera camera;
    private final Path modelDir;
    private final FrameDecoder decoder;
    private final float threshold;
    private final String className;
    private final TrackerSettings tracker;
    private List<List<Detection>> detections;

    ReviewSimulation(SimCamera camera, Path modelDir, FrameDecoder decoder, float threshold, String className,
            TrackerSettings tracker) {
        this.camera = camera;
        this.modelDir = modelDir;
        this.decoder = decoder;
        this.threshold = threshold;
        this.className = className;
        this.tracker = tracker;
    }

    /** Every detection the model emits on each watched frame, from the cache when it holds this model's. */
    List<List<Detection>> detections(Path cacheDir) throws Exception {
        if (detections != null) {
            return detections;
        }
        String modelSha = Sha256.hex(modelDir.resolve(ModelArtifact.MODEL_FILE)).substring(0, 12);
        Path cache = cacheDir.resolve(camera.name() + "-" + modelSha + "-detections.json");
        if (Files.isRegularFile(cache)) {
            detections = Json.MAPPER.readValue(cache.toFile(), new TypeReference<List<List<Detection>>>() { });
            if (detections.size() == camera.pool().size()) {
                return detections;
            }
        }
        List<List<Detection>> out = new ArrayList<>();
        try (Detector detector = DetectorFactory.DJL.open(modelDir, "cpu")) {
            for (LabelledImage image : camera.pool()) {
                out.add(detector.detect(List.of(image.decode(decoder))).get(0));
            }
        }
        Files.createDirectories(cacheDir);
        Json.MAPPER.writeValue(cache.toFile(), out);
        detections = out;
        return out;
    }

    /** What a picker sees of each watched frame: the tracker's output over the published detections, plus the ones just under. */
    List<PickerFrame> frames(boolean tracks, boolean below) throws Exception {
        List<PickerFrame> out = new ArrayList<>();
        ByteTracker t = new ByteTracker(tracker);
        DetectionRecord.ModelRef model = new DetectionRecord.ModelRef("sim", "1");
        long step = SimBudget.HOUR_MS / camera.pool().size();
        for (int i = 0; i < camera.pool().size(); i++) {
            LabelledImage image = camera.pool().get(i);
            List<Detection> all = detections.get(i);
            List<Detection> published = all.stream().filter(d -> d.score() >= threshold)
                    .sorted((a, b) -> Float.compare(b.score(), a.score())).toList();
            List<Detection> under = !below ? List.of() : all.stream()
                    .filter(d -> d.score() < threshold && d.score() >= threshold - StageHeaders.BELOW_BAND)
                    .sorted((a, b) -> Float.compare(b.score(), a.score())).toList();
            List<TrackedDetection> tracked = t.update(published, i + 1);
            List<DetectionRecord.Item> items = new ArrayList<>();
            for (TrackedDetection td : tracked) {
                Detection d = td.detection();
                items.add(new DetectionRecord.Item(d.label(), d.score(), d.box(),
                        tracks && td.tracked() ? td.trackId() : null));
            }
            byte[] picture = image.bytes();
            var size = FrameDecoder.headerSize(picture);
            out.add(new PickerFrame(camera.name(), i + 1, i * step, (int) size.width(), (int) size.height(), model,
                    items, under, picture));
        }
        return out;
    }

    /** The n frames with the highest uncertainty, wherever they are (offline only: no picker can know the future). */
    static List<Integer> top(List<PickerFrame> frames, ReviewSettings settings, int n, float threshold) {
        // every frame its own slot, no gap, no scene check, no floor: each frame comes out with its uncertainty
        ReviewSettings all = settings.withBudget(3_600_000).withMinGap(java.time.Duration.ZERO).withMinSceneDistance(0)
                .withMinUncertainty(0);
        return SimBudget.mostUncertain(SimBudget.run(frames, all, threshold, p -> null), n);
    }

    /** n watched frames drawn uniformly at random. */
    static List<Integer> random(int poolSize, int n, long seed) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < poolSize; i++) {
            all.add(i);
        }
        Collections.shuffle(all, new Random(seed));
        return all.subList(0, Math.min(n, poolSize)).stream().sorted().toList();
    }

    /**
     * The simulated reviewer's answers to the picked frames (the model's published boxes offered, the truth
     * known), accepting a model box as it is at IoU {@code acceptIou} with the truth or more.
     */
    List<SimulatedReviewer.Answer> answers(List<Integer> picks, List<PickerFrame> frames, double acceptIou) {
        List<SimulatedReviewer.Answer> out = new ArrayList<>();
        for (int i : picks) {
            List<Box> offered = detections.get(i).stream().filter(d -> d.score() >= threshold)
                    .map(d -> new Box(d.x1(), d.y1(), d.x2(), d.y2())).toList();
            out.add(SimulatedReviewer.answer(offered, camera.pool().get(i).boxes(), frames.get(i).width(),
                    frames.get(i).height(), acceptIou));
        }
        return out;
    }

    /** What the reviewer did over the picks: boxes accepted, moved, added, deleted; page actions. */
    static Map<String, Object> effort(List<SimulatedReviewer.Answer> answers) {
        int accepted = 0;
        int moved = 0;
        int added = 0;
        int deleted = 0;
        int actions = 0;
        int corrected = 0;
        for (SimulatedReviewer.Answer a : answers) {
            accepted += a.accepted();
            moved += a.moved();
            added += a.added();
            deleted += a.deleted();
            actions += a.pageActions();
            corrected += a.corrections() > 0 ? 1 : 0;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("frames", answers.size());
        m.put("accepted", accepted);
        m.put("moved", moved);
        m.put("added", added);
        m.put("deleted", deleted);
        m.put("corrections", moved + added + deleted);
        m.put("framesCorrected", corrected);
        m.put("actions", actions);
        return m;
    }

    /**
     * Fine-tunes the model on the answered picks plus the replay sample (other cameras' training-side
     * frames) with the trainer's recipe; its step losses (the candidate is written to {@code out}).
     */
    FineTuneResult train(List<Integer> picks, List<SimulatedReviewer.Answer> answers, List<LabelSample> replay,
            FineTuneConfig recipe, Path out) throws Exception {
        List<TrainingSample> samples = new ArrayList<>();
        for (int k = 0; k < picks.size(); k++) {
            LabelledImage image = camera.pool().get(picks.get(k));
            byte[] bytes = image.bytes();
            samples.add(new TrainingSample("review/" + camera.name() + "/" + image.id(), Sha256.hex(bytes),
                    image.decode(decoder, bytes), answers.get(k).boxes()));
        }
        for (LabelSample s : replay) { // as the trainer's DjlFineTuneTrainer turns a label into a training sample
            samples.add(new TrainingSample(s.id(), Sha256.hex(s.image()), decoder.decode(s.image()), s.boxes()));
        }
        return new FineTuner(recipe, null).run(ModelArtifact.open(modelDir), samples, out);
    }

    /**
     * A retrain's per-step curve (its loss, its gradient norm) in a result line: the first and last step,
     * the largest step, and the mean of each tenth of the steps (a run that went astray shows where,
     * without its thousands of steps).
     */
    static Map<String, Object> curve(List<Double> l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("first", round3(l.isEmpty() ? Double.NaN : l.get(0)));
        m.put("last", round3(l.isEmpty() ? Double.NaN : l.get(l.size() - 1)));
        m.put("max", round3(l.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN)));
        List<Double> tenths = new ArrayList<>();
        for (int k = 0; k < 10 && !l.isEmpty(); k++) {
            List<Double> part = l.subList(k * l.size() / 10, Math.max(k * l.size() / 10 + 1, (k + 1) * l.size() / 10));
            tenths.add(round3(part.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN)));
        }
        m.put("tenths", tenths);
        return m;
    }

    private static double round3(double v) {
        return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : v;
    }

    /** AP50 and AP of a model on labelled images. */
    EvaluationResult score(Path model, List<LabelledImage> images) throws Exception {
        List<EvaluationRun.Sample> samples = new ArrayList<>();
        for (LabelledImage i : images) {
            samples.add(new EvaluationRun.Sample(() -> i.decode(decoder), i.boxes()));
        }
        return evaluate(model, samples);
    }

    /** AP50 and AP of a model on labels (the general holdout). */
    EvaluationResult scoreLabels(Path model, List<LabelSample> labels) throws Exception {
        List<EvaluationRun.Sample> samples = new ArrayList<>();
        for (LabelSample s : labels) {
            samples.add(new EvaluationRun.Sample(() -> decoder.decode(s.image()), s.boxes()));
        }
        return evaluate(model, samples);
    }

    private EvaluationResult evaluate(Path model, List<EvaluationRun.Sample> samples) throws Exception {
        try (Detector detector = DetectorFactory.DJL.open(model, "cpu")) {
            return new EvaluationRun(detector, className, 2).run(samples, threshold, p -> { }).result();
        }
    }

    static Map<String, Object> scores(EvaluationResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ap50", Math.round(r.ap50() * 10000) / 10000.0);
        m.put("ap", Math.round(r.ap() * 10000) / 10000.0);
        m.put("images", r.images());
        m.put("boxes", r.groundTruth());
        return m;
    }

    static void deleteQuietly(Path dir) {
        try {
            lookout.common.FileTrees.delete(dir);
        } catch (IOException e) {
            // scratch space: left for the next run's clean-up
        }
    }
}
