package lookout.frames;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

import lookout.config.FrameLimits;

/**
 * Turns encoded frame bytes (JPEG, PNG, BMP) into RGB pixels, refusing anything that is not a
 * plausible camera image with a typed reason. Thread-safe: OpenCV's decoder keeps no state.
 */
public final class FrameDecoder {
    private final int maxBytes;
    private final int maxDimension;
    private final long maxPixels;

    /** A decoder that refuses what {@code lookout.frame.*} does not admit. */
    public FrameDecoder(FrameLimits limits) {
        this.maxBytes = limits.maxBytes();
        this.maxDimension = limits.maxDimension();
        this.maxPixels = limits.maxPixels();
    }

    /** Width and height as the image header declares them, without decoding any pixel. */
    public static ImageSize headerSize(byte[] bytes) throws InvalidFrameException {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidFrameException(DeadLetterReason.EMPTY, "image has no bytes");
        }
        return ImageFormat.sniff(bytes).size(bytes);
    }

    /**
     * Every check {@link #decode} makes short of decoding pixels (size, format, declared dimensions,
     * end marker): what a frame answered without analysis still has to pass.
     */
    public ImageSize check(byte[] bytes) throws InvalidFrameException {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidFrameException(DeadLetterReason.EMPTY, "frame has no bytes");
        }
        if (bytes.length > maxBytes) {
            throw new InvalidFrameException(DeadLetterReason.TOO_LARGE,
                    "frame is " + bytes.length + " bytes, limit " + maxBytes);
        }
        ImageFormat format = ImageFormat.sniff(bytes);
        ImageSize size = format.size(bytes);
        if (size.width() <= 0 || size.height() <= 0 || size.width() > maxDimension || size.height() > maxDimension) {
            throw new InvalidFrameException(DeadLetterReason.BAD_DIMENSIONS,
                    format + " declares " + size.width() + "x" + size.height() + ", allowed 1.." + maxDimension);
        }
        if (size.width() * size.height() > maxPixels) {
            throw new InvalidFrameException(DeadLetterReason.TOO_MANY_PIXELS,
                    format + " declares " + size.width() + "x" + size.height() + " pixels, limit " + maxPixels);
        }
        if (!format.complete(bytes)) {
            throw new InvalidFrameException(DeadLetterReason.CORRUPT, format + " is truncated (no end marker)");
        }
        return size;
    }

    public DecodedImage decode(byte[] bytes) throws InvalidFrameException {
        ImageSize size = check(bytes);
        ImageFormat format = ImageFormat.sniff(bytes);
        try (BytePointer data = new BytePointer(bytes);
                Mat encoded = new Mat(1, bytes.length, opencv_core.CV_8UC1, data);
                Mat bgr = imdecode(encoded, IMREAD_COLOR)) {
            if (bgr == null || bgr.empty()) {
                throw new InvalidFrameException(DeadLetterReason.CORRUPT, format + " could not be decoded");
            }
            if (bgr.cols() != size.width() || bgr.rows() != size.height()) {
                throw new InvalidFrameException(DeadLetterReason.CORRUPT, format + " header says "
                        + size.width() + "x" + size.height() + " but decodes to " + bgr.cols() + "x" + bgr.rows());
            }
            try (Mat rgb = new Mat()) {
                cvtColor(bgr, rgb, COLOR_BGR2RGB);
                byte[] pixels = new byte[rgb.cols() * rgb.rows() * 3];
                rgb.data().get(pixels);
                return new DecodedImage(rgb.cols(), rgb.rows(), pixels);
            }
        } catch (RuntimeException e) {
            // OpenCV raises on some malformed streams; that is bad input, not a service fault
            throw new InvalidFrameException(DeadLetterReason.CORRUPT, format + " decoder error: " + e.getMessage());
        }
    }
}
