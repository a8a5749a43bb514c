package lookout.config;

/**
 * What an encoded image may be before it is decoded ({@code lookout.frame.*}): the same limits for
 * camera frames, label images and dataset files, so a label cannot carry what a frame may not.
 *
 * @param maxBytes     largest encoded image
 * @param maxDimension largest width or height
 * @param maxPixels    largest width x height (decompression-bomb guard)
 */
public record FrameLimits(int maxBytes, int maxDimension, long maxPixels) {
}
