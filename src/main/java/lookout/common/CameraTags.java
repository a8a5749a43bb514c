package lookout.common;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code camera} tag of per-camera meters: the id itself for the first {@link #MAX} cameras
 * seen, then {@link #OTHER}, so a producer inventing a key per frame cannot grow a meter registry
 * without bound. One instance per set of meters.
 */
public final class CameraTags {
    /** Distinct camera tags kept; beyond, frames count under "other". */
    public static final int MAX = 1000;
    public static final String OTHER = "other";
    private final Set<String> cameras = ConcurrentHashMap.newKeySet();

    public String of(String camera) {
        if (cameras.contains(camera)) {
            return camera;
        }
        synchronized (cameras) {
            if (cameras.size() < MAX) {
                cameras.add(camera);
                return camera;
            }
        }
        return OTHER;
    }
}
