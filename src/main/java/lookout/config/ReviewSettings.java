package lookout.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Frames picked for a person to label, and the review page ({@code lookout.review.*}, serve and demo).
 *
 * @param enabled          pick frames in the detector's topology onto {@code lookout.review} and serve the
 *                         review page ({@code /review.html}, its data under {@code /api/review})
 * @param budgetPerHour    frames per camera per hour at most (one per slot of an hour / budget)
 * @param cameraBudgets    per-camera budgets that differ from the default; 0 = that camera is never picked
 * @param minGap           capture time between two picks of one camera at least
 * @param minUncertainty   a frame is a candidate only when its uncertainty reaches this (0 = any analysed frame)
 * @param below            how far under the score threshold a detection still counts as "near" it
 * @param above            how far over the score threshold a detection still counts as "near" it
 * @param countJump        a change of at least this many people between neighbouring analysed frames counts
 * @param borderMargin     a track that vanishes farther than this fraction of the frame from its border counts as lost
 * @param minSceneDistance a candidate whose 16x12 grey picture differs from a recent pick's by less than this
 *                         mean grey level (0..255) is too alike to be worth a person's time (0 = no check)
 * @param recentScenes     how many recent picks a candidate is compared with
 * @param idleFlush        a camera silent this long has its slot's best frame sent without waiting for its next frame
 * @param maxPending       review items the page keeps in memory (the newest); older ones stay on the topic
 */
public record ReviewSettings(boolean enabled, int budgetPerHour, Map<String, Integer> cameraBudgets, Duration minGap,
        double minUncertainty, double below, double above, int countJump, double borderMargin,
        double minSceneDistance, int recentScenes, Duration idleFlush, int maxPending) {

    public ReviewSettings {
        cameraBudgets = Map.copyOf(cameraBudgets);
        if (budgetPerHour < 0 || cameraBudgets.values().stream().anyMatch(b -> b < 0)) {
            throw new IllegalArgumentException("lookout.review: budgets are frames per hour, 0 or more");
        }
        if (below < 0 || above <= 0 || countJump < 1 || borderMargin < 0 || borderMargin >= 0.5 || recentScenes < 0
                || maxPending < 1 || minSceneDistance < 0 || minUncertainty < 0) {
            throw new IllegalArgumentException("lookout.review: below >= 0, above > 0, count-jump >= 1, border-margin in"
                    + " [0, 0.5), recent-scenes >= 0, max-pending >= 1, min-scene-distance >= 0, min-uncertainty >= 0");
        }
    }

    /** The camera's budget, frames per hour (0 = not picked). */
    public int budget(String camera) {
        return cameraBudgets.getOrDefault(camera, budgetPerHour);
    }

    /** The same settings with another default budget. */
    public ReviewSettings withBudget(int perHour) {
        return with(b -> b.budgetPerHour = perHour);
    }

    public ReviewSettings withEnabled(boolean on) {
        return with(b -> b.enabled = on);
    }

    /** The same settings with another scene check (0 = off). */
    public ReviewSettings withMinSceneDistance(double d) {
        return with(b -> b.minSceneDistance = d);
    }

    public ReviewSettings withMinUncertainty(double u) {
        return with(b -> b.minUncertainty = u);
    }

    public ReviewSettings withMinGap(Duration gap) {
        return with(b -> b.minGap = gap);
    }

    /** A copy with changes: every wither goes through here, so a new field is added in one place. */
    private ReviewSettings with(java.util.function.Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return new ReviewSettings(c.enabled, c.budgetPerHour, cameraBudgets, c.minGap, c.minUncertainty, below, above,
                countJump, borderMargin, c.minSceneDistance, recentScenes, idleFlush, maxPending);
    }

    private static final class Copy {
        boolean enabled;
        int budgetPerHour;
        Duration minGap;
        double minUncertainty;
        double minSceneDistance;

        Copy(ReviewSettings s) {
            enabled = s.enabled;
            budgetPerHour = s.budgetPerHour;
            minGap = s.minGap;
            minUncertainty = s.minUncertainty;
            minSceneDistance = s.minSceneDistance;
        }
    }

    /**
     * {@code cam=budget,cam=budget} (spaces allowed; empty = none).
     *
     * @throws IllegalArgumentException naming the entry that is not {@code camera=N}
     */
    public static Map<String, Integer> parseCameraBudgets(String text) {
        Map<String, Integer> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String entry : text.split(",")) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.lastIndexOf('=');
            try {
                if (eq <= 0) {
                    throw new NumberFormatException();
                }
                out.put(e.substring(0, eq).trim(), Integer.parseInt(e.substring(eq + 1).trim()));
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("lookout.review.camera-budgets: \"" + e
                        + "\" is not camera=frames-per-hour (e.g. door=0,hall=40)");
            }
        }
        return out;
    }
}
