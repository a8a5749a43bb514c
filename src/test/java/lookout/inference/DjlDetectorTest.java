package lookout.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lookout.common.Json;
import lookout.common.Sha256;
import lookout.detections.Detection;
import lookout.frames.DecodedImage;
import lookout.model.ModelArtifact;
import lookout.model.ModelArtifactException;
import lookout.testing.TestModels;
import lookout.testing.TestSettings;

class DjlDetectorTest {
    @TempDir
    Path tmp;

    @Test
    void shouldMatchPythonReferenceWithinOneHundredthPixel() throws Exception {
        Path dir = TestModels.tinyModelDir();
        JsonNode reference = Json.MAPPER.readTree(dir.resolve("reference.json").toFile());
        DecodedImage image = TestSettings.decoder().decode(Files.readAllBytes(dir.resolve("test.png")));
        List<Detection> detections;
        try (DjlDetector detector = DjlDetector.load(dir, "cpu")) {
            detections = detector.detect(List.of(image)).get(0);
        }
        JsonNode boxes = reference.get("boxes");
        assertThat(boxes.size()).as("reference must have detections to compare").isGreaterThan(0);
        assertThat(detections).hasSize(boxes.size());
        List<Detection> unmatched = new ArrayList<>(detections);
        double worst = 0;
        for (int i = 0; i < boxes.size(); i++) {
            float score = (float) reference.get("scores").get(i).asDouble();
            int label = reference.get("labels").get(i).asInt();
            float[] box = new float[4];
            for (int k = 0; k < 4; k++) {
                box[k] = (float) boxes.get(i).get(k).asDouble();
            }
            // order may differ on score ties: take the closest remaining detection
            Detection best = null;
            double bestErr = Double.MAX_VALUE;
            for (Detection d : unmatched) {
                double err = maxAbs(d.box(), box);
                if (err < bestErr && Math.abs(d.score() - score) < 1e-4) {
                    best = d;
                    bestErr = err;
                }
            }
            assertThat(best).as("no Java detection matches reference %d (score %s)", i, score).isNotNull();
            unmatched.remove(best);
            assertThat(bestErr).as("box error for reference detection %d", i).isLessThan(1e-2);
            assertThat(best.label()).isEqualTo(detectorClassName(dir, label));
            worst = Math.max(worst, bestErr);
        }
        System.out.printf("parity: %d detections, max box error %.6f px%n", boxes.size(), worst);
    }

    @Test
    void shouldGiveTheSameDetectionsForABatchOfThreeAsForThreeSingleCalls() throws Exception {
        Path dir = TestModels.tinyModelDir();
        DecodedImage image = TestSettings.decoder().decode(Files.readAllBytes(dir.resolve("test.png")));
        DecodedImage flipped = flip(image);
        DecodedImage shifted = shift(image, 17);
        List<DecodedImage> images = List.of(image, flipped, shifted);
        try (DjlDetector detector = DjlDetector.load(dir, "cpu")) {
            List<List<Detection>> batched = detector.detect(images);
            assertThat(batched).hasSize(3);
            for (int i = 0; i < 3; i++) {
                List<Detection> single = detector.detect(List.of(images.get(i))).get(0);
                List<Detection> fromBatch = batched.get(i);
                assertThat(fromBatch).as("image %d", i).hasSize(single.size());
                for (int k = 0; k < single.size(); k++) {
                    assertThat(maxAbs(fromBatch.get(k).box(), single.get(k).box())).isLessThan(1e-3);
                    assertThat(fromBatch.get(k).score()).isCloseTo(single.get(k).score(), org.assertj.core.data.Offset.offset(1e-4f));
                }
            }
            assertThat(batched.get(0)).isNotEmpty();
        }
    }

    @Test
    void shouldReturnEveryDetectionTheModelEmitsLeavingTheServingThresholdToTheTopology() throws Exception {
        Path dir = TestModels.tinyModelDir();
        DecodedImage image = TestSettings.decoder().decode(Files.readAllBytes(dir.resolve("test.png")));
        float servingThreshold = TestSettings.config().detector().scoreThreshold();
        double modelFloor = ModelArtifact.open(dir).scoreThreshold().orElseThrow(); // the model's own scoreThresh
        try (DjlDetector detector = DjlDetector.load(dir, "cpu")) {
            List<Detection> every = detector.detect(List.of(image)).get(0);
            assertThat(every).allSatisfy(d -> assertThat((double) d.score()).isGreaterThanOrEqualTo(modelFloor - 1e-6));
            // evaluation needs the low-score tail: detections under the serving threshold come back too
            assertThat(every).anySatisfy(d -> assertThat(d.score()).isLessThan(servingThreshold));
            assertThat(every).anySatisfy(d -> assertThat(d.score()).isGreaterThanOrEqualTo(servingThreshold));
        }
    }

    @Test
    void shouldRefuseAModelWhoseChecksumDoesNotMatch() throws Exception {
        Path dir = copyOf(TestModels.tinyModelDir());
        byte[] bytes = Files.readAllBytes(dir.resolve("model.pt"));
        bytes[bytes.length / 2] ^= 0x5A;
        Files.write(dir.resolve("model.pt"), bytes);
        assertThatThrownBy(() -> DjlDetector.load(dir, "cpu"))
                .isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining("sha256 mismatch").hasMessageContaining("expects");
    }

    @Test
    void shouldRefuseACorruptModelWithAMatchingChecksumWithoutCrashing() throws Exception {
        Path dir = copyOf(TestModels.tinyModelDir());
        Files.write(dir.resolve("model.pt"), "this is not a torchscript archive".getBytes());
        ObjectNode meta = (ObjectNode) Json.MAPPER.readTree(dir.resolve("model.json").toFile());
        meta.put("sha256", Sha256.hex(dir.resolve("model.pt")));
        Json.MAPPER.writeValue(dir.resolve("model.json").toFile(), meta);
        assertThatThrownBy(() -> DjlDetector.load(dir, "cpu"))
                .isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining("cannot load");
    }

    @Test
    void shouldWarmUpWithoutError() throws Exception {
        Path dir = TestModels.tinyModelDir();
        try (DjlDetector detector = DjlDetector.load(dir, "cpu")) {
            detector.warmUp(detector.model().nominalSize(), 2);
            assertThat(detector.device()).isEqualTo("cpu");
            assertThat(detector.model().name()).isEqualTo("lookout-tiny");
        }
    }

    private static String detectorClassName(Path dir, int label) throws ModelArtifactException {
        return ModelArtifact.open(dir).metadata().classes().get(label);
    }

    private Path copyOf(Path dir) throws IOException {
        Path copy = Files.createDirectories(tmp.resolve("model"));
        Files.copy(dir.resolve("model.pt"), copy.resolve("model.pt"));
        Files.copy(dir.resolve("model.json"), copy.resolve("model.json"));
        return copy;
    }

    static double maxAbs(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    private static DecodedImage flip(DecodedImage image) {
        int w = image.width();
        byte[] out = new byte[image.rgb().length];
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < w; x++) {
                System.arraycopy(image.rgb(), (y * w + x) * 3, out, (y * w + (w - 1 - x)) * 3, 3);
            }
        }
        return new DecodedImage(w, image.height(), out);
    }

    private static DecodedImage shift(DecodedImage image, int dx) {
        int w = image.width();
        byte[] out = new byte[image.rgb().length];
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < w; x++) {
                System.arraycopy(image.rgb(), (y * w + (x + dx) % w) * 3, out, (y * w + x) * 3, 3);
            }
        }
        return new DecodedImage(w, image.height(), out);
    }
}
