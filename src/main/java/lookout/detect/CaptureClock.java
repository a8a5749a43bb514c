package lookout.detect;

import java.time.Clock;
import java.time.Duration;

/**
 * The one rule for time. A frame's capture time ({@code lookout.ts}, else its record timestamp) is
 * the camera's claim: it is published as it came ({@code captureTs}) and trusted only as far as
 * the service can check it. The check is against the time the frame was sent: its record
 * timestamp, which the broker accepted (the broker's own append time on a {@code LogAppendTime}
 * topic, as {@code lookout.frames} is created), and never later than the service's clock. Within
 * {@code maxSkew} of that, the capture time is the frame's <em>service time</em>; beyond it (a
 * camera in the wrong time zone, a clock at 1970, {@code Long.MAX_VALUE}) the send time is, and
 * the frame's records carry {@code clockSkewMs}.
 *
 * <p>Everything the service decides or stamps uses service time: staleness, end-to-end latency,
 * which frame of a camera is newer, the statistics windows, and the timestamps of the records it
 * writes ({@link #recordTime}: never later than the frame's own, which the broker accepted, nor
 * than the service's clock). So no camera clock, however wrong, can make the service build a record
 * the broker refuses ({@code message.timestamp.after.max.ms}, 1 h on Kafka 4) or a window that
 * never closes.
 */
public final class CaptureClock {
    private final long maxSkewMs;
    private final Clock clock;

    /** Where a frame sits in time. */
    public record Placed(long captureTs, long serviceTs, long skewMs, boolean trusted) {
        /** What the records say: null while the camera's clock is trusted, else how far it is off (ms, + = ahead). */
        public Long clockSkewMs() {
            return trusted ? null : skewMs;
        }
    }

    public CaptureClock(Duration maxSkew, Clock clock) {
        if (maxSkew.isNegative()) {
            throw new IllegalArgumentException("lookout.clock.max-skew must not be negative, got " + maxSkew);
        }
        this.maxSkewMs = maxSkew.toMillis();
        this.clock = clock;
    }

    public long now() {
        return clock.millis();
    }

    public long maxSkewMs() {
        return maxSkewMs;
    }

    /**
     * @param captureTs the camera's capture time (never negative: a negative header is a bad header)
     * @param recordTs  the frame's record timestamp as Kafka Streams read it
     */
    public Placed place(long captureTs, long recordTs) {
        long now = now();
        long sent = sent(recordTs, now);
        long skew = captureTs >= 0 ? captureTs - sent : -sent; // sent >= 0: no overflow either way
        boolean trusted = captureTs >= 0 && Math.abs(skew) <= maxSkewMs;
        return new Placed(captureTs, trusted ? captureTs : sent, skew, trusted);
    }

    /** The timestamp of a record the service writes for a frame: the frame's own, never later than the service's clock. */
    public long recordTime(long frameRecordTs) {
        return sent(frameRecordTs, now());
    }

    private static long sent(long recordTs, long now) {
        return recordTs < 0 ? Math.max(0, now) : Math.min(recordTs, Math.max(0, now));
    }
}
