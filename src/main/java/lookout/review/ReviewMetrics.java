package lookout.review;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import lookout.common.CameraTags;

/** The picker's meters: frames picked per camera and reason, and picks that could not be sent. */
public final class ReviewMetrics {
    private final MeterRegistry registry;
    private final CameraTags cameras = new CameraTags();

    public ReviewMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void picked(String camera, java.util.List<String> reasons) {
        String tag = cameras.of(camera);
        counter("lookout_review_picked_total", tag, "any").increment();
        for (String r : reasons) {
            counter("lookout_review_picked_total", tag, r.substring(0, Math.max(0, r.indexOf(':')))).increment();
        }
    }

    void tooLarge(String camera) {
        counter("lookout_review_dropped_total", cameras.of(camera), "too-large").increment();
    }

    private Counter counter(String name, String camera, String reason) {
        return Counter.builder(name).tag("camera", camera).tag("reason", reason).register(registry);
    }
}
