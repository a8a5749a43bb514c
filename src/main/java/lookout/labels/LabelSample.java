package lookout.labels;

import java.util.List;

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
 */
public record LabelSample(String id, byte[] image, int width, int height, List<Box> boxes,
        List<String> labels, String camera, String source) {

    public LabelSample {
        boxes = List.copyOf(boxes);
        labels = List.copyOf(labels);
        if (boxes.size() != labels.size()) {
            throw new IllegalArgumentException(boxes.size() + " boxes but " + labels.size() + " labels");
        }
    }

    /** A box in pixels, [x1, y1, x2, y2]. */
    public record Box(double x1, double y1, double x2, double y2) {
        public double width() {
            return x2 - x1;
        }

        public double height() {
            return y2 - y1;
        }

        /** This box clipped to an image of the given size. */
        public Box clip(int w, int h) {
            return new Box(Math.max(0, Math.min(w, x1)), Math.max(0, Math.min(h, y1)),
                    Math.max(0, Math.min(w, x2)), Math.max(0, Math.min(h, y2)));
        }
    }
}
