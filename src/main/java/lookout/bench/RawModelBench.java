package lookout.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import lookout.frames.DecodedImage;
import lookout.frames.FrameDecoder;
import lookout.frames.InvalidFrameException;
import lookout.inference.Detector;
import lookout.inference.DetectorFactory;

/** The model alone from Java: the service's artifact, device and batch sizes, frames already decoded, no Kafka. */
final class RawModelBench {
    /** Frames per second and milliseconds per frame at batch 1 and at the service's largest batch. */
    record Result(int batch, double batch1Fps, double batch1MsPerFrame, double batchFps, double batchMsPerFrame) {
        double bestFps() {
            return Math.max(batch1Fps, batchFps);
        }
    }

    private RawModelBench() {
    }

    static Result run(Path model, String device, List<byte[]> jpegs, FrameDecoder decoder, int batch, int frames)
            throws Exception {
        List<DecodedImage> images = new ArrayList<>();
        for (byte[] jpeg : jpegs) {
            images.add(decode(decoder, jpeg));
        }
        try (Detector detector = DetectorFactory.DJL.open(model, device)) {
            for (int size = 1; size <= batch; size++) { // as the service warms up: every batch size
                detector.detect(images.subList(0, Math.min(size, images.size())));
                detector.detect(images.subList(0, Math.min(size, images.size())));
            }
            double ms1 = msPerFrame(detector, images, 1, frames);
            double msB = batch == 1 ? ms1 : msPerFrame(detector, images, batch, frames);
            return new Result(batch, 1000 / ms1, ms1, 1000 / msB, msB);
        }
    }

    private static DecodedImage decode(FrameDecoder decoder, byte[] jpeg) throws InvalidFrameException {
        return decoder.decode(jpeg);
    }

    private static double msPerFrame(Detector detector, List<DecodedImage> images, int batch, int frames) {
        int done = 0;
        long start = System.nanoTime();
        while (done < frames) {
            List<DecodedImage> chunk = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                chunk.add(images.get((done + i) % images.size()));
            }
            detector.detect(chunk);
            done += batch;
        }
        return (System.nanoTime() - start) / 1e6 / done;
    }
}
