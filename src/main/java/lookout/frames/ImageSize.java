package lookout.frames;

/** Width and height an encoded image declares in its header (long: a hostile header may say anything). */
public record ImageSize(long width, long height) {
}
