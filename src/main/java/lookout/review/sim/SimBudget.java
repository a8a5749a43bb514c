package lookout.review.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

import lookout.config.ReviewSettings;
import lookout.review.PickerFrame;
import lookout.review.ReviewPicker;

/**
 * How the offline measurement makes a budget of N reviewed frames give N picks of the service's picker
 * ({@link ReviewPicker}, its logic untouched) from a short pool of footage laid out over one simulated
 * hour. Only the simulation's clock and settings adapt:
 * <ol>
 * <li>the hourly budget starts at N (N slots over the hour) and is raised (bisection) until the picker
 * offers at least N, since slots the model is sure of offer nothing;
 * <li>the minimum gap keeps its share of a slot ({@code min-gap} x budget / 1 hour: 30 s of a 3-minute
 * slot at 20 an hour is a sixth of a slot at any budget), so it never caps the picks below N;
 * <li>if even one slot per frame gives fewer than N with the scene check on, the scene check goes off
 * (said in the result): a few seconds of one camera's clip are one scene to a 16x12 thumbnail, which the
 * service, seeing the same seconds in real time, would rightly pick once; the simulation stretches them
 * over an hour only to ask which N of them the rule would choose;
 * <li>when that gives more than N, the N most uncertain of them are kept.
 * </ol>
 * A budget over half the pool is no choice (100 of 120 frames is nearly all of them): it is skipped.
 */
final class SimBudget {
    /** The watched footage is laid out over this much capture time. */
    static final long HOUR_MS = 3_600_000L;

    private SimBudget() {
    }

    /**
     * What the picker picked for a budget.
     *
     * @param picks      indices into the pool, in time order
     * @param perHour    the hourly budget the picker ran at
     * @param sceneCheck whether the scene check was on
     * @param skipped    why the budget was not run (null when it was)
     */
    record Picked(List<Integer> picks, int perHour, boolean sceneCheck, String skipped) {
        static Picked skip(String why) {
            return new Picked(List.of(), 0, false, why);
        }
    }

    /** Why a budget of n frames is no choice from a pool of this size, or null when it is one. */
    static String tooBig(int n, int pool) {
        return 2 * n > pool ? "a budget of " + n + " is over half the " + pool + " watched frames: no choice" : null;
    }

    /** The settings the picker runs at, for this hourly budget on the simulated clock. */
    static ReviewSettings atBudget(ReviewSettings service, int perHour) {
        long gapMs = Math.round(service.minGap().toMillis() * (double) service.budgetPerHour() / perHour);
        return service.withBudget(perHour).withMinGap(Duration.ofMillis(Math.min(service.minGap().toMillis(), gapMs)));
    }

    /**
     * The N frames the service's picker picks, as above.
     *
     * @param frames     the pool, in time order over {@link #HOUR_MS}
     * @param signatures the scene signature of a picture ({@code SceneSignature::of})
     */
    static Picked pick(List<PickerFrame> frames, ReviewSettings service, int n, float threshold,
            Function<byte[], double[]> signatures) {
        String tooBig = tooBig(n, frames.size());
        if (tooBig != null) {
            return Picked.skip(tooBig);
        }
        Picked p = search(frames, service, n, threshold, signatures);
        if (p.picks().size() < n && service.minSceneDistance() > 0) {
            p = search(frames, service.withMinSceneDistance(0), n, threshold, signatures);
            p = new Picked(p.picks(), p.perHour(), false, null);
        }
        if (p.picks().size() < n) {
            return Picked.skip("the picker offers only " + p.picks().size() + " of the " + frames.size()
                    + " watched frames (the rest are under min-uncertainty): fewer than " + n);
        }
        return p;
    }

    /** The smallest hourly budget from n up whose picks reach n (picks grow with the budget, near enough for a bisection). */
    private static Picked search(List<PickerFrame> frames, ReviewSettings service, int n, float threshold,
            Function<byte[], double[]> signatures) {
        int lo = n;
        int hi = Math.max(n, frames.size());
        List<ReviewPicker.Pick> best = run(frames, atBudget(service, hi), threshold, signatures);
        int bestBudget = hi;
        if (best.size() >= n) {
            while (lo < hi) {
                int mid = (lo + hi) / 2;
                List<ReviewPicker.Pick> p = run(frames, atBudget(service, mid), threshold, signatures);
                if (p.size() >= n) {
                    hi = mid;
                    best = p;
                    bestBudget = mid;
                } else {
                    lo = mid + 1;
                }
            }
        }
        return new Picked(mostUncertain(best, n), bestBudget, service.minSceneDistance() > 0, null);
    }

    /** The picks of the service's picker at these settings over the pool. */
    static List<ReviewPicker.Pick> run(List<PickerFrame> frames, ReviewSettings settings, float threshold,
            Function<byte[], double[]> signatures) {
        ReviewPicker picker = new ReviewPicker(settings, threshold, signatures);
        List<ReviewPicker.Pick> picks = new ArrayList<>();
        for (PickerFrame f : frames) {
            picks.addAll(picker.offer(f, f.captureTs()));
        }
        picks.addAll(picker.flushAll(HOUR_MS));
        return picks;
    }

    /** At most n of the picks, the most uncertain (ties: the earlier), as pool indices in time order. */
    static List<Integer> mostUncertain(List<ReviewPicker.Pick> picks, int n) {
        List<ReviewPicker.Pick> ranked = new ArrayList<>(picks);
        ranked.sort(Comparator.comparingDouble((ReviewPicker.Pick p) -> -p.uncertainty().score())
                .thenComparingLong(p -> p.frame().seq()));
        return ranked.subList(0, Math.min(n, ranked.size())).stream().map(p -> (int) p.frame().seq() - 1).sorted()
                .toList();
    }
}
