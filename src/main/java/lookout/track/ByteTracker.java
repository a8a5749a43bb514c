package lookout.track;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import lookout.config.TrackerSettings;
import lookout.detections.Appearance;
import lookout.detections.Detection;

/**
 * One camera's multi-object tracker, after ByteTrack (Zhang et al. 2022): Kalman-predicted track boxes
 * matched to detections with the Hungarian method, in a high/low score cascade. The cost of a match is
 * 1 - IoU, blended with a colour distance when the caller passes {@link Appearance} descriptors.
 * <ol>
 * <li>High detections (score &gt;= highScore) against every confirmed track, including ones missed
 * lately (they coast on their predicted motion and can be re-found under their id).
 * <li>With the colour cue: high detections still unmatched against confirmed tracks lost for a frame
 * or more, by colour alone, within two box heights of the predicted position (a person who walked out
 * from behind another somewhere the straight-line guess did not expect).
 * <li>Low detections against the confirmed tracks still unmatched that were seen last frame: a person
 * half hidden behind another scores low, and this keeps their track instead of dropping it.
 * <li>Remaining high detections against tentative tracks; a tentative track that misses is dropped.
 * <li>High detections still unmatched, scoring at least newTrackScore, start tentative tracks.
 * </ol>
 * Confirmed tracks missed on more than maxMissedFrames analysed frames in a row end. Frames the
 * tracker never saw (skipped by the service, dropped by the camera) are not evidence that anyone
 * left: motion is predicted across them, but they do not count as misses. Not thread-safe: one
 * instance per camera, driven by one stream thread; its {@link #state()} is what the state store keeps.
 */
public final class ByteTracker {
    /** How much of a track's colour descriptor each new sighting keeps (a running average over ~10 frames). */
    static final double APPEARANCE_KEEP = 0.9;
    /** A detection overlapping another this much shows part of someone else: its colours do not update a track. */
    static final double OCCLUDED_IOU = 0.3;
    /** How far from its predicted centre, in box heights, a lost track may be re-found by colour. */
    static final double REID_REACH = 2.0;

    private final TrackerSettings settings;
    private final KalmanBoxFilter kalman = new KalmanBoxFilter();
    private TrackerState state;

    public ByteTracker(TrackerSettings settings) {
        this(settings, TrackerState.initial());
    }

    /** Continues from a saved state (a restart, or a partition moved to this instance). */
    public ByteTracker(TrackerSettings settings, TrackerState state) {
        this.settings = settings;
        this.state = state;
    }

    public TrackerState state() {
        return state;
    }

    /** {@link #update(List, List, long)} without colour descriptors: boxes only. */
    public List<TrackedDetection> update(List<Detection> dets, long frameSeq) {
        return update(dets, null, frameSeq);
    }

