package lookout.stats;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The counting line of each camera that has one, shared by the stream threads that count and the
 * sources that set them (the cameras file at start, {@code counting-line} commands while running).
 * Lines are configuration, not data: a change applies from the next frame of that camera.
 */
public final class CountingLines {
    private final Map<String, CountingLine> lines = new ConcurrentHashMap<>();

    public static CountingLines of(Map<String, CountingLine> initial) {
        CountingLines l = new CountingLines();
        l.lines.putAll(initial);
        return l;
    }

    /** The camera's line, or null when it has none. */
    public CountingLine get(String camera) {
        return lines.get(camera);
    }

    /** Sets the camera's line; null removes it. */
    public void set(String camera, CountingLine line) {
        if (line == null) {
            lines.remove(camera);
        } else {
            lines.put(camera, line);
        }
    }

    public Map<String, CountingLine> all() {
        return Map.copyOf(lines);
    }
}
