package lookout.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Per-camera statistics ({@code lookout.stats.*}, serve and demo).
 *
 * @param window      tumbling window of capture time over which lookout.camera-stats numbers are taken
 * @param grace       how far a camera's newest capture time must pass a window's end before it closes
 * @param lineMargin  how far (fraction of the frame) from a counting line a person must be to be on one side
 * @param camerasFile a camera bridge cameras file whose {@code line=} options set counting lines; null = none
 */
public record StatsSettings(Duration window, Duration grace, double lineMargin, Path camerasFile) {
    public StatsSettings {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("lookout.stats.window must be positive, got " + window);
        }
        if (!(lineMargin >= 0 && lineMargin < 0.5)) {
            throw new IllegalArgumentException("lookout.stats.line-margin must be in [0, 0.5), got " + lineMargin);
        }
        if (grace.isNegative()) {
            throw new IllegalArgumentException("lookout.stats.grace must not be negative, got " + grace);
        }
    }

    /** How often silent cameras are checked for windows to close: a few times per window, at most every 10 s. */
    public Duration flushInterval() {
        Duration quarter = window.dividedBy(4);
        return quarter.compareTo(Duration.ofSeconds(10)) < 0 ? quarter : Duration.ofSeconds(10);
    }
}