    /**
     * Tracks one analysed frame. {@code frameSeq} is the camera's frame number: a jump (frames the
     * service skipped or the camera dropped) predicts motion over the gap but counts as one missed
     * frame at most, since nobody looked at the frames in between; a step back (the camera restarted
     * its numbering) counts as one frame.
     *
     * @param appearance per detection its {@link Appearance} descriptor (an entry may be null), or null
     *                   for none; used only when the settings ask for the colour cue
     * @return the detections in input order, each with its track id or {@link TrackedDetection#NO_TRACK}
     */
    public List<TrackedDetection> update(List<Detection> dets, List<float[]> appearance, long frameSeq) {
        if (appearance != null && appearance.size() != dets.size()) {
            throw new IllegalArgumentException(appearance.size() + " descriptors for " + dets.size() + " detections");
        }
        int steps = frameSteps(frameSeq);
        List<Track> tracks = new ArrayList<>(state.tracks().size());
        for (Track t : state.tracks()) {
            tracks.add(new Track(t.id(), t.hits(), t.missed(), kalman.predict(t.kalman(), steps), t.appearance()));
        }
        Rect[] boxes = new Rect[dets.size()];
        float[][] colours = new float[dets.size()][];
        boolean useColour = appearance != null && settings.usesAppearance();
        for (int i = 0; i < boxes.length; i++) {
            Detection d = dets.get(i);
            boxes[i] = new Rect(d.x1(), d.y1(), d.x2(), d.y2());
            colours[i] = useColour ? appearance.get(i) : null;
        }
        List<Integer> high = new ArrayList<>();
        List<Integer> low = new ArrayList<>();
        // scores are floats: compare in float, or a detection scoring exactly 0.9f would miss a 0.9 bar
        float highScore = (float) settings.highScore();
        float lowScore = (float) settings.lowScore();
        for (int i = 0; i < dets.size(); i++) {
            float s = dets.get(i).score();
            if (s >= highScore) {
                high.add(i);
            } else if (s >= lowScore) {
                low.add(i);
            }
        }

        int[] detOfTrack = new int[tracks.size()];
        Arrays.fill(detOfTrack, LinearAssignment.UNMATCHED);
        boolean[] detTaken = new boolean[dets.size()];

        List<Integer> confirmed = new ArrayList<>();
        List<Integer> tentative = new ArrayList<>();
        for (int t = 0; t < tracks.size(); t++) {
            (tracks.get(t).confirmed() ? confirmed : tentative).add(t);
        }
        double weight = useColour ? settings.appearanceWeight() : 0;
        double gate = useColour ? settings.appearanceGate() : 1;
        associate(tracks, confirmed, boxes, colours, high, settings.matchIou(), weight, gate, detOfTrack, detTaken);
        if (useColour && settings.reidDistance() > 0) {
            List<Integer> lost = new ArrayList<>();
            for (int t : confirmed) {
                if (detOfTrack[t] == LinearAssignment.UNMATCHED && tracks.get(t).missed() > 0) {
                    lost.add(t);
                }
            }
            reidentify(tracks, lost, boxes, colours, untaken(high, detTaken), detOfTrack, detTaken);
        }
        List<Integer> seenLastFrame = new ArrayList<>();
        for (int t : confirmed) {
            if (detOfTrack[t] == LinearAssignment.UNMATCHED && tracks.get(t).missed() == 0) {
                seenLastFrame.add(t);
            }
        }
        // low detections are often half hidden: their colours are partly someone else's, so boxes only
        associate(tracks, seenLastFrame, boxes, colours, low, settings.lowMatchIou(), 0, 1, detOfTrack, detTaken);
        associate(tracks, tentative, boxes, colours, untaken(high, detTaken), settings.matchIou(), weight, gate,
                detOfTrack, detTaken);

        long nextId = state.nextId();
        long[] idOfDet = new long[dets.size()];
        List<Track> next = new ArrayList<>(tracks.size() + high.size());
        for (int t = 0; t < tracks.size(); t++) {
            Track track = tracks.get(t);
            int d = detOfTrack[t];
            if (d != LinearAssignment.UNMATCHED) {
                long id = track.id();
                int hits = track.hits() + 1;
                if (!track.confirmed() && hits >= settings.minHits()) {
                    id = nextId++;
                }
                float[] look = track.appearance();
                if (colours[d] != null && dets.get(d).score() >= highScore && !overlapsAnother(d, boxes)) {
                    look = Appearance.blend(look, colours[d], APPEARANCE_KEEP);
                }
                next.add(new Track(id, hits, 0, kalman.update(track.kalman(), boxes[d]), look));
                idOfDet[d] = id;
            } else if (track.confirmed()) {
                int missed = track.missed() + 1;
                if (missed <= settings.maxMissedFrames()) {
                    next.add(new Track(track.id(), track.hits(), missed, track.kalman(), track.appearance()));
                }
            } // an unconfirmed track that misses was noise: dropped
        }
        boolean firstFrame = state.frames() == 0;
        float newTrackScore = (float) settings.newTrackScore();
        for (int d : untaken(high, detTaken)) {
            if (dets.get(d).score() >= newTrackScore) {
                long id = firstFrame || settings.minHits() <= 1 ? nextId++ : TrackedDetection.NO_TRACK;
                next.add(new Track(id, 1, 0, kalman.initiate(boxes[d]), colours[d]));
                idOfDet[d] = id;
            }
        }
        state = new TrackerState(nextId, frameSeq, state.frames() + 1, next);

        List<TrackedDetection> out = new ArrayList<>(dets.size());
        for (int i = 0; i < dets.size(); i++) {
            out.add(new TrackedDetection(dets.get(i), idOfDet[i]));
        }
        return out;
    }

