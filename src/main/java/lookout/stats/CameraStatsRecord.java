package lookout.stats;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The value of a {@code lookout.camera-stats} record (JSON, key = camera id): one camera over one
 * tumbling window of capture time [windowStart, windowEnd) in epoch ms. {@code people} (persons
 * detected per analysed frame) is absent when no frame of the window was analysed; {@code line} is
 * absent when the camera has no counting line; {@code tracks} counts distinct track ids seen.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CameraStatsRecord(String camera, long windowStart, long windowEnd, Frames frames, People people,
        int tracks, Line line) {

    /**
     * @param skippedBy skipped frames by reason (superseded, stale, overload)
     * @param late      frames whose window had already been published when they arrived (not in these numbers)
     */
    public record Frames(long analysed, long skipped, Map<String, Long> skippedBy, long late) {
    }

    public record People(int min, double mean, int max) {
    }

    public record Line(long in, long out) {
    }
}
