package lookout.inference;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import lookout.detections.Detection;
import lookout.frames.DecodedImage;
import lookout.model.ModelArtifact;
import lookout.model.ModelArtifactException;
import lookout.model.ModelMetadata;

/**
 * A {@link Detector} over an exported TorchScript detection model, run by DJL's PyTorch engine.
 * The model takes a list of float32 CHW RGB images in [0,1] at source resolution and returns, flat,
 * all boxes, then all scores, then all labels. Every detection the model emits is returned (the
 * model applies its own {@code scoreThresh}); what is published is decided by the topology, and
 * evaluation needs the low-score tail. Not thread-safe (one per worker).
 */
public final class DjlDetector implements Detector {
    /** DJL names list arguments with a {@code []} suffix. */
    static final String LIST_INPUT_NAME = "images[]";

    private final ModelArtifact artifact;
    private final String deviceName;
    private final ZooModel<NDList, NDList> model;
    private final Predictor<NDList, NDList> predictor;

    private DjlDetector(ModelArtifact artifact, String deviceName, ZooModel<NDList, NDList> model,
            Predictor<NDList, NDList> predictor) {
        this.artifact = artifact;
        this.deviceName = deviceName;
        this.model = model;
        this.predictor = predictor;
    }

    /** Verifies and loads the artifact in {@code dir} on {@code device} ("cpu", "gpu", "gpu:N"). */
    public static DjlDetector load(java.nio.file.Path dir, String device) throws ModelArtifactException {
        return load(ModelArtifact.open(dir), device);
    }

    /** Loads an already verified artifact. */
    public static DjlDetector load(ModelArtifact artifact, String device) throws ModelArtifactException {
        Device dev = parseDevice(device);
        Criteria<NDList, NDList> criteria = criteria(artifact, dev, false);
        ZooModel<NDList, NDList> model = null;
        try {
            model = criteria.loadModel();
            Predictor<NDList, NDList> predictor = model.newPredictor();
            return new DjlDetector(artifact, deviceName(dev), model, predictor);
        } catch (IOException | ModelNotFoundException | MalformedModelException | RuntimeException e) {
            if (model != null) {
                model.close();
            }
            throw new ModelArtifactException("cannot load " + artifact.modelFile() + " on " + device + ": " + e.getMessage(), e);
        }
    }

    /** DJL criteria for an artifact; {@code trainable} loads parameters with gradients enabled. */
    public static Criteria<NDList, NDList> criteria(ModelArtifact artifact, Device device, boolean trainable) {
        Criteria.Builder<NDList, NDList> builder = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optEngine("PyTorch")
                .optModelPath(artifact.dir())
                .optModelName(ModelArtifact.MODEL_NAME)
                .optTranslator(new NoopTranslator())
                .optOption("mapLocation", "true")
                .optDevice(device);
        if (trainable) {
            builder.optOption("trainParam", "true");
        }
        return builder.build();
    }

    /** "cpu", "gpu" (= gpu:0) or "gpu:N". */
    public static Device parseDevice(String name) {
        String n = name == null ? "cpu" : name.trim().toLowerCase(java.util.Locale.ROOT);
        if (n.equals("cpu")) {
            return Device.cpu();
        }
        if (n.equals("gpu") || n.equals("cuda")) {
            return Device.gpu(0);
        }
        if (n.startsWith("gpu:") || n.startsWith("cuda:")) {
            try {
                return Device.gpu(Integer.parseInt(n.substring(n.indexOf(':') + 1)));
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new IllegalArgumentException("unknown device '" + name + "': use cpu, gpu or gpu:N");
    }

    static String deviceName(Device device) {
        return device.isGpu() ? "gpu:" + device.getDeviceId() : "cpu";
    }

    /**
     * Builds the model input: one float32 CHW tensor in [0,1] per image, named {@code images[]}.
     * Converts straight from interleaved bytes into planar floats (no per-pixel boxing).
     */
    public static NDArray toTensor(NDManager manager, DecodedImage image) {
        int w = image.width();
        int h = image.height();
        int plane = w * h;
        byte[] rgb = image.rgb();
        float[] chw = new float[3 * plane];
        final float scale = 1f / 255f;
        for (int i = 0, j = 0; i < plane; i++, j += 3) {
            chw[i] = (rgb[j] & 0xFF) * scale;
            chw[plane + i] = (rgb[j + 1] & 0xFF) * scale;
            chw[2 * plane + i] = (rgb[j + 2] & 0xFF) * scale;
        }
        NDArray array = manager.create(chw, new Shape(3, h, w));
        array.setName(LIST_INPUT_NAME);
        return array;
    }

    @Override
    public List<List<Detection>> detect(List<DecodedImage> batch) {
        if (batch.isEmpty()) {
            return List.of();
        }
        int n = batch.size();
        List<String> classes = artifact.metadata().classes();
        try (NDManager manager = model.getNDManager().newSubManager()) {
            NDList input = new NDList(n);
            for (DecodedImage image : batch) {
                input.add(toTensor(manager, image));
            }
            NDList output = predictor.predict(input);
            if (output.size() != 3 * n) {
                throw new DetectionException("model returned " + output.size() + " arrays for a batch of " + n
                        + " (expected boxes, scores and labels per image)");
            }
            List<List<Detection>> results = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                float[] boxes = output.get(i).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
                float[] scores = output.get(n + i).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
                long[] labels = output.get(2 * n + i).toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
                List<Detection> detections = new ArrayList<>(scores.length);
                for (int k = 0; k < scores.length; k++) {
                    int label = (int) labels[k];
                    String name = label >= 0 && label < classes.size() ? classes.get(label) : "class_" + label;
                    detections.add(new Detection(name, scores[k],
                            boxes[4 * k], boxes[4 * k + 1], boxes[4 * k + 2], boxes[4 * k + 3]));
                }
                results.add(detections);
            }
            output.close();
            return results;
        } catch (TranslateException e) {
            throw new DetectionException("inference failed on " + deviceName + ": " + e.getMessage(), e);
        }
    }

    public ModelArtifact artifact() {
        return artifact;
    }

    @Override
    public ModelMetadata model() {
        return artifact.metadata();
    }

    @Override
    public String device() {
        return deviceName;
    }

    @Override
    public void close() {
        predictor.close();
        model.close();
    }
}
