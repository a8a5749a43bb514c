package lookout.config;

/**
 * The tracker's knobs (ByteTrack's, renamed for what they do, plus a colour cue); the
 * service's come from {@code lookout.track.*}, chosen on TUD-Campus with the track package's sweep
 * (see docs/tracking.md).
 *
 * @param highScore        detections scoring at least this are "high": matched first, against every
 *                         live track (also ones missed for a few frames), and may start new tracks
 * @param lowScore         detections between this and {@code highScore} are "low": used only to keep
 *                         tracks that were seen last frame alive (occluded, blurred people score low),
 *                         never to start a track; below it a detection is ignored
 * @param newTrackScore    an unmatched high detection starts a track only from this score up
 * @param matchIou         a high detection matches a predicted track box only above this IoU
 * @param lowMatchIou      the same gate for low detections: stricter, they are less trustworthy
 * @param maxMissedFrames  a track missed on more than this many consecutive analysed frames ends; up to
 *                         then it can be re-found under the same id (frames not looked at do not count)
 * @param minHits          a new track is confirmed (gets an id) on its {@code minHits}-th consecutive
 *                         hit; tracks born on the camera's first frame are confirmed at once
 * @param appearanceWeight weight of the colour distance (clothes' colours, 0..1) against 1 - IoU in the
 *                         cost of matching a high detection to a track; 0: boxes only
 * @param appearanceGate   a high detection whose colours are further than this from a track's is never
 *                         matched to it (1: no gate)
 * @param reidDistance     a track lost for a frame or more is re-found by a high detection beyond its IoU
 *                         gate when their colours are closer than this and the detection lies within two
 *                         box heights of where the track was heading (0: off)
 */
public record TrackerSettings(
        double highScore,
        double lowScore,
        double newTrackScore,
        double matchIou,
        double lowMatchIou,
        int maxMissedFrames,
        int minHits,
        double appearanceWeight,
        double appearanceGate,
        double reidDistance) {

    public TrackerSettings {
        if (!(lowScore >= 0 && lowScore <= highScore && highScore <= 1)) {
            throw new IllegalArgumentException("need 0 <= lowScore <= highScore <= 1, got " + lowScore + ", " + highScore);
        }
        if (newTrackScore < highScore || newTrackScore > 1) {
            throw new IllegalArgumentException("newTrackScore must be in [highScore, 1], got " + newTrackScore);
        }
        if (matchIou < 0 || matchIou >= 1 || lowMatchIou < 0 || lowMatchIou >= 1) {
            throw new IllegalArgumentException("IoU gates must be in [0, 1), got " + matchIou + ", " + lowMatchIou);
        }
        if (maxMissedFrames < 0) {
            throw new IllegalArgumentException("maxMissedFrames must be >= 0, got " + maxMissedFrames);
        }
        if (minHits < 1) {
            throw new IllegalArgumentException("minHits must be >= 1, got " + minHits);
        }
        if (!(appearanceWeight >= 0 && appearanceWeight <= 1)) {
            throw new IllegalArgumentException("appearanceWeight must be in [0, 1], got " + appearanceWeight);
        }
        if (!(appearanceGate > 0 && appearanceGate <= 1)) {
            throw new IllegalArgumentException("appearanceGate must be in (0, 1], got " + appearanceGate);
        }
        if (!(reidDistance >= 0 && reidDistance < 1)) {
            throw new IllegalArgumentException("reidDistance must be in [0, 1), got " + reidDistance);
        }
    }

    /** Boxes only: no colour cue (the tracker as it was before it). */
    public TrackerSettings(double highScore, double lowScore, double newTrackScore, double matchIou, double lowMatchIou,
            int maxMissedFrames, int minHits) {
        this(highScore, lowScore, newTrackScore, matchIou, lowMatchIou, maxMissedFrames, minHits, 0, 1, 0);
    }

    /** ByteTrack's published settings (track_thresh 0.6, det_thresh +0.1, match_thresh 0.8, 30-frame buffer). */
    public static TrackerSettings byteTrack() {
        return new TrackerSettings(0.6, 0.1, 0.7, 0.2, 0.5, 30, 2);
    }

    /** Whether the tracker wants colour descriptors of the detections. */
    public boolean usesAppearance() {
        return appearanceWeight > 0 || appearanceGate < 1 || reidDistance > 0;
    }

    /**
     * The same memory in time at another frame rate: {@code maxMissedFrames} chosen for cameras at
     * {@code fromFps}, rescaled for frames coming at {@code toFps} (other knobs count hits or compare
     * boxes and colours and are kept).
     */
    public TrackerSettings atFrameRate(double fromFps, double toFps) {
        if (!(fromFps > 0 && toFps > 0)) {
            throw new IllegalArgumentException("frame rates must be positive, got " + fromFps + " and " + toFps);
        }
        return withMaxMissedFrames((int) Math.round(maxMissedFrames * toFps / fromFps));
    }

    /** Raises newTrackScore along if it would fall below the new bar (it may not be lower). */
    public TrackerSettings withHighScore(double v) {
        return new TrackerSettings(v, lowScore, Math.max(v, newTrackScore), matchIou, lowMatchIou, maxMissedFrames,
                minHits, appearanceWeight, appearanceGate, reidDistance);
    }

    public TrackerSettings withLowScore(double v) {
        return new TrackerSettings(highScore, v, newTrackScore, matchIou, lowMatchIou, maxMissedFrames, minHits,
                appearanceWeight, appearanceGate, reidDistance);
    }

    public TrackerSettings withNewTrackScore(double v) {
        return new TrackerSettings(highScore, lowScore, v, matchIou, lowMatchIou, maxMissedFrames, minHits,
                appearanceWeight, appearanceGate, reidDistance);
    }

    public TrackerSettings withMatchIou(double v) {
        return new TrackerSettings(highScore, lowScore, newTrackScore, v, lowMatchIou, maxMissedFrames, minHits,
                appearanceWeight, appearanceGate, reidDistance);
    }

    public TrackerSettings withLowMatchIou(double v) {
        return new TrackerSettings(highScore, lowScore, newTrackScore, matchIou, v, maxMissedFrames, minHits,
                appearanceWeight, appearanceGate, reidDistance);
    }

    public TrackerSettings withMaxMissedFrames(int v) {
        return new TrackerSettings(highScore, lowScore, newTrackScore, matchIou, lowMatchIou, v, minHits,
                appearanceWeight, appearanceGate, reidDistance);
    }

    public TrackerSettings withMinHits(int v) {
        return new TrackerSettings(highScore, lowScore, newTrackScore, matchIou, lowMatchIou, maxMissedFrames, v,
                appearanceWeight, appearanceGate, reidDistance);
    }

    /** The colour cue: weight in the matching cost, gate, re-finding distance (see the components). */
    public TrackerSettings withAppearance(double weight, double gate, double reid) {
        return new TrackerSettings(highScore, lowScore, newTrackScore, matchIou, lowMatchIou, maxMissedFrames, minHits,
                weight, gate, reid);
    }
}
