package lookout.track;

/** A box with an identity in one frame: a ground-truth person or a tracker's output. */
public record IdBox(long id, Rect box) {
}
