package lookout.track;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import lookout.config.TrackerSettings;
import lookout.detections.Detection;

/**
 * The CLEAR-MOT report of a tracker run over one sequence: a table (MOTA, IDF1, IDP, IDR, MOTP, ID
 * switches, FP, FN, identities) with one row per score level (detections below the level dropped
 * before tracking, as a service publishing only above a threshold would), then the same as one
 * JSON line. Used by {@code lookout eval --track}; {@link TrackerSweep} ranks settings on the same scores.
 */
public final class MotReport {
    private MotReport() {
    }

    /** Without colour descriptors: boxes only. */
    public static String of(String gtName, String detName, Map<Integer, List<IdBox>> gtFrames,
            Map<Integer, List<Detection>> detFrames, TrackerSettings s, List<Double> minScores) {
        return of(gtName, detName, gtFrames, detFrames, null, s, minScores);
    }

    /**
     * @param gtName  what the ground truth is (for the header)
     * @param detName where the detections came from (a model, a file)
     * @param looks   each detection's colour descriptor, per frame in detection order (null: none)
     */
    public static String of(String gtName, String detName, Map<Integer, List<IdBox>> gtFrames,
            Map<Integer, List<Detection>> detFrames, Map<Integer, List<float[]>> looks, TrackerSettings s,
            List<Double> minScores) {
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "gt  %s%ndet %s%nsettings %s%n", gtName, detName, s));
        table.append(String.format(Locale.ROOT, "%-9s %6s %6s %6s %6s %6s %5s %5s %5s %6s %7s%n",
                "minScore", "MOTA", "IDF1", "IDP", "IDR", "MOTP", "IDsw", "FP", "FN", "GT", "ids"));
        StringBuilder json = new StringBuilder();
        json.append(String.format(Locale.ROOT, "{\"gt\":\"%s\",\"det\":\"%s\",\"settings\":%s,\"results\":[",
                escape(gtName), escape(detName), settingsJson(s)));
        for (int n = 0; n < minScores.size(); n++) {
            double level = minScores.get(n);
            MotScore m = TrackEvaluation.run(gtFrames, TrackEvaluation.atLeast(detFrames, level),
                    TrackEvaluation.looksAtLeast(detFrames, looks, level), s);
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
                        + "\"maxMissedFrames\":%d,\"minHits\":%d,\"appearanceWeight\":%s,\"appearanceGate\":%s,"
                        + "\"reidDistance\":%s}",
                s.highScore(), s.lowScore(), s.newTrackScore(), s.matchIou(), s.lowMatchIou(), s.maxMissedFrames(),
                s.minHits(), s.appearanceWeight(), s.appearanceGate(), s.reidDistance());
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
