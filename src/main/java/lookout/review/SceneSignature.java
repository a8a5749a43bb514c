package lookout.review;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * A frame reduced to 16x12 grey levels: enough to tell a scene that changed from one that did not, at
 * the cost of a 1/8-scale decode (libjpeg scales while decoding). Two pictures of the same empty
 * street differ by a grey level or two (noise, compression); a crowd that moved, a light switched on
 * or a camera that turned, by many.
 */
public final class SceneSignature {
    public static final int WIDTH = 16;
    public static final int HEIGHT = 12;

    private SceneSignature() {
    }

    /** The signature of an encoded picture (JPEG, PNG, BMP), or null when it does not decode. */
    public static double[] of(byte[] encoded) {
        if (encoded == null || encoded.length == 0) {
            return null;
        }
        try (BytePointer data = new BytePointer(encoded);
                Mat buffer = new Mat(1, encoded.length, opencv_core.CV_8UC1, data);
                Mat grey = imdecode(buffer, IMREAD_REDUCED_GRAYSCALE_8);
                Mat small = new Mat();
                Size size = new Size(WIDTH, HEIGHT)) {
            if (grey == null || grey.empty()) {
                return null;
            }
            resize(grey, small, size, 0, 0, INTER_AREA);
            double[] out = new double[WIDTH * HEIGHT];
            try (UByteIndexer px = small.createIndexer()) {
                for (int y = 0; y < HEIGHT; y++) {
                    for (int x = 0; x < WIDTH; x++) {
                        out[y * WIDTH + x] = px.get(y, x);
                    }
                }
            }
            return out;
        } catch (RuntimeException e) {
            return null; // the detector decoded it, so this is rare; the scene check then lets it through
        }
    }

    /** Mean absolute difference of grey levels (0..255). */
    public static double distance(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs(a[i] - b[i]);
        }
        return sum / a.length;
    }
}
