package lookout.common;

import java.util.Map;
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
    /** Camera id -> its tag (computed once: this runs on every frame). */
    private final Map<String, String> cameras = new ConcurrentHashMap<>();

    /** The tag for this camera id: the id itself (redacted, should it hold a credential), or {@link #OTHER}. */
    public String of(String camera) {
        String tag = cameras.get(camera);
        if (tag != null) {
            return tag;
        }
        synchronized (cameras) {
            if (cameras.size() < MAX) {
                return cameras.computeIfAbsent(camera, Redact::text);
            }
        }
        return OTHER;
    }
}
