package lookout.track;

/**
 * An axis-aligned box in pixels, [x1, y1, x2, y2], top-left origin. The tracker keeps its own
 * geometry type (doubles, as the Kalman state) rather than borrowing the evaluation package's box.
 */
public record Rect(double x1, double y1, double x2, double y2) {

    public static Rect ofXywh(double left, double top, double w, double h) {
        return new Rect(left, top, left + w, top + h);
    }

    public double width() {
        return Math.max(0, x2 - x1);
    }

    public double height() {
        return Math.max(0, y2 - y1);
    }

    public double area() {
        return width() * height();
    }

    public double centerX() {
        return (x1 + x2) / 2;
    }

    public double centerY() {
        return (y1 + y2) / 2;
    }

    /** Intersection over union, continuous coordinates; 0 when either box is empty. */
    public double iou(Rect other) {
        double iw = Math.min(x2, other.x2) - Math.max(x1, other.x1);
        double ih = Math.min(y2, other.y2) - Math.max(y1, other.y1);
        if (iw <= 0 || ih <= 0) {
            return 0;
        }
        double inter = iw * ih;
        double union = area() + other.area() - inter;
        return union <= 0 ? 0 : inter / union;
    }
}
