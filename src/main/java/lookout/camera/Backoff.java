package lookout.camera;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter for reconnecting: initial, initial*m, initial*m^2... capped at
 * max, each delay shortened by a random fraction of up to {@code jitter} so that many cameras
 * behind one failed switch do not reconnect in lock step. {@link #reset} after a success.
 */
public final class Backoff {
    private final long initialMillis;
    private final long maxMillis;
    private final double multiplier;
    private final double jitter;
    private final DoubleSupplier random;
    private int attempt;

    public Backoff(Duration initial, Duration max, double multiplier, double jitter, DoubleSupplier random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + ", " + max);
        }
        if (multiplier < 1 || jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("need multiplier >= 1 and 0 <= jitter < 1");
        }
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
        this.multiplier = multiplier;
        this.jitter = jitter;
        this.random = random;
    }

    public Backoff(Duration initial, Duration max) {
        this(initial, max, 2.0, 0.2, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** The delay before the next attempt; every call counts as one attempt. */
    public Duration next() {
        double base = Math.min(maxMillis, initialMillis * Math.pow(multiplier, Math.min(attempt, 62)));
        attempt++;
        long delay = Math.round(base * (1 - jitter * random.getAsDouble()));
        return Duration.ofMillis(Math.max(1, delay));
    }

    /** Attempts since the last reset. */
    public int attempts() {
        return attempt;
    }

    public void reset() {
        attempt = 0;
    }
}
