package lookout.eval;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import lookout.detect.DjlDetector;
import lookout.model.ModelArtifact;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;

/** {@code lookout eval}: COCO-style AP of a model artifact on a labelled folder (person class only). */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a model artifact on a labelled dataset (MOTChallenge sequence or USC sets): AP50, AP@[.5:.95], P/R, ms/frame.")
public class EvalCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "model artifact dir (model.pt + model.json)")
    Path model;

    @Mixin
    DatasetOptions data = new DatasetOptions();

    @Option(names = "--score-threshold", defaultValue = "0.5", description = "operating point for precision/recall (default ${DEFAULT-VALUE})")
    double scoreThreshold;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or gpu:N (default ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--batch", defaultValue = "1", description = "images per inference call (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--class", defaultValue = "person", description = "class to evaluate (default ${DEFAULT-VALUE})")
    String className;

    @Option(names = "--pr-curve", defaultValue = "pr-curve.png", description = "where to write the PR-curve PNG (default ${DEFAULT-VALUE})")
    Path prCurve;

    @Override
    public Integer call() throws Exception {
        ModelArtifact artifact = ModelArtifact.open(model);
        if (artifact.classIndex(className) < 0) {
            System.err.println("model " + artifact + " has no class '" + className + "' (classes: " + artifact.metadata().classes() + ")");
            return 2;
        }
        List<LabelledImage> images = data.load();
        int gt = images.stream().mapToInt(i -> i.boxes().size()).sum();
        System.out.printf(Locale.ROOT, "model %s, %d images, %d GT boxes, device %s%n", artifact, images.size(), gt, device);
        // keep every detection the model emits: AP needs the low-score tail too
        try (DjlDetector detector = DjlDetector.load(artifact, device, 0f)) {
            long t0 = System.nanoTime();
            detector.warmUpAt(widthOf(images), heightOf(images), batch);
            System.out.printf(Locale.ROOT, "warmed up in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            EvaluationRun run = new EvaluationRun(detector, className, batch);
            int every = Math.max(1, images.size() / 10);
            EvaluationRun.Outcome outcome = run.run(images, scoreThreshold, p -> {
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

    private static int widthOf(List<LabelledImage> images) throws DatasetException {
        return images.isEmpty() ? 640 : Datasets.read(images.get(0).path()).width();
    }

    private static int heightOf(List<LabelledImage> images) throws DatasetException {
        return images.isEmpty() ? 480 : Datasets.read(images.get(0).path()).height();
    }
}
