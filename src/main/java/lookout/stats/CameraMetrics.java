package lookout.stats;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

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
    private final Map<String, AtomicLong> people = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> lastFrameMillis = new ConcurrentHashMap<>();

    public CameraMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void people(String camera, int count) {
        people.computeIfAbsent(camera, c -> {
            AtomicLong v = new AtomicLong();
            Gauge.builder("lookout.camera.people", v, AtomicLong::get).description("people in view on the last analysed frame")
                    .tag("camera", c).register(registry);
            return v;
        }).set(count);
    }

    public void tracksStarted(String camera, long count) {
        if (count > 0) {
            Counter.builder("lookout.camera.tracks").description("tracks started (distinct people followed)")
                    .tag("camera", camera).register(registry).increment(count);
        }
    }

    public void crossed(String camera, int direction) {
        if (direction != CountingLine.NONE) {
            Counter.builder("lookout.camera.line.crossings").description("counting-line crossings")
                    .tag("camera", camera).tag("direction", direction == CountingLine.IN ? "in" : "out")
                    .register(registry).increment();
        }
    }

    public void frameAnswered(String camera, long epochMillis) {
        lastFrameMillis.computeIfAbsent(camera, c -> {
            AtomicLong v = new AtomicLong();
            Gauge.builder("lookout.camera.last.frame.timestamp", v, a -> a.get() / 1000.0)
                    .description("when the detector last answered a frame of the camera (epoch seconds)")
                    .baseUnit("seconds").tag("camera", c).register(registry);
            return v;
        }).set(epochMillis);
    }
}
