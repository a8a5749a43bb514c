package lookout.labels;

import java.util.List;

import lookout.common.Sha256;
import lookout.dataset.Box;
import lookout.model.Lineage;

/**
 * One labelled frame from {@code lookout.labels}: the encoded image (JPEG or PNG bytes, as sent),
 * its size, and the people in it. Only validated samples exist (see {@link LabelCodec#parse}).
 *
 * @param id     sample id (the record key), e.g. {@code tud-stadtmitte/TUD-Stadtmitte/000042}
 * @param image  encoded image bytes
 * @param width  decoded width in pixels
 * @param height decoded height in pixels
 * @param boxes  boxes in pixels, top-left origin, [x1, y1, x2, y2]
 * @param labels one class name per box
 * @param camera camera the frame came from, or null
 * @param source where the label came from (importer, tool, person), or null
 * @param provenance what a reviewer changed, for labels made on the review page; else null
 */
public record LabelSample(String id, byte[] image, int width, int height, List<Box> boxes,
        List<String> labels, String camera, String source, Provenance provenance) {

    /** A sample that did not come from the review page. */
    public LabelSample(String id, byte[] image, int width, int height, List<Box> boxes, List<String> labels,
            String camera, String source) {
        this(id, image, width, height, boxes, labels, camera, source, null);
    }

    /** Whether a person answered this frame on the review page. */
    public boolean reviewed() {
        return provenance != null;
    }

    public LabelSample {
        boxes = List.copyOf(boxes);
        labels = List.copyOf(labels);
        if (boxes.size() != labels.size()) {
            throw new IllegalArgumentException(boxes.size() + " boxes but " + labels.size() + " labels");
        }
    }

    /** The sample as the data fingerprint sees it (see {@link Lineage#dataFingerprint}). */
    public Lineage.Sample lineage() {
        return new Lineage.Sample(id, Sha256.hex(image), Box.flat(boxes));
    }

}
