package lookout.detections;

/** One detected object; the box is in source-image pixels, top-left origin, [x1, y1, x2, y2]. */
public record Detection(String label, float score, float x1, float y1, float x2, float y2) {
    public float[] box() {
        return new float[] {x1, y1, x2, y2};
    }
}
