package lookout.detections;

import lookout.frames.DecodedImage;

/**
 * A cheap appearance descriptor of a person's box for the tracker: colour histograms of the upper and
 * the lower half of the box's central part (clothes: shirt and trousers), so two people close together
 * can be told apart where their boxes alone cannot. No model, a few thousand pixel reads per box.
 *
 * <p>Each half is a hue x saturation histogram of its coloured pixels (8 hues x 2 saturation levels)
 * plus 4 brightness bins for the grey ones (low saturation: hue is noise there), L1-normalised and
 * square-rooted. The descriptor is both halves, scaled to unit length, so the dot product of two
 * descriptors is the mean Bhattacharyya coefficient of their halves: {@link #distance} is 1 minus it,
 * 0 for identical colours, 1 for nothing in common. Only the middle 60% of the width and 10-90% of
 * the height is read: a pedestrian box's corners are background.
 */
public final class Appearance {
    static final int HUES = 8;
    static final int SATURATIONS = 2;
    static final int GREYS = 4;
    static final int HALF = HUES * SATURATIONS + GREYS;
    /** Length of a descriptor. */
    public static final int LENGTH = 2 * HALF;
    /** At most this many samples along each side of a half: the cost is bounded whatever the box size. */
    private static final int MAX_STEPS = 24;
    private static final float GREY_SATURATION = 0.2f;
    private static final float HIGH_SATURATION = 0.5f;

    private Appearance() {
    }

    /**
     * The descriptor of the box {@code [x1, y1, x2, y2]} (source pixels; clipped to the image), or
     * null when too little of it lies inside the image to say anything.
     */
    public static float[] of(DecodedImage image, float x1, float y1, float x2, float y2) {
        float w = x2 - x1;
        float h = y2 - y1;
        if (!(w >= 2 && h >= 4)) {
            return null;
        }
        int left = clamp(Math.round(x1 + 0.2f * w), image.width());
        int right = clamp(Math.round(x2 - 0.2f * w), image.width());
        int top = clamp(Math.round(y1 + 0.1f * h), image.height());
        int middle = clamp(Math.round(y1 + 0.5f * h), image.height());
        int bottom = clamp(Math.round(y1 + 0.9f * h), image.height());
        float[] out = new float[LENGTH];
        int upper = histogram(image, left, right, top, middle, out, 0);
        int lower = histogram(image, left, right, middle, bottom, out, HALF);
        if (upper == 0 && lower == 0) {
            return null;
        }
        finish(out, 0, upper);
        finish(out, HALF, lower);
        return out;
    }

    /** The descriptor of a detection's box. */
    public static float[] of(DecodedImage image, Detection d) {
        return of(image, d.x1(), d.y1(), d.x2(), d.y2());
    }

    /** 1 - cosine similarity of two descriptors, in [0, 1]; 0 when either is missing (no evidence, no objection). */
    public static double distance(float[] a, float[] b) {
        if (a == null || b == null) {
            return 0;
        }
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return Math.max(0, Math.min(1, 1 - dot));
    }

    /**
     * A running descriptor: {@code keep} of the old one plus the rest of the new one, back to unit
     * length (a track's appearance follows slow lighting changes, not one odd frame).
     */
    public static float[] blend(float[] old, float[] fresh, double keep) {
        if (old == null) {
            return fresh;
        }
        if (fresh == null) {
            return old;
        }
        float[] out = new float[old.length];
        double norm = 0;
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (keep * old[i] + (1 - keep) * fresh[i]);
            norm += out[i] * out[i];
        }
        float scale = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0;
        for (int i = 0; i < out.length; i++) {
            out[i] *= scale;
        }
        return out;
    }

    private static int histogram(DecodedImage image, int x0, int x1, int y0, int y1, float[] out, int offset) {
        if (x1 <= x0 || y1 <= y0) {
            return 0;
        }
        int stepX = Math.max(1, (x1 - x0) / MAX_STEPS);
        int stepY = Math.max(1, (y1 - y0) / MAX_STEPS);
        byte[] rgb = image.rgb();
        int width = image.width();
        int count = 0;
        for (int y = y0; y < y1; y += stepY) {
            for (int x = x0, p = (y * width + x0) * 3; x < x1; x += stepX, p += 3 * stepX) {
                out[offset + bin(rgb[p] & 0xFF, rgb[p + 1] & 0xFF, rgb[p + 2] & 0xFF)]++;
                count++;
            }
        }
        return count;
    }

    /** The bin of one pixel: hue x saturation for coloured pixels, brightness for grey ones. */
    static int bin(int r, int g, int b) {
        int max = Math.max(r, Math.max(g, b));
        int min = Math.min(r, Math.min(g, b));
        int chroma = max - min;
        if (max == 0 || chroma < GREY_SATURATION * max) {
            return HUES * SATURATIONS + Math.min(GREYS - 1, max * GREYS / 256);
        }
        float hue; // in [0, 6)
        if (max == r) {
            hue = (float) (g - b) / chroma;
            if (hue < 0) {
                hue += 6;
            }
        } else if (max == g) {
            hue = 2 + (float) (b - r) / chroma;
        } else {
            hue = 4 + (float) (r - g) / chroma;
        }
        int h = Math.min(HUES - 1, (int) (hue * HUES / 6));
        int s = chroma < HIGH_SATURATION * max ? 0 : 1;
        return h * SATURATIONS + s;
    }

    /** Normalises one half to unit L1, takes square roots, and weighs it by 1/sqrt(2) (two halves, unit length). */
    private static void finish(float[] v, int offset, int count) {
        if (count == 0) {
            return;
        }
        double half = Math.sqrt(0.5);
        for (int i = offset; i < offset + HALF; i++) {
            v[i] = (float) (Math.sqrt(v[i] / count) * half);
        }
    }

    private static int clamp(int v, int size) {
        return Math.max(0, Math.min(size, v));
    }
}
