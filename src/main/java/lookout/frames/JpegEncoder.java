package lookout.frames;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * BGR image to JPEG bytes, scaled down (area interpolation, aspect ratio kept) when it exceeds a
 * maximum width or height: the camera's frames and the live page's thumbnails. One per thread (the
 * buffers are reused).
 */
public final class JpegEncoder implements AutoCloseable {
    private final IntPointer params;
    private final Mat scaled = new Mat();
    private final BytePointer buffer = new BytePointer();

    /** @param quality JPEG quality, 0-100 */
    public JpegEncoder(int quality) {
        this.params = new IntPointer(IMWRITE_JPEG_QUALITY, quality);
    }

    /**
     * @param maxWidth  the widest the JPEG may be; 0: any width
     * @param maxHeight the tallest the JPEG may be; 0: any height
     * @throws IllegalStateException when OpenCV cannot encode the image
     */
    public byte[] encode(Mat bgr, int maxWidth, int maxHeight) {
        Mat image = bgr;
        Size target = target(bgr.cols(), bgr.rows(), maxWidth, maxHeight);
        if (target != null) {
            try (target) {
                resize(bgr, scaled, target, 0, 0, INTER_AREA);
            }
            image = scaled;
        }
        if (!imencode(".jpg", image, buffer, params)) {
            throw new IllegalStateException("OpenCV could not encode a " + image.cols() + "x" + image.rows() + " frame as JPEG");
        }
        byte[] jpeg = new byte[(int) buffer.limit()];
        buffer.get(jpeg);
        return jpeg;
    }

    /** The size to scale to, or null when the image fits; the bound that binds is met exactly. */
    private static Size target(int cols, int rows, int maxWidth, int maxHeight) {
        double byWidth = maxWidth > 0 ? (double) maxWidth / cols : Double.POSITIVE_INFINITY;
        double byHeight = maxHeight > 0 ? (double) maxHeight / rows : Double.POSITIVE_INFINITY;
        if (byWidth >= 1 && byHeight >= 1) {
            return null;
        }
        if (byWidth <= byHeight) {
            return new Size(maxWidth, Math.max(1, (int) Math.round((double) rows * maxWidth / cols)));
        }
        return new Size(Math.max(1, (int) Math.round((double) cols * maxHeight / rows)), maxHeight);
    }

    @Override
    public void close() {
        scaled.close();
        buffer.close();
        params.close();
    }
}
