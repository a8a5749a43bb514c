package lookout.track;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import lookout.config.TrackerSettings;
import lookout.detect.Detection;

/**
 * One camera's multi-object tracker, after ByteTrack (Zhang et al. 2022): Kalman-predicted track boxes
 * matched to detections by IoU with the Hungarian method, in a high/low score cascade.
 * <ol>
 * <li>High detections (score &gt;= highScore) against every confirmed track, including ones missed
 * lately (they coast on their predicted motion and can be re-found under their id).
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

    /**
     * Tracks one analysed frame. {@code frameSeq} is the camera's frame number: a jump (frames the
     * service skipped or the camera dropped) predicts motion over the gap but counts as one missed
     * frame at most, since nobody looked at the frames in between; a step back (the camera restarted
     * its numbering) counts as one frame.
     *
     * @return the detections in input order, each with its track id or {@link TrackedDetection#NO_TRACK}
     */
    public List<TrackedDetection> update(List<Detection> dets, long frameSeq) {
        int steps = frameSteps(frameSeq);
        List<Track> tracks = new ArrayList<>(state.tracks().size());
        for (Track t : state.tracks()) {
            tracks.add(new Track(t.id(), t.hits(), t.missed(), kalman.predict(t.kalman(), steps)));
        }
        Rect[] boxes = new Rect[dets.size()];
        for (int i = 0; i < boxes.length; i++) {
            Detection d = dets.get(i);
            boxes[i] = new Rect(d.x1(), d.y1(), d.x2(), d.y2());
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
        associate(tracks, confirmed, boxes, high, settings.matchIou(), detOfTrack, detTaken);
        List<Integer> seenLastFrame = new ArrayList<>();
        for (int t : confirmed) {
            if (detOfTrack[t] == LinearAssignment.UNMATCHED && tracks.get(t).missed() == 0) {
                seenLastFrame.add(t);
            }
        }
        associate(tracks, seenLastFrame, boxes, low, settings.lowMatchIou(), detOfTrack, detTaken);
        associate(tracks, tentative, boxes, untaken(high, detTaken), settings.matchIou(), detOfTrack, detTaken);

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
                next.add(new Track(id, hits, 0, kalman.update(track.kalman(), boxes[d])));
                idOfDet[d] = id;
            } else if (track.confirmed()) {
                int missed = track.missed() + 1;
                if (missed <= settings.maxMissedFrames()) {
                    next.add(new Track(track.id(), track.hits(), missed, track.kalman()));
                }
            } // an unconfirmed track that misses was noise: dropped
        }
        boolean firstFrame = state.frames() == 0;
        float newTrackScore = (float) settings.newTrackScore();
        for (int d : untaken(high, detTaken)) {
            if (dets.get(d).score() >= newTrackScore) {
                long id = firstFrame || settings.minHits() <= 1 ? nextId++ : TrackedDetection.NO_TRACK;
                next.add(new Track(id, 1, 0, kalman.initiate(boxes[d])));
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

    /** Hungarian matching of the given tracks to the given detections on 1 - IoU, above an IoU gate. */
    private static void associate(List<Track> tracks, List<Integer> trackIdx, Rect[] boxes, List<Integer> detIdx,
            double minIou, int[] detOfTrack, boolean[] detTaken) {
        if (trackIdx.isEmpty() || detIdx.isEmpty()) {
            return;
        }
        double[][] cost = new double[trackIdx.size()][detIdx.size()];
        for (int a = 0; a < trackIdx.size(); a++) {
            Rect predicted = tracks.get(trackIdx.get(a)).kalman().box();
            for (int b = 0; b < detIdx.size(); b++) {
                cost[a][b] = 1 - predicted.iou(boxes[detIdx.get(b)]);
            }
        }
        int[] match = LinearAssignment.matchBelow(cost, 1 - minIou);
        for (int a = 0; a < match.length; a++) {
            if (match[a] != LinearAssignment.UNMATCHED) {
                int d = detIdx.get(match[a]);
                detOfTrack[trackIdx.get(a)] = d;
                detTaken[d] = true;
            }
        }
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
