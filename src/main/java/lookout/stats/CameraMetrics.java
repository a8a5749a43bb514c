package lookout.stats;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import lookout.common.CameraTags;

/**
 * Per-camera meters of the detector (Prometheus names in brackets): people in view on the camera's
 * last analysed frame [lookout_camera_people{camera}], tracks started [lookout_camera_tracks_total{camera}],
 * counting-line crossings [lookout_camera_line_crossings_total{camera,direction}] and when the
 * detector last answered a frame of the camera [lookout_camera_last_frame_timestamp_seconds{camera}]:
 * {@code time() - that} is the camera's silence, what the stall alert watches. Frames in, analysed
 * and skipped per camera are the detect package's {@code lookout_frames_*} counters.
 */
public final class CameraMetrics {
    private final MeterRegistry registry;
    /** Tags bounded like the detector's: a producer inventing keys cannot grow the registry. */
    private final CameraTags tags = new CameraTags();
    private final Map<String, AtomicLong> people = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> lastFrameMillis = new ConcurrentHashMap<>();

    public CameraMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void people(String camera, int count) {
        people.computeIfAbsent(tags.of(camera), c -> {
            AtomicLong v = new AtomicLong();
            Gauge.builder("lookout.camera.people", v, AtomicLong::get).description("people in view on the last analysed frame")
                    .tag("camera", c).register(registry);
            return v;
        }).set(count);
    }

    /**
     * Counts tracks started. The counter exists from the camera's first analysed frame, at 0: a
     * counter born at its first increment would hide that increment from Prometheus's increase().
     */
    public void tracksStarted(String camera, long count) {
        Counter.builder("lookout.camera.tracks").description("tracks started (distinct people followed)")
                .tag("camera", tags.of(camera)).register(registry).increment(count);
    }

    /** Counts a crossing; {@link CountingLine#NONE} only makes sure both directions' counters exist (at 0). */
    public void crossed(String camera, int direction) {
        Counter in = crossings(camera, "in");
        Counter out = crossings(camera, "out");
        if (direction == CountingLine.IN) {
            in.increment();
        } else if (direction == CountingLine.OUT) {
            out.increment();
        }
    }

    private Counter crossings(String camera, String direction) {
        return Counter.builder("lookout.camera.line.crossings").description("counting-line crossings")
                .tag("camera", tags.of(camera)).tag("direction", direction).register(registry);
    }

    public void frameAnswered(String camera, long epochMillis) {
        lastFrameMillis.computeIfAbsent(tags.of(camera), c -> {
            AtomicLong v = new AtomicLong();
            Gauge.builder("lookout.camera.last.frame.timestamp", v, a -> a.get() / 1000.0)
                    .description("when the detector last answered a frame of the camera (epoch seconds)")
                    .baseUnit("seconds").tag("camera", c).register(registry);
            return v;
        }).set(epochMillis);
    }
}
