package lookout.detect;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The highest offset fetched per (input partition, camera): fed by {@link FetchedFramesInterceptor}
 * on every stream thread's consumer as records are fetched (before they are processed), read by the
 * topology's processors. One instance per detection service, shared by its stream threads;
 * thread-safe. Grows with the number of cameras, not frames.
 */
public final class FetchedFrames implements NewerFrames {
    private record Key(int partition, String camera) {
    }

    private final Map<Key, Long> latest = new ConcurrentHashMap<>();

    /** A frame of {@code camera} at {@code offset} was fetched from {@code partition}. */
    public void fetched(int partition, String camera, long offset) {
        latest.merge(new Key(partition, camera), offset, Math::max);
    }

    @Override
    public boolean newerWaiting(int partition, String camera, long offset) {
        Long newest = latest.get(new Key(partition, camera));
        return newest != null && newest > offset;
    }

    @Override
    public void forget(int partition) {
        latest.keySet().removeIf(k -> k.partition() == partition);
    }

    /** Cameras known, for tests and diagnostics. */
    int size() {
        return latest.size();
    }
}
