package lookout.camera;

import org.bytedeco.opencv.opencv_core.Mat;

/** Decoded frames from one opened source. Not thread-safe: used by one capture loop. */
interface FrameSource extends AutoCloseable {

    /** One decoded BGR image, valid until the next {@link #grab()}, and its media time. */
    record Captured(Mat image, long timestampMicros) {
    }

    /** The next frame, or null at the end of the source. */
    Captured grab() throws SourceException;

    /** Nominal frames per second, 0 when unknown. */
    double frameRate();

    /** Short description for logs, e.g. "h264 768x576 @ 10.0 fps". */
    String describe();

    @Override
    void close();
}
