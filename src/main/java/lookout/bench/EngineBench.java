package lookout.bench;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import lookout.common.Json;
import lookout.config.FrameLimits;
import lookout.frames.DecodedImage;
import lookout.frames.FrameDecoder;
import lookout.inference.Detector;
import lookout.inference.DetectorFactory;
import lookout.inference.DjlDetector;
import lookout.model.ModelArtifact;
import lookout.model.ModelArtifactException;

/**
 * Where the Java side's time per frame goes, one JVM, the contenders interleaved frame by frame (a
 * noisy shared machine slows them alike): the service's path ({@link DjlDetector#detect}: frame
 * converted to floats in Java), the frame converted by libtorch instead (bytes in, libtorch's
 * permute and divide), the forward pass alone on a ready tensor, a frozen TorchScript copy, and an
 * ONNX export through DJL's ONNX Runtime engine (when its jars are on the class path), and the cost of
 * a tiled frame (whole + 2x2 tiles, for small people; its parity column differs by design). Prints one
 * JSON line: per contender the median and lower-quartile wall ms and the mean process CPU ms per frame,
 * the conversions alone, libtorch's thread counts and the
 * detections each found (a change of engine must not change detections beyond numerical noise).
 * {@code bench/engines.sh} runs it beside Python on the same TorchScript, under several settings.
 *
 * <pre>java -cp 'target/classes:target/quarkus-app/lib/main/*' lookout.bench.EngineBench --frames DIR
 *     [--model models/default] [--frozen DIR] [--frozen-optimized DIR] [--onnx DIR] [--rounds 3] [--count 10]</pre>
 */
public final class EngineBench {
    private EngineBench() {
    }

