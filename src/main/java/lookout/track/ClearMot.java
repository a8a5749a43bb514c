package lookout.track;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Scores tracker output against ground truth, box overlap as the match criterion (IoU &gt;= 0.5 by
 * default), following py-motmetrics, the reference MOTChallenge scorer.
 *
 * <p>CLEAR-MOT (Bernardin &amp; Stiefelhagen 2008), frame by frame: a ground-truth person keeps the
 * predicted id it was matched to last time if that pair still overlaps enough; the others are paired
 * by the Hungarian method (most pairs, then highest overlap). A match whose predicted id differs
 * from the person's last match (however long ago) is an identity switch. MOTA = 1 - (FN + FP +
 * IDSW) / GT.
 *
 * <p>Identity scores (Ristani et al. 2016): one global one-to-one assignment of ground-truth ids to
 * predicted ids over the whole sequence, maximising the number of frames on which the pair overlaps
 * enough (IDTP); IDF1 = 2 IDTP / (GT + predicted). Unlike MOTA, it punishes a person's track
 * fragmented into several ids for every frame spent under the non-assigned ids, not once per switch.
 */
public final class ClearMot {
    public static final double DEFAULT_MIN_IOU = 0.5;

    private ClearMot() {
    }

    public static MotScore score(Map<Integer, List<IdBox>> gt, Map<Integer, List<IdBox>> pred) {
        return score(gt, pred, DEFAULT_MIN_IOU);
    }

    /** Frames are keyed by number; a frame absent from one side has no boxes there. */
    public static MotScore score(Map<Integer, List<IdBox>> gt, Map<Integer, List<IdBox>> pred, double minIou) {
        SortedSet<Integer> frames = new TreeSet<>(gt.keySet());
        frames.addAll(pred.keySet());
        double maxDistance = 1 - minIou;

        Map<Long, Long> lastMatch = new HashMap<>();
        Map<Long, Map<Long, Long>> overlapFrames = new HashMap<>();
        Map<Long, Integer> gtIdIndex = new HashMap<>();
        Map<Long, Integer> predIdIndex = new HashMap<>();
        long gtBoxes = 0;
        long predBoxes = 0;
        long matches = 0;
        long switches = 0;
        double iouSum = 0;

        for (int frame : frames) {
            List<IdBox> g = gt.getOrDefault(frame, List.of());
            List<IdBox> p = pred.getOrDefault(frame, List.of());
            gtBoxes += g.size();
            predBoxes += p.size();
            double[][] distance = new double[g.size()][p.size()];
            for (int i = 0; i < g.size(); i++) {
                gtIdIndex.putIfAbsent(g.get(i).id(), gtIdIndex.size());
                for (int j = 0; j < p.size(); j++) {
                    distance[i][j] = 1 - g.get(i).box().iou(p.get(j).box());
                    if (distance[i][j] <= maxDistance) {
                        overlapFrames.computeIfAbsent(g.get(i).id(), k -> new HashMap<>())
                                .merge(p.get(j).id(), 1L, Long::sum);
                    }
                }
            }
            for (IdBox b : p) {
                predIdIndex.putIfAbsent(b.id(), predIdIndex.size());
            }

            // 1. keep last frame's correspondences that still hold
            boolean[] gtDone = new boolean[g.size()];
            boolean[] predDone = new boolean[p.size()];
            for (int i = 0; i < g.size(); i++) {
                Long previous = lastMatch.get(g.get(i).id());
                if (previous == null) {
                    continue;
                }
                for (int j = 0; j < p.size(); j++) {
                    if (!predDone[j] && p.get(j).id() == previous && distance[i][j] <= maxDistance) {
                        gtDone[i] = true;
                        predDone[j] = true;
                        matches++;
                        iouSum += 1 - distance[i][j];
                        break;
                    }
                }
            }
            // 2. pair the rest: most pairs, then least total distance
            List<Integer> gtLeft = indicesNotDone(gtDone);
            List<Integer> predLeft = indicesNotDone(predDone);
            if (!gtLeft.isEmpty() && !predLeft.isEmpty()) {
                double[][] sub = new double[gtLeft.size()][predLeft.size()];
                for (int a = 0; a < gtLeft.size(); a++) {
                    for (int b = 0; b < predLeft.size(); b++) {
                        sub[a][b] = distance[gtLeft.get(a)][predLeft.get(b)];
                    }
                }
                int[] match = LinearAssignment.maximumMatching(sub, maxDistance);
                for (int a = 0; a < match.length; a++) {
                    if (match[a] == LinearAssignment.UNMATCHED) {
                        continue;
                    }
                    int i = gtLeft.get(a);
                    int j = predLeft.get(match[a]);
                    long gtId = g.get(i).id();
                    long predId = p.get(j).id();
                    Long previous = lastMatch.put(gtId, predId);
                    if (previous != null && previous != predId) {
                        switches++;
                    }
                    matches++;
                    iouSum += 1 - distance[i][j];
                }
            }
        }

        long falsePositives = predBoxes - matches;
        long misses = gtBoxes - matches;
        double mota = gtBoxes == 0 ? Double.NaN : 1 - (double) (misses + falsePositives + switches) / gtBoxes;
        double motp = matches == 0 ? Double.NaN : iouSum / matches;
        long idtp = identityTruePositives(overlapFrames, gtIdIndex, predIdIndex);
        double idf1 = gtBoxes + predBoxes == 0 ? Double.NaN : 2.0 * idtp / (gtBoxes + predBoxes);
        double idp = predBoxes == 0 ? Double.NaN : (double) idtp / predBoxes;
        double idr = gtBoxes == 0 ? Double.NaN : (double) idtp / gtBoxes;
        return new MotScore(frames.size(), gtBoxes, predBoxes, matches, falsePositives, misses, switches,
                mota, motp, idtp, idf1, idp, idr, gtIdIndex.size(), predIdIndex.size());
    }

    /** The most co-occurring frames any one-to-one assignment of gt ids to predicted ids achieves. */
    private static long identityTruePositives(Map<Long, Map<Long, Long>> overlapFrames, Map<Long, Integer> gtIds,
            Map<Long, Integer> predIds) {
        if (gtIds.isEmpty() || predIds.isEmpty()) {
            return 0;
        }
        double[][] cost = new double[gtIds.size()][predIds.size()];
        overlapFrames.forEach((g, row) -> row.forEach((p, n) -> cost[gtIds.get(g)][predIds.get(p)] = -n));
        int[] match = LinearAssignment.matchBelow(cost, 0);
        long idtp = 0;
        for (int i = 0; i < match.length; i++) {
            if (match[i] != LinearAssignment.UNMATCHED) {
                idtp += (long) -cost[i][match[i]];
            }
        }
        return idtp;
    }

    private static List<Integer> indicesNotDone(boolean[] done) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < done.length; i++) {
            if (!done[i]) {
                out.add(i);
            }
        }
        return out;
    }
}
