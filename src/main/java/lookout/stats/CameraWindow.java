package lookout.stats;

import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

import lookout.detections.DetectionRecord;

/** One camera's numbers over one window as they accumulate (kept in the stats store as JSON). */
final class CameraWindow {
    public long start;
    public long end;
    public long analysed;
    public TreeMap<String, Long> skipped = new TreeMap<>();
    public int peopleMin = Integer.MAX_VALUE;
    public int peopleMax;
    public long peopleSum;
    public TreeSet<Long> tracks = new TreeSet<>();
    public long in;
    public long out;
    /** Frames placed by their send time (the camera's clock was off by more than the bound), and the largest skew among them. */
    public long rebased;
    public Long clockSkewMs;

    CameraWindow() {
    }

    CameraWindow(long start, long end) {
        this.start = start;
        this.end = end;
    }

    void add(DetectionRecord frame) {
        if (!frame.analysed()) {
            skipped.merge(frame.reason() == null ? "unknown" : frame.reason(), 1L, Long::sum);
            return;
        }
        List<DetectionRecord.Item> items = frame.detections();
        analysed++;
        peopleMin = Math.min(peopleMin, items.size());
        peopleMax = Math.max(peopleMax, items.size());
        peopleSum += items.size();
        for (DetectionRecord.Item item : items) {
            if (item.trackId() != null) {
                tracks.add(item.trackId());
            }
        }
    }

    void rebased(long skewMs) {
        rebased++;
        if (clockSkewMs == null || Math.abs(skewMs) > Math.abs(clockSkewMs)) {
            clockSkewMs = skewMs;
        }
    }

    void crossed(int direction) {
        if (direction == CountingLine.IN) {
            in++;
        } else if (direction == CountingLine.OUT) {
            out++;
        }
    }

    CameraStatsRecord toRecord(String camera, boolean hasLine, long late) {
        long skippedTotal = skipped.values().stream().mapToLong(Long::longValue).sum();
        CameraStatsRecord.People people = analysed == 0 ? null
                : new CameraStatsRecord.People(peopleMin, Math.round(1000.0 * peopleSum / analysed) / 1000.0, peopleMax);
        return new CameraStatsRecord(camera, start, end,
                new CameraStatsRecord.Frames(analysed, skippedTotal, skipped, late, rebased > 0 ? rebased : null), people,
                tracks.size(), hasLine || in + out > 0 ? new CameraStatsRecord.Line(in, out) : null,
                rebased > 0 ? clockSkewMs : null);
    }
}
