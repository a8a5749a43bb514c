package lookout.config;

import java.util.List;
import java.util.Locale;

/**
 * Which frames of a camera the detector analyses when they arrive faster than the model can
 * ({@code lookout.scheduling}); {@code every} is the N of {@code every-nth-frame}
 * ({@code lookout.scheduling.every-nth}), 1 for the other policies. The behaviour is
 * {@code detect.SchedulingPolicy}'s; this is only the configured choice.
 */
public record FramePolicy(String key, int every) {
    /** The newest: frames a newer one overtakes are answered skipped/superseded (live cameras). */
    public static final String LATEST_FRAME_KEY = "latest-frame";
    /** Every one, in order, however late (offline footage); only the age bound skips frames. */
    public static final String EVERY_FRAME_KEY = "every-frame";
    /** One frame in N per camera (the first, then every Nth); the others are answered skipped/not-sampled. */
    public static final String EVERY_NTH_FRAME_KEY = "every-nth-frame";
    private static final List<String> KEYS = List.of(LATEST_FRAME_KEY, EVERY_FRAME_KEY, EVERY_NTH_FRAME_KEY);

    public static final FramePolicy LATEST_FRAME = new FramePolicy(LATEST_FRAME_KEY, 1);
    public static final FramePolicy EVERY_FRAME = new FramePolicy(EVERY_FRAME_KEY, 1);

    public FramePolicy {
        if (!KEYS.contains(key)) {
            throw new IllegalArgumentException("lookout.scheduling: unknown policy '" + key + "' ("
                    + String.join(", ", KEYS) + ")");
        }
        if (every < 1) {
            throw new IllegalArgumentException("lookout.scheduling.every-nth must be at least 1, got " + every);
        }
    }

    /** One frame in {@code n} of each camera. */
    public static FramePolicy everyNth(int n) {
        return new FramePolicy(EVERY_NTH_FRAME_KEY, n);
    }

    /** The policy named {@code key} (without a parameter: N = 1). */
    public static FramePolicy of(String key) {
        return of(key, 1);
    }

    /** The policy named {@code key}; {@code every} counts only for {@code every-nth-frame}. */
    public static FramePolicy of(String key, int every) {
        String k = key == null ? "" : key.trim().toLowerCase(Locale.ROOT);
        return switch (k) {
            case LATEST_FRAME_KEY -> LATEST_FRAME;
            case EVERY_FRAME_KEY -> EVERY_FRAME;
            default -> new FramePolicy(k.isEmpty() ? String.valueOf(key) : k, every);
        };
    }
}
