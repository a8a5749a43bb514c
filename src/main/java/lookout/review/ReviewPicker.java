package lookout.review;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import lookout.config.ReviewSettings;

/**
 * Picks, per camera, the frames worth a person's time, at a bounded rate and spread over time:
 * <ol>
 * <li>each analysed frame gets an {@link Uncertainty} (near-threshold scores, lost and regained tracks,
 * count jumps);
 * <li>a camera's hour is cut into {@code budget} slots (epoch-aligned, by capture time); within a slot
 * the picker holds the most uncertain frame so far (ties: the earlier), among frames that reach
 * {@code min-uncertainty}, lie at least {@code min-gap} after the camera's last pick and do not look
 * like one of its recent picks (a 16x12 grey {@link SceneSignature} within {@code min-scene-distance});
 * <li>when the camera's next frame falls in a later slot, or the camera has been silent for
 * {@code idle-flush}, the held frame is the slot's pick.
 * </ol>
 * So a camera sends at most {@code budget} frames an hour, one per slot, each the slot's most doubtful
 * frame, never two of one minute and never the same scene twice in a row. Not thread-safe: one
 * instance per stream task (the cameras of one partition).
 *
 * <p>The held frame lives in memory only (its picture can be megabytes; a changelog of it would cost
 * more than it saves): a restart or rebalance loses the slot's candidate and the recent scenes, so a
 * camera can get one extra pick per restart, never a burst.
 */
public final class ReviewPicker {
    /** A frame picked, and why. */
    public record Pick(PickerFrame frame, Uncertainty uncertainty, long pickedAt) {
    }

    private final ReviewSettings settings;
    private final float threshold;
    private final Function<byte[], double[]> signatures;
    private final Map<String, CameraState> cameras = new HashMap<>();

    /**
     * @param threshold  the score threshold the detector publishes at ({@code lookout.score-threshold})
     * @param signatures the scene signature of a picture (or null when it has none): {@link SceneSignature#of}
     */
    public ReviewPicker(ReviewSettings settings, float threshold, Function<byte[], double[]> signatures) {
        this.settings = settings;
        this.threshold = threshold;
        this.signatures = signatures;
    }

    private static final class CameraState {
        final CameraMemory memory = new CameraMemory();
        final Deque<double[]> recent = new ArrayDeque<>();
        Candidate best;
        long emittedSlot = Long.MIN_VALUE;
        long lastPickCapture = Long.MIN_VALUE;
        long lastWall;
    }

    private record Candidate(PickerFrame frame, Uncertainty uncertainty, long slot, double[] signature) {
    }

    /**
     * Takes an analysed frame in.
     *
     * @param wallNow the wall clock now (when a pick is made, and what idle-flush counts from)
     * @return the pick of a slot this frame closed, if any (at most one)
     */
    public List<Pick> offer(PickerFrame f, long wallNow) {
        int budget = settings.budget(f.camera());
        if (budget <= 0) {
            cameras.remove(f.camera());
            return List.of();
        }
        CameraState st = cameras.computeIfAbsent(f.camera(), c -> new CameraState());
        Uncertainty u = Uncertainty.of(f, st.memory, settings, threshold);
        st.memory.remember(f);
        st.lastWall = wallNow;
        long slotMs = Math.max(1, 3_600_000L / budget);
        long slot = Math.floorDiv(f.captureTs(), slotMs);
        List<Pick> out = new ArrayList<>(1);
        if (st.best != null && st.best.slot() != slot) {
            out.add(emit(st, wallNow)); // a later slot (or the camera's clock went back): the held frame is its slot's pick
        }
        if (u.score() < settings.minUncertainty() || st.emittedSlot == slot
                || st.lastPickCapture != Long.MIN_VALUE && f.captureTs() - st.lastPickCapture < settings.minGap().toMillis()
                || st.best != null && u.score() <= st.best.uncertainty().score()) {
            return out;
        }
        double[] signature = null;
        if (settings.minSceneDistance() > 0 && !st.recent.isEmpty()) {
            signature = signatures.apply(f.picture());
            if (signature != null && tooAlike(signature, st.recent)) {
                return out;
            }
        }
        st.best = new Candidate(f, u, slot, signature);
        return out;
    }

    /** Sends the held frame of every camera silent for {@code idle-flush} (a punctuator calls it). */
    public List<Pick> idle(long wallNow) {
        List<Pick> out = new ArrayList<>();
        for (CameraState st : cameras.values()) {
            if (st.best != null && wallNow - st.lastWall >= settings.idleFlush().toMillis()) {
                out.add(emit(st, wallNow));
            }
        }
        return out;
    }

    /** Sends every held frame now (the end of offline footage). */
    public List<Pick> flushAll(long wallNow) {
        List<Pick> out = new ArrayList<>();
        for (CameraState st : cameras.values()) {
            if (st.best != null) {
                out.add(emit(st, wallNow));
            }
        }
        return out;
    }

    private Pick emit(CameraState st, long wallNow) {
        Candidate c = st.best;
        st.best = null;
        st.emittedSlot = c.slot();
        st.lastPickCapture = c.frame().captureTs();
        if (settings.minSceneDistance() > 0 && settings.recentScenes() > 0) {
            double[] sig = c.signature() != null ? c.signature() : signatures.apply(c.frame().picture());
            if (sig != null) {
                st.recent.addLast(sig);
                while (st.recent.size() > settings.recentScenes()) {
                    st.recent.removeFirst();
                }
            }
        }
        return new Pick(c.frame(), c.uncertainty(), wallNow);
    }

    private boolean tooAlike(double[] signature, Deque<double[]> recent) {
        for (double[] r : recent) {
            if (SceneSignature.distance(signature, r) < settings.minSceneDistance()) {
                return true;
            }
        }
        return false;
    }
}