    /** One way of running a frame; returns its scores (for parity). */
    private interface Contender {
        float[] run(DecodedImage image) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>(Map.of("--model", "models/default", "--rounds", "3", "--count", "10"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            opt.put(args[i], args[i + 1]);
        }
        if (!opt.containsKey("--frames")) {
            System.err.println("usage: EngineBench --frames DIR_OF_JPEGS [--model DIR] [--frozen DIR] [--onnx DIR] [--rounds N] [--count N]");
            System.exit(2);
        }
        FrameDecoder decoder = new FrameDecoder(new FrameLimits(64 << 20, 16384, 1L << 28));
        List<DecodedImage> images = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of(opt.get("--frames")))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".jpg")).sorted().limit(Integer.parseInt(opt.get("--count"))).toList()) {
                images.add(decoder.decode(Files.readAllBytes(p)));
            }
        }
        int rounds = Integer.parseInt(opt.get("--rounds"));
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("side", "java");
        report.put("frame", images.get(0).width() + "x" + images.get(0).height());
        List<AutoCloseable> open = new ArrayList<>();
        try {
            Map<String, Contender> contenders = new LinkedHashMap<>();
            ModelArtifact artifact = ModelArtifact.open(Path.of(opt.get("--model")));
            Detector service = DetectorFactory.DJL.open(artifact, "cpu");
            open.add(service);
            contenders.put("javaLibtorch", im -> scores(service.detect(List.of(im)).get(0)));
            // small people: the whole frame and 2x2 tiles, one inference each, as the service runs a tiled camera
            lookout.tiles.Tiling tiling = new lookout.tiles.Tiling(2, 2, 0.2);
            contenders.put("javaLibtorchTiles2x2", im -> {
                List<lookout.detections.Detection> whole = service.detect(List.of(im)).get(0);
                List<List<lookout.detections.Detection>> perTile = new ArrayList<>();
                for (DecodedImage crop : tiling.crops(im)) {
                    perTile.add(service.detect(List.of(crop)).get(0));
                }
                return scores(tiling.merge(im.width(), im.height(), whole, perTile));
            });
            ZooModel<NDList, NDList> torch = DjlDetector.criteria(artifact, ai.djl.Device.cpu(), false).loadModel();
            open.add(torch);
            Predictor<NDList, NDList> torchPredictor = torch.newPredictor();
            open.add(torchPredictor);
            contenders.put("javaLibtorchConvertInLibtorch", im -> {
                try (NDManager m = torch.getNDManager().newSubManager()) {
                    NDList out = torchPredictor.predict(new NDList(libtorchConverted(m, im)));
                    return out.get(1).toFloatArray();
                }
            });
            for (String[] f : new String[][] {{"--frozen", "javaLibtorchFrozen"}, {"--frozen-optimized", "javaLibtorchFrozenOptimized"}}) {
                if (opt.containsKey(f[0])) {
                    try {
                        Detector frozen = DetectorFactory.DJL.open(Path.of(opt.get(f[0])), "cpu");
                        open.add(frozen);
                        contenders.put(f[1], im -> scores(frozen.detect(List.of(im)).get(0)));
                    } catch (ModelArtifactException e) {
                        report.put(f[1], "not run: " + e.getMessage());
                    }
                }
            }
            if (opt.containsKey("--onnx")) {
                if (!Files.isRegularFile(Path.of(opt.get("--onnx"), "model.onnx"))) {
                    report.put("javaOnnxRuntime", "not run: no model.onnx in " + opt.get("--onnx") + " (the export failed)");
                } else if (Engine.hasEngine("OnnxRuntime")) {
                    ZooModel<NDList, NDList> onnx = Criteria.builder().setTypes(NDList.class, NDList.class)
                            .optEngine("OnnxRuntime").optModelPath(Path.of(opt.get("--onnx"))).optModelName("model")
                            .optTranslator(new NoopTranslator()).build().loadModel();
                    open.add(onnx);
                    Predictor<NDList, NDList> onnxPredictor = onnx.newPredictor();
                    open.add(onnxPredictor);
                    contenders.put("javaOnnxRuntime", im -> {
                        try (NDManager m = onnx.getNDManager().newSubManager()) {
                            NDArray x = DjlDetector.toTensor(m, im);
                            x.setName("image");
                            return onnxPredictor.predict(new NDList(x)).get(1).toFloatArray();
                        }
                    });
                } else {
                    report.put("javaOnnxRuntime", "not run: DJL's OnnxRuntime engine is not on the class path");
                }
            }
            Map<String, Timing> times = new LinkedHashMap<>();
            Map<String, List<float[]>> found = new LinkedHashMap<>();
            contenders.keySet().forEach(k -> {
                times.put(k, new Timing());
                found.put(k, new ArrayList<>());
            });
            for (String k : List.of("javaForwardOnly", "javaConvertFrame", "libtorchConvertFrame", "javaColourDescriptorsFrame")) {
                times.put(k, new Timing());
            }
            for (int r = 0; r <= rounds; r++) { // round 0 warms every contender up, untimed
                boolean timed = r > 0;
                for (DecodedImage im : images) {
                    for (Map.Entry<String, Contender> c : contenders.entrySet()) {
                        Timing.Mark t0 = Timing.mark();
                        float[] s = c.getValue().run(im);
                        if (timed) {
                            times.get(c.getKey()).add(t0);
                        } else {
                            found.get(c.getKey()).add(s);
                        }
                    }
                    // the tracker's colour descriptors of the frame's published detections (score >= 0.35)
                    List<lookout.detections.Detection> published = service.detect(List.of(im)).get(0).stream()
                            .filter(d -> d.score() >= 0.35f).toList();
                    Timing.Mark c0 = Timing.mark();
                    for (lookout.detections.Detection d : published) {
                        lookout.detections.Appearance.of(im, d);
                    }
                    if (timed) {
                        times.get("javaColourDescriptorsFrame").add(c0);
                    }
                    try (NDManager m = torch.getNDManager().newSubManager()) {
                        Timing.Mark t0 = Timing.mark();
                        NDArray x = DjlDetector.toTensor(m, im);
                        if (timed) {
                            times.get("javaConvertFrame").add(t0);
                        }
                        Timing.Mark t1 = Timing.mark();
                        NDArray y = libtorchConverted(m, im);
                        if (timed) {
                            times.get("libtorchConvertFrame").add(t1);
                        }
                        Timing.Mark t2 = Timing.mark();
                        torchPredictor.predict(new NDList(x));
                        if (timed) {
                            times.get("javaForwardOnly").add(t2);
                        }
                        y.close();
                    }
                }
            }
            Map<String, Object> wall = new LinkedHashMap<>();
            Map<String, Object> wallP25 = new LinkedHashMap<>();
            Map<String, Object> cpu = new LinkedHashMap<>();
            times.forEach((k, v) -> {
                wall.put(k, round(Stats.median(v.wallMs)));
                wallP25.put(k, round(Stats.percentile(v.wallMs, 0.25)));
                // the mean: the process CPU clock may tick in 10 ms steps, a median of single calls would snap to them
                cpu.put(k, round(v.cpuMs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN)));
            });
            report.put("msPerFrame", wall);
            report.put("msPerFrameP25", wallP25);
            report.put("cpuMsPerFrame", cpu);
            Map<String, Object> parity = new LinkedHashMap<>();
            List<float[]> reference = found.get("javaLibtorch");
            found.forEach((k, v) -> parity.put(k, parityWith(reference, v)));
            report.put("parityWithService", parity);
            report.put("frames", images.size() * rounds);
            report.put("libtorchThreads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
            report.put("libtorchInteropThreads", ai.djl.pytorch.jni.JniUtils.getNumInteropThreads());
            report.put("graphOptimizer", System.getProperty("ai.djl.pytorch.graph_optimizer", "(DJL default)"));
            report.put("ompWaitPolicy", System.getenv().getOrDefault("OMP_WAIT_POLICY", "(unset)"));
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
        }
        System.out.println(Json.MAPPER.writeValueAsString(report));
    }

    /**
     * Wall and process CPU time of each timed call. On a machine other jobs share, the wall time of a
     * call includes waiting for a core; the CPU time (both cores' time summed, OMP_WAIT_POLICY=PASSIVE:
     * no spinning) is the work itself, which a quiet machine would do in about half of it.
     */
    private static final class Timing {
        private static final com.sun.management.OperatingSystemMXBean OS =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        final List<Double> wallMs = new ArrayList<>();
        final List<Double> cpuMs = new ArrayList<>();

        record Mark(long wallNanos, long cpuNanos) {
        }

        static Mark mark() {
            return new Mark(System.nanoTime(), OS.getProcessCpuTime());
        }

        void add(Mark from) {
            wallMs.add((System.nanoTime() - from.wallNanos()) / 1e6);
            cpuMs.add((OS.getProcessCpuTime() - from.cpuNanos()) / 1e6);
        }
    }

    /** Bytes in, libtorch does the layout and the scaling (what the Python side does with torch ops). */
    static NDArray libtorchConverted(NDManager m, DecodedImage im) {
        ByteBuffer bytes = ByteBuffer.allocateDirect(im.rgb().length);
        bytes.put(im.rgb()).flip();
        NDArray hwc = m.create(bytes, new Shape(im.height(), im.width(), 3), DataType.UINT8);
        NDArray chw = hwc.transpose(2, 0, 1).toType(DataType.FLOAT32, false).divi(255f);
        chw.setName("images[]");
        return chw;
    }

    private static float[] scores(List<lookout.detections.Detection> dets) {
        float[] s = new float[dets.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = dets.get(i).score();
        }
        return s;
    }

    /** Frames with another number of detections, and the largest score difference where the numbers agree. */
    private static Map<String, Object> parityWith(List<float[]> reference, List<float[]> other) {
        int otherCount = 0;
        double maxDiff = 0;
        for (int i = 0; i < reference.size(); i++) {
            float[] a = reference.get(i);
            float[] b = other.get(i);
            if (a.length != b.length) {
                otherCount++;
                continue;
            }
            for (int k = 0; k < a.length; k++) {
                maxDiff = Math.max(maxDiff, Math.abs(a[k] - b[k]));
            }
        }
        return Map.of("framesWithAnotherCount", otherCount, "maxScoreDifference", String.format(Locale.ROOT, "%.2e", maxDiff));
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
