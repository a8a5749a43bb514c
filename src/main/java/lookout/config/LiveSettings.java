package lookout.config;

import java.time.Duration;

/**
 * The live page ({@code lookout.live.*}, serve and demo).
 *
 * @param enabled          serve the page and follow the topics it shows
 * @param maxRate          updates per second per camera pushed to browsers (each may carry a thumbnail)
 * @param thumbnailWidth   thumbnail width in pixels (height keeps the aspect)
 * @param thumbnailQuality JPEG quality of thumbnails, 1..100
 * @param frameBuffer      recent frames kept per camera to pair a thumbnail with its detections record
 * @param history          how far back the people-in-view chart goes
 * @param historyStep      the chart's resolution
 * @param frameBufferBytes bytes of frames kept per camera (a larger frame is not kept: no thumbnail)
 * @param frameBufferTotal bytes of frames kept over all cameras (the oldest go first)
 */
public record LiveSettings(boolean enabled, double maxRate, int thumbnailWidth, int thumbnailQuality, int frameBuffer,
        Duration history, Duration historyStep, long frameBufferBytes, long frameBufferTotal) {
    public LiveSettings {
        if (!(maxRate > 0)) {
            throw new IllegalArgumentException("lookout.live.max-rate must be positive, got " + maxRate);
        }
        if (thumbnailWidth < 16 || thumbnailQuality < 1 || thumbnailQuality > 100 || frameBuffer < 1) {
            throw new IllegalArgumentException("lookout.live: thumbnail-width >= 16, thumbnail-quality 1..100, frame-buffer >= 1");
        }
        if (frameBufferBytes < 1 || frameBufferTotal < frameBufferBytes) {
            throw new IllegalArgumentException("lookout.live: frame-buffer-bytes >= 1 and frame-buffer-total-bytes >= it, got "
                    + frameBufferBytes + " and " + frameBufferTotal);
        }
        if (historyStep.isZero() || historyStep.isNegative() || history.compareTo(historyStep) < 0) {
            throw new IllegalArgumentException("lookout.live: history-step must be positive and at most history");
        }
    }

    /** Points in the people-in-view chart. */
    public int historyPoints() {
        return (int) (history.toMillis() / historyStep.toMillis());
    }
}
