package lookout.detections;

import java.util.List;

import org.apache.kafka.common.serialization.Serializer;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;

import lookout.common.Json;

/**
 * The value of a {@code lookout.detections} record (JSON). {@code status} is "ok" (the frame was
 * analysed; {@code detections} may be empty: nobody there) or "skipped" (not analysed, see
 * {@code reason}: "superseded" by a newer frame of the camera, "stale", "overload", or "not-sampled" under
 * {@code every-nth-frame}); boxes are
 * [x1, y1, x2, y2] in source-image pixels, highest score first. {@code droppedDetections} appears
 * only when a frame had more detections than one record may carry (the lowest-scoring were left out).
 * An item's {@code trackId} names the person across frames (per camera); it is absent while the
 * detection is on no confirmed track. {@code clockSkewMs} appears only when the camera's clock was
 * off by more than {@code lookout.clock.max-skew} (see {@code detect.CaptureClock}): the service then used
 * the time the frame was sent, not {@code captureTs}, for everything it decided.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"camera", "seq", "captureTs", "clockSkewMs"})
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
        Timings timings,
        Long clockSkewMs) {

    public static final String OK = "ok";
    public static final String SKIPPED = "skipped";
    public static final String STALE = "stale";
    public static final String OVERLOAD = "overload";
    public static final String SUPERSEDED = "superseded";
    /** Left out by {@code lookout.scheduling=every-nth-frame}: not one of the camera's sampled frames. */
    public static final String NOT_SAMPLED = "not-sampled";

    /** A record of a camera whose clock is trusted (no {@code clockSkewMs}). */
    public DetectionRecord(String camera, long seq, long captureTs, int width, int height, ModelRef model, String status,
            String reason, List<Item> detections, Integer droppedDetections, Timings timings) {
        this(camera, seq, captureTs, width, height, model, status, reason, detections, droppedDetections, timings, null);
    }

    /**
     * The frame's service time: its capture time, or, for a camera whose clock was off by more than
     * the bound, the time it was sent (capture time minus the skew). What statistics windows use.
     */
    @JsonIgnore
    public long serviceTs() {
        return clockSkewMs == null ? captureTs : captureTs - clockSkewMs;
    }

    /** The same record listing only these detections, saying how many were left out to fit the topic. */
    public DetectionRecord withDetections(List<Item> kept, int dropped) {
        return new DetectionRecord(camera, seq, captureTs, width, height, model, status, reason, kept,
                dropped > 0 ? dropped : null, timings, clockSkewMs);
    }

    public record ModelRef(String name, String version) {
    }

    /**
     * One published detection. {@code appearance} is its colour descriptor ({@link Appearance}) for the
     * tracker after detection: it travels with the item inside the topology but is never published.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Item(String label, float score, float[] box, Long trackId, @JsonIgnore float[] appearance) {
        public Item(String label, float score, float[] box, Long trackId) {
            this(label, score, box, trackId, null);
        }

        public static Item of(Detection d, float[] appearance) {
            return new Item(d.label(), d.score(), d.box(), null, appearance);
        }

        public Item withTrackId(long id) {
            return new Item(label, score, box, id, appearance);
        }

        public Detection detection() {
            return new Detection(label, score, box[0], box[1], box[2], box[3]);
        }
    }

    public boolean analysed() {
        return OK.equals(status);
    }

    /** The same record with these items in place of its own (the tracker's: the same detections with track ids). */
    public DetectionRecord withDetections(List<Item> items) {
        return new DetectionRecord(camera, seq, captureTs, width, height, model, status, reason, items,
                droppedDetections, timings, clockSkewMs);
    }

    /** The record as it is published: JSON bytes. */
    public byte[] toJson() {
        try {
            return Json.MAPPER.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a detections record", e);
        }
    }

    /** For the sink of {@code lookout.detections}. */
    public static Serializer<DetectionRecord> serializer() {
        return (topic, record) -> record == null ? null : record.toJson();
    }

    /**
     * Milliseconds; queue/inference/batch only for analysed frames. {@code tiles}: only on a frame
     * analysed as tiles too (small people), how many; their inference is not in {@code inferenceMs}
     * (the whole frame's), but in {@code endToEndMs}.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Timings(Double queueMs, Double inferenceMs, Integer batchSize, long endToEndMs, Integer tiles) {
        public Timings(Double queueMs, Double inferenceMs, Integer batchSize, long endToEndMs) {
            this(queueMs, inferenceMs, batchSize, endToEndMs, null);
        }
    }
}
