package lookout.config;

import java.util.Arrays;
import java.util.Locale;

/** Which frames of a camera the detector analyses when they arrive faster than the model can ({@code lookout.scheduling}). */
public enum FramePolicy {
    /** The newest: frames a newer one overtakes are answered skipped/superseded (live cameras). */
    LATEST_FRAME("latest-frame"),
    /** Every one, in order, however late (offline footage); only the age bound skips frames. */
    EVERY_FRAME("every-frame");

    private final String key;

    FramePolicy(String key) {
        this.key = key;
    }

    /** The name used in configuration. */
    public String key() {
        return key;
    }

    public static FramePolicy of(String key) {
        String k = key == null ? "" : key.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(p -> p.key.equals(k)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("lookout.scheduling: unknown policy '" + key + "' (latest-frame, every-frame)"));
    }
}
