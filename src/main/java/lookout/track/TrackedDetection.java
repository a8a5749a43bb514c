package lookout.track;

import lookout.detections.Detection;

/** A detection and the track it belongs to; {@link #NO_TRACK} while it belongs to no confirmed track. */
public record TrackedDetection(Detection detection, long trackId) {
    public static final long NO_TRACK = 0;

    public boolean tracked() {
        return trackId != NO_TRACK;
    }
}