    private int frameSteps(long frameSeq) {
        if (state.frames() == 0 || frameSeq <= state.lastFrameSeq()) {
            return 1;
        }
        // the cap bounds the prediction loop: after a long gap a straight-line guess is no better than a short one
        return (int) Math.min(frameSeq - state.lastFrameSeq(), settings.maxMissedFrames() + 1L);
    }

    /** The cost of matching a track (at its predicted box) to detection {@code d}; above the limit: never. */
    private interface PairCost {
        double of(Track track, Rect predicted, int d);
    }

    /**
     * Hungarian matching of the given tracks to the given detections. A pair is admitted when its IoU
     * is at least {@code minIou} and its colour distance at most {@code gate}; its cost is
     * {@code (1 - weight)(1 - IoU) + weight * distance}, and it is taken only if cheaper than a pair on
     * both gates would be (with weight 0: ByteTrack's 1 - IoU below 1 - minIou).
     */
    private static void associate(List<Track> tracks, List<Integer> trackIdx, Rect[] boxes, float[][] colours,
            List<Integer> detIdx, double minIou, double weight, double gate, int[] detOfTrack, boolean[] detTaken) {
        double limit = (1 - weight) * (1 - minIou) + weight * gate;
        match(tracks, trackIdx, detIdx, limit, (track, predicted, d) -> {
            double iou = predicted.iou(boxes[d]);
            double colour = weight > 0 || gate < 1 ? Appearance.distance(track.appearance(), colours[d]) : 0;
            // outside a gate: never taken
            return iou < minIou || colour > gate ? limit + 1 : (1 - weight) * (1 - iou) + weight * colour;
        }, detOfTrack, detTaken);
    }

    /** Lost tracks to detections by colour distance alone, below reidDistance and within reach of the prediction. */
    private void reidentify(List<Track> tracks, List<Integer> trackIdx, Rect[] boxes, float[][] colours,
            List<Integer> detIdx, int[] detOfTrack, boolean[] detTaken) {
        double limit = settings.reidDistance();
        match(tracks, trackIdx, detIdx, limit, (track, predicted, d) -> {
            double reach = REID_REACH * Math.max(predicted.height(), boxes[d].height());
            double dx = predicted.centerX() - boxes[d].centerX();
            double dy = predicted.centerY() - boxes[d].centerY();
            boolean near = dx * dx + dy * dy <= reach * reach;
            boolean known = track.appearance() != null && colours[d] != null;
            return near && known ? Appearance.distance(track.appearance(), colours[d]) : limit + 1;
        }, detOfTrack, detTaken);
    }

    /** The Hungarian method on the pairs' costs, pairs cheaper than {@code limit} taken. */
    private static void match(List<Track> tracks, List<Integer> trackIdx, List<Integer> detIdx, double limit,
            PairCost pairCost, int[] detOfTrack, boolean[] detTaken) {
        if (trackIdx.isEmpty() || detIdx.isEmpty()) {
            return;
        }
        double[][] cost = new double[trackIdx.size()][detIdx.size()];
        for (int a = 0; a < trackIdx.size(); a++) {
            Track track = tracks.get(trackIdx.get(a));
            Rect predicted = track.kalman().box();
            for (int b = 0; b < detIdx.size(); b++) {
                cost[a][b] = pairCost.of(track, predicted, detIdx.get(b));
            }
        }
        take(trackIdx, detIdx, LinearAssignment.matchBelow(cost, limit), detOfTrack, detTaken);
    }

    private static void take(List<Integer> trackIdx, List<Integer> detIdx, int[] match, int[] detOfTrack,
            boolean[] detTaken) {
        for (int a = 0; a < match.length; a++) {
            if (match[a] != LinearAssignment.UNMATCHED) {
                int d = detIdx.get(match[a]);
                detOfTrack[trackIdx.get(a)] = d;
                detTaken[d] = true;
            }
        }
    }

    private static boolean overlapsAnother(int d, Rect[] boxes) {
        for (int o = 0; o < boxes.length; o++) {
            if (o != d && boxes[o].iou(boxes[d]) > OCCLUDED_IOU) {
                return true;
            }
        }
        return false;
    }

    private static List<Integer> untaken(List<Integer> detIdx, boolean[] taken) {
        List<Integer> out = new ArrayList<>(detIdx.size());
        for (int d : detIdx) {
            if (!taken[d]) {
                out.add(d);
            }
        }
        return out;
    }
}
