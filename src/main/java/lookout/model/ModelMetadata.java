package lookout.model;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The metadata JSON that travels with every model artifact ({@code model.json} beside
 * {@code model.pt}). Written by {@code model/export.py} and by the Java fine-tuner.
 *
 * @param name            model family name, e.g. "lookout-pedestrian"
 * @param version         monotonically increasing integer version, as a string ("1", "2"...)
 * @param architecture    e.g. "fasterrcnn_mobilenet_v3_centernet_fpn"
 * @param classes         class names by label index; index 0 is "__background__"
 * @param minSize         shorter side the model resizes to (torchvision transform min_size)
 * @param maxSize         longer-side cap (torchvision transform max_size)
 * @param mean            per-channel normalisation mean (RGB, 0..1 scale), applied inside the model
 * @param std             per-channel normalisation std, applied inside the model
 * @param parent          version this one was fine-tuned from, or null
 * @param dataFingerprint sha256 over the sorted ids/contents of the training samples, or null
 * @param metrics         evaluation results, e.g. {"ap50": 0.88, "ap": 0.47, "holdout": "..."}
 * @param sha256          hex sha256 of model.pt; checked before loading
 * @param created         ISO-8601 creation time
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelMetadata(
        String name,
        String version,
        String architecture,
        List<String> classes,
        Integer minSize,
        Integer maxSize,
        List<Double> mean,
        List<Double> std,
        String parent,
        String dataFingerprint,
        Map<String, Object> metrics,
        String sha256,
        String created) {

    /** A frame size, in pixels. */
    public record Size(int width, int height) {
    }

    /**
     * The size warm-up runs at: the model's nominal input (maxSize x minSize, the shape its
     * transform resizes to), or 640x480 when model.json does not say.
     */
    @JsonIgnore
    public Size nominalSize() {
        return new Size(maxSize != null ? maxSize : 640, minSize != null ? minSize : 480);
    }
}
