package lookout.eval;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;

import ai.djl.engine.Engine;
import lookout.config.LookoutConfig;
import lookout.detections.Detection;
import lookout.frames.DecodedImage;
import lookout.frames.FrameDecoder;
import lookout.inference.Detector;
import lookout.inference.DetectorFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lookout engine}: loads the inference engine and answers one image with a model, without
 * Kafka. It says which libtorch build the classpath carries (version, flavour: cpu, cu124...), where
 * its natives were unpacked, how many GPUs the engine sees, and what the model found. A build, an
 * image or a GPU flavour is checked with it (scripts/image.sh, scripts/check-gpu-flavour.sh).
 */
@Command(name = "engine", mixinStandardHelpOptions = true,
        description = "Load the inference engine and run a model on one image: libtorch version and flavour, "
                + "natives path, GPUs seen, detections and ms per run. Checks a build, an image or the GPU flavour.")
public class EngineCommand implements Callable<Integer> {
    /** Written by DJL's native jar (pytorch-native-cpu, -cu124...): which libtorch build it carries. */
    static final String NATIVE_PROPERTIES = "native/lib/pytorch.properties";

    @Option(names = "--model", paramLabel = "DIR", description = "model artifact dir (default: lookout.model.dir)")
    Path model;

    @Option(names = "--device", description = "cpu, gpu or gpu:N (default: the first of lookout.devices)")
    String device;

    @Option(names = "--image", paramLabel = "FILE", description = "JPEG/PNG to run on (default: a plain grey 640x480 frame)")
    Path image;

    @Option(names = "--runs", defaultValue = "3", description = "inference runs, the first one warms up (default ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--expect-flavor", paramLabel = "FLAVOR",
            description = "fail unless the classpath's libtorch is this flavour (cpu, cu124...)")
    String expectFlavor;

    @Override
    public Integer call() throws Exception {
        LookoutConfig config = LookoutConfig.current();
        Properties natives = nativeProperties();
        String flavor = natives.getProperty("flavor", "unknown");
        if (expectFlavor != null && !expectFlavor.equals(flavor)) {
            throw new IllegalStateException("the classpath carries libtorch flavour '" + flavor + "', expected '"
                    + expectFlavor + "'");
        }
        Engine engine = Engine.getEngine("PyTorch");
        System.out.printf("engine %s %s, libtorch build %s flavour %s (%s), natives %s, GPUs seen %d%n",
                engine.getEngineName(), engine.getVersion(), natives.getProperty("version", "?"), flavor,
                natives.getProperty("classifier", "?"), ai.djl.pytorch.jni.LibUtils.getLibtorchPath(),
                engine.getGpuCount());
        Path dir = model != null ? model : config.detector().modelDir();
        String dev = device != null ? device : config.detector().devices().split(",")[0].trim();
        DecodedImage frame = image != null ? new FrameDecoder(config.frameLimits()).decode(Files.readAllBytes(image))
                : grey(640, 480);
        try (Detector detector = DetectorFactory.DJL.open(dir, dev)) {
            List<Detection> found = List.of();
            for (int i = 1; i <= Math.max(1, runs); i++) {
                long t0 = System.nanoTime();
                found = detector.detect(List.of(frame)).get(0);
                double ms = (System.nanoTime() - t0) / 1e6;
                long above = found.stream().filter(d -> d.score() >= config.detector().scoreThreshold()).count();
                System.out.printf(Locale.ROOT, "run %d: model %s v%s on %s, %dx%d image, %d detections (%d at or above %.2f), %.1f ms%n",
                        i, detector.model().name(), detector.model().version(), detector.device(), frame.width(),
                        frame.height(), found.size(), above, config.detector().scoreThreshold(), ms);
            }
        }
        return 0;
    }

    static Properties nativeProperties() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Engine.class.getClassLoader().getResourceAsStream(NATIVE_PROPERTIES)) {
            if (in == null) {
                throw new IllegalStateException("no " + NATIVE_PROPERTIES + " on the classpath: no DJL pytorch-native jar");
            }
            p.load(in);
        }
        return p;
    }

    private static DecodedImage grey(int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        java.util.Arrays.fill(rgb, (byte) 128);
        return new DecodedImage(w, h, rgb);
    }
}
