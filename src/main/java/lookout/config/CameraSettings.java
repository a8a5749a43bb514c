package lookout.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Tuning shared by all cameras of a process ({@code lookout.camera.*}).
 *
 * @param queueCapacity  frames between capture and send; when full the oldest is dropped
 * @param readTimeout    a network stream silent this long counts as lost (FFmpeg socket timeout)
 * @param backoffInitial first reconnect delay
 * @param backoffMax     longest reconnect delay
 * @param maxLag         a paced file/folder frame this late is dropped to keep real time
 * @param maxClockSkew   a live frame whose mapped time is this far from the wall clock re-anchors
 *                       the stream-to-wall-clock mapping
 * @param folderFps      rate of an image folder when the camera sets no fps
 * @param jpegQuality    JPEG quality of cameras that do not set one
 * @param statusInterval seconds between status lines (0 = none)
 * @param ffmpegLogLevel FFmpeg's own stderr logging: quiet, panic, fatal, error, warning, info, verbose, debug
 * @param failFast       a source that cannot be opened the first time ends the camera with an
 *                       error; false = live sources are retried forever
 * @param tlsCaFile      PEM certificates that https/rtsps cameras must present a chain to (their host
 *                       name checked too); null = TLS camera certificates are not verified
 */
public record CameraSettings(int queueCapacity, Duration readTimeout, Duration backoffInitial, Duration backoffMax,
        Duration maxLag, Duration maxClockSkew, double folderFps, int jpegQuality, int statusInterval,
        String ffmpegLogLevel, boolean failFast, Path tlsCaFile) {

    public CameraSettings {
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queue capacity must be >= 1");
        }
        if (folderFps <= 0) {
            throw new IllegalArgumentException("folder fps must be > 0");
        }
    }

    public CameraSettings withFailFast(boolean value) {
        return new CameraSettings(queueCapacity, readTimeout, backoffInitial, backoffMax, maxLag, maxClockSkew,
                folderFps, jpegQuality, statusInterval, ffmpegLogLevel, value, tlsCaFile);
    }

    public CameraSettings withReadTimeout(Duration value) {
        return new CameraSettings(queueCapacity, value, backoffInitial, backoffMax, maxLag, maxClockSkew,
                folderFps, jpegQuality, statusInterval, ffmpegLogLevel, failFast, tlsCaFile);
    }

    public CameraSettings withBackoff(Duration initial, Duration max) {
        return new CameraSettings(queueCapacity, readTimeout, initial, max, maxLag, maxClockSkew, folderFps,
                jpegQuality, statusInterval, ffmpegLogLevel, failFast, tlsCaFile);
    }

    public CameraSettings withTlsCaFile(Path value) {
        return new CameraSettings(queueCapacity, readTimeout, backoffInitial, backoffMax, maxLag, maxClockSkew, folderFps,
                jpegQuality, statusInterval, ffmpegLogLevel, failFast, value);
    }

    public CameraSettings withQueueCapacity(int value) {
        return new CameraSettings(value, readTimeout, backoffInitial, backoffMax, maxLag, maxClockSkew, folderFps,
                jpegQuality, statusInterval, ffmpegLogLevel, failFast, tlsCaFile);
    }
}
