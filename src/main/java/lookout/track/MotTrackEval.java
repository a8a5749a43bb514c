package lookout.track;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import lookout.detect.Detection;

/**
 * Tracking accuracy from files, independent of any detector: a MOTChallenge ground truth and a
 * detections file in MOTChallenge det format in, MOTA/IDF1/ID switches/FP/FN/MOTP out, as a table
 * and as one JSON line. Several {@code --min-score} levels give one row each (detections below the
 * level dropped before tracking, as a service publishing only above a threshold would).
 *
 * <pre>java -cp target/classes lookout.track.MotTrackEval --gt SEQ_DIR_OR_GT_TXT --det DET_TXT
 *     [--min-score 0.05,0.3,0.5] [--high 0.6] [--low 0.1] [--new-track 0.7] [--match-iou 0.2]
 *     [--low-match-iou 0.5] [--max-missed 30] [--min-hits 2] [--out TRACKS_TXT]</pre>
 * {@code --out} writes the tracker's output (at the first {@code --min-score} level) in MOTChallenge
 * result format, for any other MOTChallenge scorer.
 */
public final class MotTrackEval {
    private MotTrackEval() {
    }

    public static void main(String[] args) {
        try {
            System.out.print(run(args));
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println("usage: MotTrackEval --gt SEQ_DIR|gt.txt --det det.txt [--min-score a,b,...] [--high S]"
                    + " [--low S] [--new-track S] [--match-iou I] [--low-match-iou I] [--max-missed N] [--min-hits N] [--out tracks.txt]");
            System.exit(2);
        }
    }

    /** The report for the given arguments (table, then a JSON line). */
    static String run(String[] args) {
        Path gt = null;
        Path det = null;
        Path outFile = null;
        List<Double> minScores = new ArrayList<>(List.of(0.0));
        TrackerSettings s = TrackerSettings.defaults();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            String v = args[++i];
            switch (name) {
                case "--gt" -> gt = Path.of(v);
                case "--det" -> det = Path.of(v);
                case "--out" -> outFile = Path.of(v);
                case "--min-score" -> {
                    minScores.clear();
                    for (String level : v.split(",")) {
                        minScores.add(Double.parseDouble(level));
                    }
                }
                case "--high" -> s = s.withHighScore(Double.parseDouble(v));
                case "--low" -> s = s.withLowScore(Double.parseDouble(v));
                case "--new-track" -> s = s.withNewTrackScore(Double.parseDouble(v));
                case "--match-iou" -> s = s.withMatchIou(Double.parseDouble(v));
                case "--low-match-iou" -> s = s.withLowMatchIou(Double.parseDouble(v));
                case "--max-missed" -> s = s.withMaxMissedFrames(Integer.parseInt(v));
                case "--min-hits" -> s = s.withMinHits(Integer.parseInt(v));
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        if (gt == null || det == null) {
            throw new IllegalArgumentException("--gt and --det are required");
        }
        if (Files.isDirectory(gt)) {
            gt = gt.resolve("gt").resolve("gt.txt");
        }
        Map<Integer, List<IdBox>> gtFrames = MotFiles.readGroundTruth(gt);
        Map<Integer, List<Detection>> detFrames = MotFiles.readDetections(det, "person");

        if (outFile != null) {
            MotFiles.writeTracks(outFile, TrackEvaluation.track(gtFrames, TrackEvaluation.atLeast(detFrames, minScores.get(0)), s));
        }
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "gt  %s%ndet %s%nsettings %s%n", gt, det, s));
        table.append(String.format(Locale.ROOT, "%-9s %6s %6s %6s %6s %6s %5s %5s %5s %6s %7s%n",
                "minScore", "MOTA", "IDF1", "IDP", "IDR", "MOTP", "IDsw", "FP", "FN", "GT", "ids"));
        StringBuilder json = new StringBuilder();
        json.append(String.format(Locale.ROOT, "{\"gt\":\"%s\",\"det\":\"%s\",\"settings\":%s,\"results\":[",
                escape(gt.toString()), escape(det.toString()), settingsJson(s)));
        for (int n = 0; n < minScores.size(); n++) {
            double level = minScores.get(n);
            MotScore m = TrackEvaluation.run(gtFrames, TrackEvaluation.atLeast(detFrames, level), s);
            table.append(String.format(Locale.ROOT, "%-9.2f %6.3f %6.3f %6.3f %6.3f %6.3f %5d %5d %5d %6d %3d/%-3d%n",
                    level, m.mota(), m.idf1(), m.idp(), m.idr(), m.motp(), m.idSwitches(), m.falsePositives(),
                    m.misses(), m.gtBoxes(), m.predIds(), m.gtIds()));
            json.append(n == 0 ? "" : ",")
                    .append(String.format(Locale.ROOT, "{\"minScore\":%.4f,\"score\":%s}", level, m.toJson()));
        }
        json.append("]}");
        return table + "ids = predicted/ground-truth identities; MOTP = mean IoU of matches\n" + json + "\n";
    }

    private static String settingsJson(TrackerSettings s) {
        return String.format(Locale.ROOT,
                "{\"highScore\":%s,\"lowScore\":%s,\"newTrackScore\":%s,\"matchIou\":%s,\"lowMatchIou\":%s,"
                        + "\"maxMissedFrames\":%d,\"minHits\":%d}",
                s.highScore(), s.lowScore(), s.newTrackScore(), s.matchIou(), s.lowMatchIou(), s.maxMissedFrames(), s.minHits());
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
