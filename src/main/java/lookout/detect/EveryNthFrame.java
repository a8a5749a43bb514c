package lookout.detect;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import lookout.detections.DetectionRecord;

/**
 * One frame in N of each camera: its first frame, then every Nth after it; the others are answered
 * {@code skipped}/{@code not-sampled} (a fixed, predictable share of the model per camera, e.g. for
 * statistics that need no more). Counted per camera and input partition from the moment a stream task
 * starts on it, so after a rebalance or restart the sampled frames may shift; every frame still gets
 * its one record.
 */
public final class EveryNthFrame implements SchedulingPolicy {
    private record Key(int partition, String camera) {
    }

    private final int n;
    /** Frames of each camera reached since its task started; a partition's stream thread alone updates its keys. */
    private final Map<Key, Long> seen = new ConcurrentHashMap<>();

    public EveryNthFrame(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("every-nth-frame needs N >= 1, got " + n);
        }
        this.n = n;
    }

    @Override
    public Decision decide(int partition, String camera, long offset, long serviceTs) {
        long before = seen.merge(new Key(partition, camera), 1L, Long::sum) - 1;
        return before % n == 0 ? ANALYSE : new Skip(DetectionRecord.NOT_SAMPLED);
    }

    @Override
    public void taskStarted(int partition) {
        seen.keySet().removeIf(k -> k.partition() == partition);
    }
}
