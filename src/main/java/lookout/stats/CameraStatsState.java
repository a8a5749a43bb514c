package lookout.stats;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the statistics remember about one camera between frames, so everything its state-store
 * entry holds: the windows still open, how far capture time has come, and where each track last
 * stood (for the counting line).
 */
final class CameraStatsState {
    /** Open windows by start time. */
    public TreeMap<Long, CameraWindow> open = new TreeMap<>();
    /** The newest capture time seen (the camera's stream time). */
    public long streamTime = Long.MIN_VALUE;
    /** Windows starting before this have been published; a frame for one of them is late. */
    public long closedBefore = Long.MIN_VALUE;
    /** Late frames not yet reported (they go into the next published window's {@code late}). */
    public long late;
    /** Wall-clock time (ms) the last frame was processed: a camera silent long enough has its windows closed. */
    public long lastArrival;
    /** Analysed frames seen, the clock for forgetting tracks. */
    public long frames;
    /** The highest track id seen: a higher one is a new track. */
    public long maxTrackId;
    /** The counting line the positions were measured against (null: none). */
    public CountingLine line;
    /** Each recent track's last firm foot point (fractions of the frame) and its side of the line. */
    public Map<Long, TrackPoint> points = new HashMap<>();

    /**
     * Where a track last stood firmly on one side of the line ({@code side} +1 or -1; 0 while it
     * has only been seen on the line), and when it was last seen (in analysed frames).
     */
    public record TrackPoint(double x, double y, long frame, int side) {
    }
}
