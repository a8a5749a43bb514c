package lookout.camera;

import lookout.common.Names;

/**
 * One camera to bridge onto Kafka.
 *
 * @param cameraId    the record key on {@code lookout.frames}
 * @param source      rtsp/rtmp/http(s) URL, a video file, a folder of images, or a local device
 *                    ({@code /dev/video0})
 * @param fps         frames per second to publish, evenly down-sampled; 0 = the source's rate
 * @param maxWidth    frames wider than this are scaled down (aspect kept); 0 = unchanged
 * @param jpegQuality JPEG quality 1..100
 * @param loop        files and folders start over at the end (ignored for live sources)
 * @param realtime    files and folders are paced at their frame rate (dropping frames rather than
 *                    lagging); false = as fast as possible, lossless. Live sources are always live.
 */
public record CameraSpec(String cameraId, String source, double fps, int maxWidth, int jpegQuality,
        boolean loop, boolean realtime) {

    public CameraSpec {
        if (cameraId == null || cameraId.isBlank()) {
            throw new IllegalArgumentException("camera id must not be blank");
        }
        if (Names.cameraProblem(cameraId) != null) { // the detector would dead-letter every frame as bad-key
            throw new IllegalArgumentException(Names.cameraProblem(cameraId));
        }
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("camera " + cameraId + ": source must not be blank");
        }
        if (fps < 0 || Double.isNaN(fps) || Double.isInfinite(fps)) {
            throw new IllegalArgumentException("camera " + cameraId + ": fps must be >= 0, got " + fps);
        }
        if (maxWidth < 0) {
            throw new IllegalArgumentException("camera " + cameraId + ": max width must be >= 0, got " + maxWidth);
        }
        if (jpegQuality < 1 || jpegQuality > 100) {
            throw new IllegalArgumentException("camera " + cameraId + ": JPEG quality must be 1..100, got " + jpegQuality);
        }
    }

    /** A camera at its source rate and size, paced, not looping. */
    public static CameraSpec of(String cameraId, String source, int jpegQuality) {
        return new CameraSpec(cameraId, source, 0, 0, jpegQuality, false, true);
    }

    public SourceKind kind() {
        return SourceKind.of(source);
    }
}
