package lookout.review;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import lookout.detections.DetectionRecord;

/**
 * What the picker remembers of one camera's recent analysed frames to judge the next one: the tracked
 * boxes and the count of the previous frame, and when each track was last seen (bounded).
 */
final class CameraMemory {
    /** Tracks remembered at most: far more than are ever in view; the longest unseen go first. */
    static final int MAX_TRACKS = 512;

    record Seen(long trackId, float[] box) {
    }

    private long analysed;
    private int previousCount = -1;
    private int previousWidth;
    private int previousHeight;
    private List<Seen> previousTracks = List.of();
    /** Track id -> the analysed-frame index it was last seen on, least recently seen first. */
    private final Map<Long, Long> lastSeen = new LinkedHashMap<>(64, 0.75f, true);

    int previousCount() {
        return previousCount;
    }

    int previousWidth() {
        return previousWidth;
    }

    int previousHeight() {
        return previousHeight;
    }

    List<Seen> previousTracks() {
        return previousTracks;
    }

    /** Whether a track was seen before but not on the previous analysed frame. */
    boolean missedBefore(long trackId) {
        Long last = lastSeen.get(trackId);
        return last != null && last < analysed - 1;
    }

    /** Takes the frame in as the new previous one. */
    void remember(PickerFrame f) {
        List<Seen> tracked = new ArrayList<>();
        for (DetectionRecord.Item item : f.items()) {
            if (item.trackId() != null) {
                tracked.add(new Seen(item.trackId(), item.box()));
                lastSeen.put(item.trackId(), analysed);
            }
        }
        for (Iterator<Long> it = lastSeen.keySet().iterator(); lastSeen.size() > MAX_TRACKS && it.hasNext();) {
            it.next();
            it.remove();
        }
        previousTracks = List.copyOf(tracked);
        previousCount = f.items().size();
        previousWidth = f.width();
        previousHeight = f.height();
        analysed++;
    }
}
