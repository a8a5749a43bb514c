package lookout.camera;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/** BGR image to JPEG bytes, optionally scaled down to a maximum width. One per thread. */
final class JpegEncoder implements AutoCloseable {
    private final int maxWidth;
    private final IntPointer params;
    private final Mat scaled = new Mat();
    private final BytePointer buffer = new BytePointer();

    JpegEncoder(int maxWidth, int quality) {
        this.maxWidth = maxWidth;
        this.params = new IntPointer(IMWRITE_JPEG_QUALITY, quality);
    }

    byte[] encode(Mat bgr) {
        Mat image = bgr;
        if (maxWidth > 0 && bgr.cols() > maxWidth) {
            int height = Math.max(1, (int) Math.round((double) bgr.rows() * maxWidth / bgr.cols()));
            try (Size size = new Size(maxWidth, height)) {
                resize(bgr, scaled, size, 0, 0, INTER_AREA);
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

    @Override
    public void close() {
        scaled.close();
        buffer.close();
        params.close();
    }
}
