package lookout.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import lookout.detections.Detection;
import lookout.frames.DecodedImage;
import lookout.model.ModelMetadata;

/** A detector for topology and pool tests: one confident and one faint "person" per frame, in the frame. */
public class FakeDetector implements Detector {
    public static final ModelMetadata MODEL = new ModelMetadata("fake-model", "7", "fake", List.of("__background__", "person"),
            240, 320, null, null, null, null, null, null, null);

    public final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    public volatile boolean closed;
    public volatile RuntimeException failWith;
    public volatile long delayMs;
    /** When set, this many extra confident detections per frame (a model gone wild). */
    public volatile int many;
    /** The model it says it runs. */
    public volatile ModelMetadata model = MODEL;

    @Override
    public List<List<Detection>> detect(List<DecodedImage> batch) {
        batchSizes.add(batch.size());
        if (delayMs > 0) {
            try {
                Thread.sleep(delayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (failWith != null) {
            throw failWith;
        }
        List<List<Detection>> out = new ArrayList<>();
        for (DecodedImage img : batch) {
            float w = img.width();
            float h = img.height();
            List<Detection> d = new ArrayList<>(List.of(new Detection("person", 0.9f, w / 4, h / 4, w / 2, h - 1),
                    new Detection("person", 0.1f, 0, 0, w / 8, h / 8)));
            for (int i = 0; i < many; i++) {
                d.add(new Detection("person", 0.6f + 0.3f * i / many, 1, 1, 2 + i % 10, 3 + i % 7));
            }
            out.add(d);
        }
        return out;
    }

    @Override
    public ModelMetadata model() {
        return model;
    }

    @Override
    public String device() {
        return "cpu";
    }

    @Override
    public void close() {
        closed = true;
    }
}
