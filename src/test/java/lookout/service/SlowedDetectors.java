package lookout.service;

import java.util.List;

import lookout.detections.Detection;
import lookout.frames.DecodedImage;
import lookout.inference.Detector;
import lookout.inference.DetectorFactory;
import lookout.inference.DjlDetector;
import lookout.model.ModelMetadata;

/** The real detector made slower on purpose, for tests that need inference to take a known time. */
final class SlowedDetectors {
    private SlowedDetectors() {
    }

    /** The real model, plus {@code msPerBatch} of sleep per batch and {@code msPerFrame} per frame in it. */
    static DetectorFactory slowed(long msPerBatch, long msPerFrame) {
        return (dir, device) -> {
            DjlDetector real = DjlDetector.load(dir, device);
            return new Detector() {
                @Override
                public List<List<Detection>> detect(List<DecodedImage> batch) {
                    try {
                        Thread.sleep(msPerBatch + msPerFrame * batch.size());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return real.detect(batch);
                }

                @Override
                public ModelMetadata model() {
                    return real.model();
                }

                @Override
                public String device() {
                    return real.device();
                }

                @Override
                public void close() {
                    real.close();
                }
            };
        };
    }
}
