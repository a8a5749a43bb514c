package lookout.track;

import java.util.List;

/**
 * Everything a camera's tracker remembers between frames, and so everything its state store holds.
 *
 * @param nextId       the id the next confirmed track gets (ids start at 1 and only grow)
 * @param lastFrameSeq the sequence number of the last processed frame
 * @param frames       how many frames were processed (0: none yet)
 * @param tracks       live tracks, tentative and confirmed, in creation order
 */
public record TrackerState(long nextId, long lastFrameSeq, long frames, List<Track> tracks) {

    public TrackerState {
        tracks = List.copyOf(tracks);
    }

    public static TrackerState initial() {
        return new TrackerState(1, 0, 0, List.of());
    }
}
