package lookout.dataset;

import java.util.List;

/** An axis-aligned box in pixels, [x1, y1, x2, y2], top-left origin. */
public record Box(float x1, float y1, float x2, float y2) {

    /** x1, y1, x2, y2 of each box, one after the other. */
    public static float[] flat(List<Box> boxes) {
        float[] out = new float[4 * boxes.size()];
        for (int i = 0; i < boxes.size(); i++) {
            Box b = boxes.get(i);
            out[4 * i] = b.x1;
            out[4 * i + 1] = b.y1;
            out[4 * i + 2] = b.x2;
            out[4 * i + 3] = b.y2;
        }
        return out;
    }

    public static Box ofXywh(float x, float y, float w, float h) {
        return new Box(x, y, x + w, y + h);
    }

    public float width() {
        return Math.max(0f, x2 - x1);
    }

    public float height() {
        return Math.max(0f, y2 - y1);
    }

    public double area() {
        return (double) width() * height();
    }

    /** Intersection over union (continuous coordinates, as pycocotools). 0 when both are empty. */
    public double iou(Box other) {
        double iw = Math.min(x2, other.x2) - Math.max(x1, other.x1);
        double ih = Math.min(y2, other.y2) - Math.max(y1, other.y1);
        if (iw <= 0 || ih <= 0) {
            return 0;
        }
        double inter = iw * ih;
        double union = area() + other.area() - inter;
        return union <= 0 ? 0 : inter / union;
    }

    /** Mirror horizontally inside an image of the given width. */
    public Box flipHorizontal(int imageWidth) {
        return new Box(imageWidth - x2, y1, imageWidth - x1, y2);
    }

    public Box scale(double s) {
        return new Box((float) (x1 * s), (float) (y1 * s), (float) (x2 * s), (float) (y2 * s));
    }
}
