package lookout.stats;

import java.util.Arrays;

/**
 * A counting line across a camera's view, from A to B, in fractions of the frame (0..1, top-left
 * origin), so it holds whatever size the camera sends. A person crosses it when the bottom centre of
 * their box (where they stand) moves across the segment. Looking from A towards B on the image, a
 * crossing from the right-hand side to the left-hand side is {@link #IN}, the other way {@link #OUT}:
 * for A on the left and B on the right of the frame, walking up the image is "in". Which side a
 * point is on is decided outside a band around the line ({@link #side}), so a box jittering on the
 * line does not count in, out, in...
 */
public record CountingLine(double x1, double y1, double x2, double y2) {
    public static final int IN = 1;
    public static final int OUT = -1;
    public static final int NONE = 0;

    public CountingLine {
        for (double v : new double[] {x1, y1, x2, y2}) {
            if (!(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException("a counting line is x1,y1,x2,y2 in fractions of the frame (0..1), got "
                        + Arrays.toString(new double[] {x1, y1, x2, y2}));
            }
        }
        if (x1 == x2 && y1 == y2) {
            throw new IllegalArgumentException("a counting line needs two different end points");
        }
    }

    public static CountingLine of(double[] xyxy) {
        if (xyxy == null || xyxy.length != 4) {
            throw new IllegalArgumentException("a counting line is 4 numbers x1,y1,x2,y2, got "
                    + (xyxy == null ? "none" : xyxy.length));
        }
        return new CountingLine(xyxy[0], xyxy[1], xyxy[2], xyxy[3]);
    }

    public double[] toArray() {
        return new double[] {x1, y1, x2, y2};
    }

    /**
     * The side of the line a point is on: +1 right of A→B, -1 left, 0 within {@code margin} of the
     * (infinite) line, all in fractions of the frame.
     */
    public int side(double px, double py, double margin) {
        double distance = cross(px, py) / Math.hypot(x2 - x1, y2 - y1);
        return distance > margin ? 1 : distance < -margin ? -1 : 0;
    }

    /** Which way the step from (ax, ay) to (bx, by) crosses the segment: {@link #IN}, {@link #OUT} or {@link #NONE}. */
    public int crossing(double ax, double ay, double bx, double by) {
        double from = cross(ax, ay);
        double to = cross(bx, by);
        if (from == 0 || to == 0 || (from > 0) == (to > 0)) {
            return NONE; // touching the line is not crossing it; the next step decides
        }
        // the step crosses the infinite line; it crosses the segment if A and B lie on either side of the step
        double ex = bx - ax;
        double ey = by - ay;
        double sa = ex * (y1 - ay) - ey * (x1 - ax);
        double sb = ex * (y2 - ay) - ey * (x2 - ax);
        if ((sa > 0 && sb > 0) || (sa < 0 && sb < 0)) {
            return NONE;
        }
        // image y points down: a positive cross product is the right-hand side of A→B
        return from > 0 ? IN : OUT;
    }

    /** Cross product of A→B and A→P: positive on the right-hand side of A→B as seen on the image. */
    private double cross(double px, double py) {
        return (x2 - x1) * (py - y1) - (y2 - y1) * (px - x1);
    }
}
