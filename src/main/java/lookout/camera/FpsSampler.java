package lookout.camera;

/**
 * Evenly down-samples a frame sequence to a target rate by its timestamps: a frame is kept when
 * it reaches the next due time, and the due time advances by one target interval per kept frame.
 * Frames above the target rate are dropped, never delayed, so the output stays in real time.
 * Not thread-safe (one per capture loop).
 */
public final class FpsSampler {
    /** timestamps may be rounded to the microsecond; keep a frame this close to its due time */
    private static final long TOLERANCE_MICROS = 1_000;

    private final long intervalMicros;
    private long nextDue = Long.MIN_VALUE;

    /** @param targetFps frames per second to keep; 0 keeps every frame */
    public FpsSampler(double targetFps) {
        if (targetFps < 0) {
            throw new IllegalArgumentException("fps must be >= 0");
        }
        this.intervalMicros = targetFps == 0 ? 0 : Math.round(1_000_000d / targetFps);
    }

    /** @return whether the frame with this timestamp (microseconds) is published */
    public boolean keep(long timestampMicros) {
        if (intervalMicros == 0) {
            return true;
        }
        if (nextDue == Long.MIN_VALUE || timestampMicros < nextDue - 2 * intervalMicros - TOLERANCE_MICROS) {
            // first frame, or the clock went backwards (new connection, looped file): start over
            nextDue = timestampMicros + intervalMicros;
            return true;
        }
        if (timestampMicros + TOLERANCE_MICROS < nextDue) {
            return false;
        }
        nextDue += intervalMicros;
        if (nextDue <= timestampMicros) {
            // a gap in the source: do not burst to catch up
            nextDue = timestampMicros + intervalMicros;
        }
        return true;
    }

    /** Forgets the timing (a new connection or a new pass over a file). */
    public void reset() {
        nextDue = Long.MIN_VALUE;
    }
}
