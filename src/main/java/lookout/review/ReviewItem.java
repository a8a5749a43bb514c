package lookout.review;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;

import lookout.common.Json;
import lookout.common.Sha256;
import lookout.detections.Detection;
import lookout.detections.DetectionRecord;

/**
 * A frame offered for review: the {@value lookout.kafka.Topics#HEADER_REVIEW_ITEM} header of a
 * {@code lookout.review} record (JSON), whose key is {@link #id} and whose value is the picture, byte
 * for byte as the camera sent it. {@code detections} are what the model published (the reviewer starts
 * from them), {@code below} what it scored just under the threshold (drawn as hints), {@code reasons}
 * why the frame was picked (see {@link Uncertainty}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReviewItem(String id, String camera, long seq, long captureTs, int width, int height,
        DetectionRecord.ModelRef model, float threshold, List<DetectionRecord.Item> detections, List<Hint> below,
        List<String> reasons, double uncertainty, long pickedAt) {

    /** Most boxes an item lists (the picture plus this must fit a frames-sized record). */
    static final int MAX_BOXES = 200;
    static final int MAX_HINTS = 50;

    public ReviewItem {
        detections = detections == null ? List.of() : List.copyOf(detections);
        below = below == null ? List.of() : List.copyOf(below);
        reasons = reasons == null ? List.of() : List.copyOf(reasons);
    }

    /** A detection under the threshold: the page draws it faintly, a click makes it a box. */
    public record Hint(float score, float[] box) {
    }

    /**
     * The item id of a camera's frame: the same frame always gets the same id (a frame processed again
     * after a crash replaces its item instead of adding one), and it reveals nothing a reviewer should not see.
     */
    public static String idOf(String camera, long seq, long captureTs) {
        return "r-" + Sha256.hex(Sha256.digest(camera + "\n" + seq + "\n" + captureTs)).substring(0, 20);
    }

    public static ReviewItem of(ReviewPicker.Pick pick, float threshold) {
        PickerFrame f = pick.frame();
        List<DetectionRecord.Item> boxes = f.items().size() > MAX_BOXES ? f.items().subList(0, MAX_BOXES) : f.items();
        List<Hint> hints = new ArrayList<>();
        for (Detection d : f.below()) {
            if (hints.size() == MAX_HINTS) {
                break;
            }
            hints.add(new Hint(round(d.score()), new float[] {d.x1(), d.y1(), d.x2(), d.y2()}));
        }
        return new ReviewItem(idOf(f.camera(), f.seq(), f.captureTs()), f.camera(), f.seq(), f.captureTs(), f.width(),
                f.height(), f.model(), threshold, boxes, hints, pick.uncertainty().reasons(),
                Math.round(pick.uncertainty().score() * 1000) / 1000.0, pick.pickedAt());
    }

    public byte[] toJson() {
        try {
            return Json.MAPPER.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a review item", e);
        }
    }

    /** An item read back from its header; IOException when it is not one. */
    public static ReviewItem parse(byte[] json) throws IOException {
        ReviewItem item = Json.MAPPER.readValue(json, ReviewItem.class);
        if (item.id() == null || item.camera() == null || item.width() <= 0 || item.height() <= 0) {
            throw new IOException("a review item needs id, camera, width and height: "
                    + new String(json, 0, Math.min(json.length, 200), StandardCharsets.UTF_8));
        }
        return item;
    }

    private static float round(float v) {
        return Math.round(v * 1000) / 1000f;
    }
}
