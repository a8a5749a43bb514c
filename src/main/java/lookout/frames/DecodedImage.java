package lookout.frames;

/**
 * A decoded frame: interleaved RGB bytes, row-major (height x width x 3).
 * Kept as raw bytes so the batcher can hand it to any device without a decoder in the way.
 */
public record DecodedImage(int width, int height, byte[] rgb) {
    public DecodedImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image must have positive size, got " + width + "x" + height);
        }
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("expected " + (width * height * 3) + " RGB bytes, got " + rgb.length);
        }
    }
}
