package lookout.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import lookout.config.LookoutConfig;
import lookout.config.TrackerSettings;
import lookout.dataset.DatasetException;
import lookout.dataset.LabelledImage;
import lookout.dataset.MotDataset;
import lookout.detections.Appearance;
import lookout.detections.Detection;
import lookout.frames.DecodedImage;
import lookout.frames.FrameDecoder;
import lookout.inference.Detector;
import lookout.track.IdBox;
import lookout.track.MotFiles;
import lookout.track.MotReport;

/**
 * {@code lookout eval --track}: a model and the service's tracker over a MOTChallenge sequence,
 * scored with CLEAR-MOT and IDF1 against the identities of its {@code gt/gt.txt}. The model runs on
 * every (or every Nth) frame and keeps all it detects; each score level then filters and tracks,
 * as a service publishing from that threshold would. The tracker's memory, configured in frames of
 * a camera at {@code lookout.track.frame-rate}, is rescaled to the frames' own rate (the sequence's
 * {@code seqinfo.ini} frameRate over N), so it lasts the same time.
 */
final class TrackingEval {
    /** What the command was asked; see EvalCommand's options. */
    record Request(Path sequence, List<LabelledImage> images, String className, int batch, int every,
            List<Double> minScores, Path detOut) {
    }

    private TrackingEval() {
    }

    static String run(Request r, Detector detector, FrameDecoder decoder, LookoutConfig config) throws Exception {
        Path gtFile = r.sequence().resolve("gt").resolve("gt.txt");
        Map<Integer, List<IdBox>> allGt = MotFiles.readGroundTruth(gtFile);
        // the camera's frame n is the sequence's frame taken n-th: a camera at 1/every of the rate
        List<Integer> frames = new ArrayList<>();
        List<LabelledImage> taken = new ArrayList<>();
        for (int i = 0; i < r.images().size(); i += r.every()) {
            taken.add(r.images().get(i));
            frames.add(frameNumber(r.images().get(i)));
        }
        Map<Integer, List<IdBox>> gt = new TreeMap<>();
        Map<Integer, List<Detection>> det = new TreeMap<>();
        Map<Integer, List<float[]>> looks = new TreeMap<>();
        long nanos = 0;
        for (int start = 0; start < taken.size(); start += r.batch()) {
            List<DecodedImage> batch = new ArrayList<>();
            for (LabelledImage image : taken.subList(start, Math.min(taken.size(), start + r.batch()))) {
                batch.add(image.decode(decoder));
            }
            long t0 = System.nanoTime();
            List<List<Detection>> out = detector.detect(batch);
            nanos += System.nanoTime() - t0;
            for (int i = 0; i < batch.size(); i++) {
                int n = start + i + 1;
                List<Detection> kept = out.get(i).stream().filter(d -> d.label().equals(r.className())).toList();
                det.put(n, kept);
                // the colour descriptors the service computes for the tracker, from the same pixels
                DecodedImage image = batch.get(i);
                looks.put(n, kept.stream().map(d -> Appearance.of(image, d)).toList());
                gt.put(n, allGt.getOrDefault(frames.get(start + i), List.of()));
            }
        }
        if (r.detOut() != null) {
            MotFiles.writeDetections(r.detOut(), det);
        }
        double sequenceFps = MotDataset.frameRate(r.sequence());
        TrackerSettings settings = config.tracker();
        String rate;
        if (sequenceFps > 0) {
            double fps = sequenceFps / r.every();
            settings = settings.atFrameRate(config.trackerFrameRate(), fps);
            rate = String.format(Locale.ROOT, "%.3g fps (sequence %.3g fps, every %d); memory %d frames = %.2f s",
                    fps, sequenceFps, r.every(), settings.maxMissedFrames(), settings.maxMissedFrames() / fps);
        } else {
            rate = "unknown (no frameRate in seqinfo.ini): memory " + settings.maxMissedFrames() + " frames as configured";
        }
        String gtName = gtFile + (r.every() > 1 ? " (every " + r.every() + "th frame)" : "");
        return String.format(Locale.ROOT, "%d frames at %s; model %.1f ms/frame%n", taken.size(), rate,
                nanos / 1e6 / Math.max(1, taken.size()))
                + MotReport.of(gtName, "model", gt, det, looks, settings, r.minScores());
    }

    /** The frame number a MOTChallenge image file is named by (000042.jpg → 42). */
    private static int frameNumber(LabelledImage image) throws DatasetException {
        String name = image.path().getFileName().toString();
        int dot = name.lastIndexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? name : name.substring(0, dot));
        } catch (NumberFormatException e) {
            throw new DatasetException("not a MOTChallenge frame file name: " + image.path());
        }
    }
}
