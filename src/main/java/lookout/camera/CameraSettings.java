package lookout.camera;

import java.time.Duration;

/**
 * Tuning shared by all cameras of a process ({@code lookout.camera.*} in application.properties).
 *
 * @param queueCapacity  frames between capture and send; when full the oldest is dropped
 * @param readTimeout    a network stream silent this long counts as lost (FFmpeg socket timeout)
 * @param backoffInitial first reconnect delay
 * @param backoffMax     longest reconnect delay
 * @param maxLag         a paced file/folder frame this late is dropped to keep real time
 * @param maxClockSkew   a live frame whose mapped time is this far from the wall clock re-anchors
 *                       the stream-to-wall-clock mapping
 * @param folderFps      rate of an image folder when the camera sets no fps
 * @param failFast       a source that cannot be opened the first time ends run() with
 *                       {@link CameraUnavailableException}; false = live sources are retried forever
 */
public record CameraSettings(int queueCapacity, Duration readTimeout, Duration backoffInitial, Duration backoffMax,
        Duration maxLag, Duration maxClockSkew, double folderFps, boolean failFast) {

    public CameraSettings {
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queue capacity must be >= 1");
        }
        if (folderFps <= 0) {
            throw new IllegalArgumentException("folder fps must be > 0");
        }
    }

    public static CameraSettings defaults() {
        return new CameraSettings(8, Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofSeconds(30),
                Duration.ofMillis(500), Duration.ofSeconds(2), 10, true);
    }

    public CameraSettings withFailFast(boolean value) {
        return new CameraSettings(queueCapacity, readTimeout, backoffInitial, backoffMax, maxLag, maxClockSkew,
                folderFps, value);
    }

    public CameraSettings withReadTimeout(Duration value) {
        return new CameraSettings(queueCapacity, value, backoffInitial, backoffMax, maxLag, maxClockSkew,
                folderFps, failFast);
    }

    public CameraSettings withBackoff(Duration initial, Duration max) {
        return new CameraSettings(queueCapacity, readTimeout, initial, max, maxLag, maxClockSkew, folderFps, failFast);
    }

    public CameraSettings withQueueCapacity(int value) {
        return new CameraSettings(value, readTimeout, backoffInitial, backoffMax, maxLag, maxClockSkew, folderFps,
                failFast);
    }
}
