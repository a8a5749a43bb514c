package lookout.detect;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The value of a {@code lookout.detections} record (JSON). {@code status} is "ok" (the frame was
 * analysed; {@code detections} may be empty: nobody there) or "skipped" (not analysed, see
 * {@code reason}: "superseded" by a newer frame of the camera, "stale" or "overload"); boxes are
 * [x1, y1, x2, y2] in source-image pixels, highest score first. {@code droppedDetections} appears
 * only when a frame had more detections than one record may carry (the lowest-scoring were left out).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record DetectionRecord(
        String camera,
        long seq,
        long captureTs,
        int width,
        int height,
        ModelRef model,
        String status,
        String reason,
        List<Item> detections,
        Integer droppedDetections,
        Timings timings) {

    public static final String OK = "ok";
    public static final String SKIPPED = "skipped";
    public static final String STALE = "stale";
    public static final String OVERLOAD = "overload";
    public static final String SUPERSEDED = "superseded";

    /** The same record listing only these detections, saying how many were left out to fit the topic. */
    public DetectionRecord withDetections(List<Item> kept, int dropped) {
        return new DetectionRecord(camera, seq, captureTs, width, height, model, status, reason, kept,
                dropped > 0 ? dropped : null, timings);
    }

    public record ModelRef(String name, String version) {
    }

    public record Item(String label, float score, float[] box) {
        static Item of(Detection d) {
            return new Item(d.label(), d.score(), d.box());
        }
    }

    /** Milliseconds; queue/inference/batch only for analysed frames. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Timings(Double queueMs, Double inferenceMs, Integer batchSize, long endToEndMs) {
    }
}
