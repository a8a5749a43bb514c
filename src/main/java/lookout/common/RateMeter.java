package lookout.common;

import java.util.function.LongSupplier;

/** Events per second over a sliding window of whole seconds (the current partial one excluded). Thread-safe. */
public final class RateMeter {
    private final int windowSeconds;
    private final long[] buckets;
    private final LongSupplier nanoClock;
    private long currentSecond;

    public RateMeter(int windowSeconds, LongSupplier nanoClock) {
        this.windowSeconds = windowSeconds;
        this.buckets = new long[windowSeconds + 1];
        this.nanoClock = nanoClock;
        this.currentSecond = second();
    }

    public RateMeter() {
        this(5, System::nanoTime);
    }

    private long second() {
        return nanoClock.getAsLong() / 1_000_000_000L;
    }

    private void advance() {
        long now = second();
        long gap = Math.min(now - currentSecond, buckets.length);
        for (long i = 1; i <= gap; i++) {
            buckets[(int) ((currentSecond + i) % buckets.length)] = 0;
        }
        currentSecond = Math.max(currentSecond, now);
    }

    public synchronized void mark() {
        advance();
        buckets[(int) (currentSecond % buckets.length)]++;
    }

    /** Average over the last complete seconds of the window. */
    public synchronized double perSecond() {
        advance();
        long sum = 0;
        for (int i = 1; i <= windowSeconds; i++) {
            sum += buckets[(int) ((currentSecond - i) % buckets.length + buckets.length) % buckets.length];
        }
        return (double) sum / windowSeconds;
    }
}
