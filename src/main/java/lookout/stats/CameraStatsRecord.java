package lookout.stats;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The value of a {@code lookout.camera-stats} record (JSON, key = camera id): one camera over one
 * tumbling window of capture time [windowStart, windowEnd) in epoch ms. {@code people} (persons
 * detected per analysed frame) is absent when no frame of the window was analysed; {@code line} is
 * absent when the camera has no counting line; {@code tracks} counts distinct track ids seen.
 * Windows are of service time: {@code clockSkewMs} (the largest skew among them, + = camera ahead)
 * and {@code frames.rebased} appear only when some of the window's frames were placed by their send
 * time because the camera's clock was off by more than {@code lookout.clock.max-skew}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"camera", "windowStart", "windowEnd", "clockSkewMs"})
public record CameraStatsRecord(String camera, long windowStart, long windowEnd, Frames frames, People people,
        int tracks, Line line, Long clockSkewMs) {

    /** A window whose frames were all placed by their capture time. */
    public CameraStatsRecord(String camera, long windowStart, long windowEnd, Frames frames, People people, int tracks,
            Line line) {
        this(camera, windowStart, windowEnd, frames, people, tracks, line, null);
    }

    /**
     * @param skippedBy skipped frames by reason (superseded, stale, overload)
     * @param late      frames whose window had already been published when they arrived (not in these numbers)
     * @param rebased   frames placed by their send time (the camera's clock was off); absent when none
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Frames(long analysed, long skipped, Map<String, Long> skippedBy, long late, Long rebased) {
        public Frames(long analysed, long skipped, Map<String, Long> skippedBy, long late) {
            this(analysed, skipped, skippedBy, late, null);
        }
    }

    public record People(int min, double mean, int max) {
    }

    public record Line(long in, long out) {
    }
}
