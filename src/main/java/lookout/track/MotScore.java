package lookout.track;

import java.util.Locale;

/**
 * CLEAR-MOT and identity scores of one sequence; see {@link ClearMot}.
 *
 * @param frames       frames scored
 * @param gtBoxes      ground-truth boxes over all frames
 * @param predBoxes    predicted (tracked) boxes over all frames
 * @param matches      per-frame correspondences (IoU &gt;= the gate)
 * @param falsePositives predicted boxes left unmatched
 * @param misses       ground-truth boxes left unmatched (false negatives)
 * @param idSwitches   a ground-truth person matched to a different id than at their last match
 * @param mota         1 - (misses + falsePositives + idSwitches) / gtBoxes
 * @param motp         mean IoU of the matches (MOTChallenge's convention: higher is better)
 * @param idtp         boxes on which the globally assigned identities agree
 * @param idf1         2 IDTP / (gtBoxes + predBoxes)
 * @param idp          IDTP / predBoxes
 * @param idr          IDTP / gtBoxes
 * @param gtIds        distinct ground-truth identities
 * @param predIds      distinct predicted identities
 */
public record MotScore(
        int frames,
        long gtBoxes,
        long predBoxes,
        long matches,
        long falsePositives,
        long misses,
        long idSwitches,
        double mota,
        double motp,
        long idtp,
        double idf1,
        double idp,
        double idr,
        int gtIds,
        int predIds) {

    public long idfp() {
        return predBoxes - idtp;
    }

    public long idfn() {
        return gtBoxes - idtp;
    }

    public String toJson() {
        return String.format(Locale.ROOT,
                "{\"mota\":%s,\"idf1\":%s,\"idp\":%s,\"idr\":%s,\"motp\":%s,\"idSwitches\":%d,\"falsePositives\":%d,"
                        + "\"misses\":%d,\"matches\":%d,\"gtBoxes\":%d,\"predBoxes\":%d,\"idtp\":%d,\"idfp\":%d,\"idfn\":%d,"
                        + "\"gtIds\":%d,\"predIds\":%d,\"frames\":%d}",
                num(mota), num(idf1), num(idp), num(idr), num(motp), idSwitches, falsePositives, misses, matches,
                gtBoxes, predBoxes, idtp, idfp(), idfn(), gtIds, predIds, frames);
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "null";
    }
}
