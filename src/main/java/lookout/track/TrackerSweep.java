package lookout.track;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import lookout.config.TrackerSettings;
import lookout.detect.Detection;

/**
 * How {@link TrackerSettings#defaults()} were chosen: a grid over the settings on one sequence
 * (the tuning one, never the held-out one), ranked by (MOTA + IDF1) / 2, best first.
 *
 * <pre>java -cp target/classes lookout.track.TrackerSweep --gt SEQ_DIR_OR_GT_TXT --det DET_TXT [--top 20]</pre>
 */
public final class TrackerSweep {
    static final double[] HIGH = {0.5, 0.6, 0.7, 0.8, 0.9};
    static final double[] NEW_TRACK_MARGIN = {0, 0.1};
    static final double[] LOW = {0.1, 0.3};
    static final double[] MATCH_IOU = {0.1, 0.2, 0.3};
    static final double[] LOW_MATCH_IOU = {0.3, 0.5};
    static final int[] MAX_MISSED = {10, 30, 60};
    static final int[] MIN_HITS = {1, 2, 3};

    private TrackerSweep() {
    }

    public record Result(TrackerSettings settings, MotScore score) {
        double rank() {
            return (score.mota() + score.idf1()) / 2;
        }
    }

    public static List<Result> sweep(Map<Integer, List<IdBox>> gt, Map<Integer, List<Detection>> det) {
        List<Result> out = new ArrayList<>();
        for (double high : HIGH) {
            for (double margin : NEW_TRACK_MARGIN) {
                for (double low : LOW) {
                    for (double iou : MATCH_IOU) {
                        for (double lowIou : LOW_MATCH_IOU) {
                            for (int missed : MAX_MISSED) {
                                for (int hits : MIN_HITS) {
                                    var s = new TrackerSettings(high, low, Math.min(1, high + margin), iou, lowIou, missed, hits);
                                    out.add(new Result(s, TrackEvaluation.run(gt, det, s)));
                                }
                            }
                        }
                    }
                }
            }
        }
        out.sort(Comparator.comparingDouble(Result::rank).reversed());
        return out;
    }

    public static void main(String[] args) {
        Path gt = null;
        Path det = null;
        int top = 20;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--gt" -> gt = Path.of(args[i + 1]);
                case "--det" -> det = Path.of(args[i + 1]);
                case "--top" -> top = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (gt == null || det == null) {
            System.err.println("usage: TrackerSweep --gt SEQ_DIR|gt.txt --det det.txt [--top N]");
            System.exit(2);
        }
        if (Files.isDirectory(gt)) {
            gt = gt.resolve("gt").resolve("gt.txt");
        }
        List<Result> results = sweep(MotFiles.readGroundTruth(gt), MotFiles.readDetections(det, "person"));
        System.out.printf(Locale.ROOT, "%6s %6s %6s %5s %5s %5s | %5s %5s %5s %5s %6s %6s %5s%n",
                "rank", "MOTA", "IDF1", "IDsw", "FP", "FN", "high", "new", "low", "iou", "lowIou", "missed", "hits");
        for (Result r : results.subList(0, Math.min(top, results.size()))) {
            MotScore m = r.score();
            TrackerSettings s = r.settings();
            System.out.printf(Locale.ROOT, "%6.4f %6.3f %6.3f %5d %5d %5d | %5.2f %5.2f %5.2f %5.2f %6.2f %6d %5d%n",
                    r.rank(), m.mota(), m.idf1(), m.idSwitches(), m.falsePositives(), m.misses(), s.highScore(),
                    s.newTrackScore(), s.lowScore(), s.matchIou(), s.lowMatchIou(), s.maxMissedFrames(), s.minHits());
        }
        System.out.println(results.size() + " settings tried");
    }
}
