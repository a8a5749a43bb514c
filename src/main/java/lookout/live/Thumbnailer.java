package lookout.live;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

import lookout.frames.FrameDecoder;
import lookout.frames.ImageSize;
import lookout.frames.InvalidFrameException;
import lookout.frames.JpegEncoder;

/**
 * A small JPEG of a frame for the live page. The frame passes the detector's own checks first
 * ({@link FrameDecoder#check}: size, format, declared dimensions and pixels, end marker), so nothing
 * is decoded that the detector would refuse (a decompression bomb, a truncated stream). Decodes at
 * 1/2, 1/4 or 1/8 scale when the frame is that much wider than the thumbnail (libjpeg scales while
 * decoding, far cheaper than a full decode), then resizes to the thumbnail width (and at most twice
 * that in height) with the camera's {@link JpegEncoder}. One instance per thread (the buffers are reused).
 */
final class Thumbnailer implements AutoCloseable {
    private final FrameDecoder decoder;
    private final int width;
    private final JpegEncoder encoder;

    Thumbnailer(FrameDecoder decoder, int width, int quality) {
        this.decoder = decoder;
        this.width = width;
        this.encoder = new JpegEncoder(quality);
    }

    /** @return the thumbnail's JPEG bytes, or null when the frame fails the checks or does not decode */
    byte[] thumbnail(byte[] encoded) {
        ImageSize size;
        try {
            size = decoder.check(encoded);
        } catch (InvalidFrameException e) {
            return null; // the detector dead-letters it: no thumbnail either
        }
        int ratio = (int) (size.width() / width);
        int flag = ratio >= 8 ? IMREAD_REDUCED_COLOR_8 : ratio >= 4 ? IMREAD_REDUCED_COLOR_4
                : ratio >= 2 ? IMREAD_REDUCED_COLOR_2 : IMREAD_COLOR;
        try (BytePointer data = new BytePointer(encoded);
                Mat buffer = new Mat(1, encoded.length, opencv_core.CV_8UC1, data);
                Mat bgr = imdecode(buffer, flag)) {
            if (bgr == null || bgr.empty()) {
                return null;
            }
            return encoder.encode(bgr, width, 2 * width);
        } catch (RuntimeException e) {
            return null; // a frame the detector dead-letters has no thumbnail either
        }
    }

    @Override
    public void close() {
        encoder.close();
    }
}
