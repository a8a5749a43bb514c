package lookout.tiles;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import lookout.config.TileSettings;
import lookout.model.ModelMetadata;

/**
 * Which cameras' frames are analysed with tiles ({@link Tiling}). A camera's own tracks say how tall
 * its people are: the tracker reports the heights of the detections on confirmed tracks
 * ({@link #observe}), kept per camera over the last {@value #WINDOW} boxes and measured in the
 * model's input pixels (the model resizes each frame so that its short side is {@code minSize}: a
 * 60 px person on a 1080p frame is 27 px to the model). Under {@code auto}, a camera is tiled while
 * that median is under {@code smallPersonPx}, and untiled again above 1.25 times it (so a camera near
 * the bar does not flip on every frame); {@code on}/{@code off} per camera override it. Tiles cost one
 * inference each, so a frame is tiled only while the whole frame's inference time (a running mean,
 * {@link #inferred}) times 1 + tiles fits {@code maxFrameMs}. Thread-safe: stream threads of several
 * tasks call it. Bounded: at most {@value #MAX_CAMERAS} cameras are followed (later ones stay untiled
 * under auto).
 */
public final class TilePlanner {
    static final int WINDOW = 200;
    static final int MAX_CAMERAS = 4096;
    static final double HYSTERESIS = 1.25;
    /** Weight of the newest inference time in the running mean. */
    static final double ALPHA = 0.1;

    private final TileSettings settings;
    private final Tiling tiling;
    private final Supplier<ModelMetadata> model;
    private final Map<String, Sizes> cameras = new ConcurrentHashMap<>();
    private volatile double frameMs = Double.NaN;

    public TilePlanner(TileSettings settings, Supplier<ModelMetadata> model) {
        this.settings = settings;
        this.tiling = Tiling.parse(settings.grid(), settings.overlap());
        this.model = model;
    }

    /** The tracked heights of one camera, a ring of the last WINDOW, and its decision. */
    private static final class Sizes {
        final float[] heights = new float[WINDOW];
        int count;
        int next;
        boolean small;

        synchronized void add(float[] hs) {
            for (float h : hs) {
                heights[next] = h;
                next = (next + 1) % WINDOW;
                count = Math.min(WINDOW, count + 1);
            }
        }

        synchronized double median() {
            if (count == 0) {
                return Double.NaN;
            }
            float[] sorted = Arrays.copyOf(heights, count);
            Arrays.sort(sorted);
            return count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2.0;
        }
    }

    public Tiling tiling() {
        return tiling;
    }

    /**
     * Heights (source pixels) of the people on confirmed tracks in one analysed frame of {@code camera},
     * a {@code width x height} frame.
     */
    public void observe(String camera, int width, int height, float[] heights) {
        if (heights.length == 0 || !TileSettings.AUTO.equals(settings.modeOf(camera))) {
            return;
        }
        Sizes s = cameras.get(camera);
        if (s == null) {
            if (cameras.size() >= MAX_CAMERAS) {
                return;
            }
            s = cameras.computeIfAbsent(camera, c -> new Sizes());
        }
        double scale = inputScale(width, height);
        float[] scaled = new float[heights.length];
        for (int i = 0; i < heights.length; i++) {
            scaled[i] = (float) (heights[i] * scale);
        }
        s.add(scaled);
        synchronized (s) {
            if (s.count >= settings.minSamples()) {
                double median = s.median();
                s.small = s.small ? median < settings.smallPersonPx() * HYSTERESIS : median < settings.smallPersonPx();
            }
        }
    }

    /** One whole frame's inference took this long (the batch's time over its frames). */
    public void inferred(double msPerFrame) {
        double old = frameMs;
        frameMs = Double.isNaN(old) ? msPerFrame : old + ALPHA * (msPerFrame - old);
    }

    /** Whether the camera's people call for tiles (its mode, and under auto its tracked sizes), budget aside. */
    public boolean wants(String camera) {
        String mode = settings.modeOf(camera);
        if (TileSettings.ON.equals(mode)) {
            return true;
        }
        if (TileSettings.OFF.equals(mode)) {
            return false;
        }
        Sizes s = cameras.get(camera);
        if (s == null) {
            return false;
        }
        synchronized (s) {
            return s.small;
        }
    }

    /** Whether this camera's next frame is to be tiled: it wants tiles and the time budget allows them. */
    public boolean tile(String camera) {
        return wants(camera) && withinBudget();
    }

    /** Whether a tiled frame (1 + tiles inferences) fits {@code maxFrameMs} at the running inference time. */
    public boolean withinBudget() {
        double ms = frameMs;
        return Double.isNaN(ms) || ms * (1 + tiling.tiles()) <= settings.maxFrameMs();
    }

    /** The median tracked height of the camera in model input pixels (NaN before any), for metrics and tests. */
    public double medianInputPx(String camera) {
        Sizes s = cameras.get(camera);
        return s == null ? Double.NaN : s.median();
    }

    /** Model input pixels per source pixel: GeneralizedRCNN's resize (short side to minSize, long side at most maxSize). */
    double inputScale(int width, int height) {
        ModelMetadata m = model.get();
        if (m == null || m.minSize() == null) {
            return 1;
        }
        double scale = m.minSize() / (double) Math.min(width, height);
        if (m.maxSize() != null && Math.max(width, height) * scale > m.maxSize()) {
            scale = m.maxSize() / (double) Math.max(width, height);
        }
        return scale;
    }
}
