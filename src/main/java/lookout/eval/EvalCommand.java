package lookout.eval;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import lookout.config.LookoutConfig;
import lookout.dataset.DatasetOptions;
import lookout.dataset.LabelledImage;
import lookout.frames.DecodedImage;
import lookout.frames.FrameDecoder;
import lookout.inference.Detector;
import lookout.inference.DetectorFactory;
import lookout.inference.ModelOptions;
import lookout.model.ModelArtifact;
import lookout.model.ModelMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lookout eval}: COCO-style AP of a model artifact on a labelled folder, for one class; with
 * {@code --track}, CLEAR-MOT and IDF1 of the model plus the service's tracker on a MOT sequence.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a model artifact on a labelled dataset (MOTChallenge sequence, USC sets or YOLO split): "
                + "AP50, AP@[.5:.95], P/R, ms/frame. With --track (MOT sequences): MOTA, IDF1, ID switches of the "
                + "model plus the service's tracker.")
public class EvalCommand implements Callable<Integer> {

    @Mixin
    ModelOptions run = new ModelOptions();

    @Mixin
    DatasetOptions data = new DatasetOptions();

    @Option(names = "--score-threshold", description = "operating point for precision/recall (default: lookout.score-threshold, 0.5)")
    Double scoreThreshold;

    @Option(names = "--batch", defaultValue = "1", description = "images per inference call (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--pr-curve", defaultValue = "pr-curve.png", description = "where to write the PR-curve PNG (default ${DEFAULT-VALUE})")
    Path prCurve;

    @Option(names = "--track", description = "score tracking instead of detection (--format mot): the model on every frame, "
            + "the tracker as configured (lookout.track.*), CLEAR-MOT and IDF1 against gt/gt.txt identities")
    boolean track;

    @Option(names = "--min-score", split = ",", paramLabel = "S", description = "with --track: score levels to track "
            + "from, one row each (default: lookout.score-threshold, what the service publishes)")
    List<Double> minScores;

    @Option(names = "--every", paramLabel = "N",
            description = "with --track: take every Nth frame, as a camera at 1/N of the sequence's rate (default 1)")
    int every = 1;

    @Option(names = "--det-out", paramLabel = "FILE",
            description = "with --track: also write the model's detections (MOTChallenge det format), e.g. for TrackerSweep")
    Path detOut;

    @Override
    public Integer call() throws Exception {
        LookoutConfig config = LookoutConfig.current();
        double threshold = scoreThreshold != null ? scoreThreshold : config.detector().scoreThreshold();
        String className = data.className();
        ModelArtifact artifact = run.open();
        if (artifact.classIndex(className) < 0) {
            System.err.println("model " + artifact + " has no class '" + className + "' (classes: " + artifact.metadata().classes() + ")");
            return 2;
        }
        FrameDecoder decoder = new FrameDecoder(config.frameLimits());
        if (track && !"mot".equals(data.format)) {
            System.err.println("lookout eval: --track needs --format mot (a sequence whose gt/gt.txt carries identities)");
            return 2;
        }
        if (every < 1) {
            System.err.println("lookout eval: --every must be at least 1, got " + every);
            return 2;
        }
        List<LabelledImage> images = data.load();
        if (track) {
            try (Detector detector = DetectorFactory.DJL.open(artifact, run.device)) {
                detector.warmUp(warmUpSize(images, decoder), batch);
                System.out.printf(Locale.ROOT, "model %s, device %s, tracking %s%n", artifact, run.device, data.dir);
                System.out.print(TrackingEval.run(new TrackingEval.Request(data.dir, images, className, Math.max(1, batch),
                        every, minScores != null ? minScores : List.of((double) config.detector().scoreThreshold()),
                        detOut), detector, decoder, config));
            }
            return 0;
        }
        int gt = images.stream().mapToInt(i -> i.boxes().size()).sum();
        System.out.printf(Locale.ROOT, "model %s, %d images, %d GT boxes, device %s%n", artifact, images.size(), gt, run.device);
        // keep every detection the model emits: AP needs the low-score tail too
        try (Detector detector = DetectorFactory.DJL.open(artifact, run.device)) {
            long t0 = System.nanoTime();
            detector.warmUp(warmUpSize(images, decoder), batch);
            System.out.printf(Locale.ROOT, "warmed up in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            EvaluationRun run = new EvaluationRun(detector, className, batch);
            int every = Math.max(1, images.size() / 10);
            List<EvaluationRun.Sample> samples = images.stream()
                    .map(i -> new EvaluationRun.Sample(() -> i.decode(decoder), i.boxes())).toList();
            EvaluationRun.Outcome outcome = run.run(samples, threshold, p -> {
                if (p.done() % every < batch || p.done() == p.total()) {
                    System.out.printf(Locale.ROOT, "  %d/%d images, %.1f ms/frame%n", p.done(), p.total(), p.msPerFrame());
                }
            });
            EvaluationResult r = outcome.result();
            System.out.println();
            System.out.println("| metric | value |");
            System.out.println("|---|---|");
            row("AP50", r.ap50());
            row("AP@[.5:.95]", r.ap());
            row("AP75", r.ap75());
            row(String.format(Locale.ROOT, "precision@%.2f", r.scoreThreshold()), r.precision());
            row(String.format(Locale.ROOT, "recall@%.2f", r.scoreThreshold()), r.recall());
            row(String.format(Locale.ROOT, "F1@%.2f", r.scoreThreshold()), r.f1());
            System.out.printf(Locale.ROOT, "| images | %d |%n| GT boxes | %d |%n| detections | %d |%n| ms/frame | %.1f |%n",
                    r.images(), r.groundTruth(), r.detections(), outcome.msPerFrame());
            PrCurveWriter.write(r, artifact.metadata().name() + " v" + artifact.metadata().version() + " on "
                    + data.dir.toAbsolutePath().normalize().getFileName() + (data.frames == null ? "" : " frames " + data.frames), prCurve);
            System.out.println("PR curve: " + prCurve.toAbsolutePath());
        }
        return 0;
    }

    private static void row(String name, double value) {
        System.out.printf(Locale.ROOT, "| %s | %.4f |%n", name, value);
    }

    /** The dataset's own frame size (its first image), so warm-up runs the shapes the evaluation will. */
    private ModelMetadata.Size warmUpSize(List<LabelledImage> images, FrameDecoder decoder) throws Exception {
        if (images.isEmpty()) {
            return run.open().metadata().nominalSize();
        }
        DecodedImage first = images.get(0).decode(decoder);
        return new ModelMetadata.Size(first.width(), first.height());
    }
}
