package lookout.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.util.Pair;
import lookout.common.Sha256;
import lookout.dataset.Box;
import lookout.frames.DecodedImage;
import lookout.inference.DjlDetector;
import lookout.model.ModelArtifact;
import lookout.testing.TestModels;
import lookout.testing.TestSettings;

class FineTunerTest {
    @TempDir
    static Path tmp;

    private static ModelArtifact base;
    private static FineTuneResult result;
    private static final List<FineTuneListener.Progress> progress = new ArrayList<>();
    private static final int[] counts = new int[2];

    /** Two synthetic 320x240 images with dark upright "people" on a noisy light background. */
    static List<TrainingSample> syntheticSamples() {
        Random random = new Random(7);
        List<TrainingSample> samples = new ArrayList<>();
        int[][][] people = {{{40, 60, 80, 180}, {200, 50, 240, 190}}, {{120, 70, 150, 200}}};
        for (int n = 0; n < people.length; n++) {
            int w = 320;
            int h = 240;
            byte[] rgb = new byte[w * h * 3];
            for (int i = 0; i < rgb.length; i++) {
                rgb[i] = (byte) (170 + random.nextInt(40));
            }
            List<Box> boxes = new ArrayList<>();
            for (int[] p : people[n]) {
                for (int y = p[1]; y < p[3]; y++) {
                    for (int x = p[0]; x < p[2]; x++) {
                        int k = (y * w + x) * 3;
                        rgb[k] = (byte) 30;
                        rgb[k + 1] = (byte) (40 + (y % 20));
                        rgb[k + 2] = (byte) 90;
                    }
                }
                boxes.add(new Box(p[0], p[1], p[2], p[3]));
            }
            samples.add(new TrainingSample("synthetic-" + n, Sha256.hex(rgb), new DecodedImage(w, h, rgb), boxes));
        }
        return samples;
    }

    @BeforeAll
    static void fineTuneTheTinyModelOnTwoImages() throws Exception {
        Path dir = TestModels.tinyModelDir();
        base = ModelArtifact.open(dir);
        FineTuneConfig config = FineTuneConfig.defaults(TestSettings.config().targetClass()).withEpochs(20).withBatchSize(2).withLearningRate(0.01f)
                .withWarmupSteps(0).withAugmentation(0, 1, 1).withLogEvery(5).withBackboneLrFactor(1f);
        FineTuneListener listener = new FineTuneListener() {
            @Override
            public void started(int samples, int totalSteps, int trainable, int frozen) {
                counts[0] = trainable;
                counts[1] = frozen;
            }

            @Override
            public void progress(Progress p) {
                progress.add(p);
                System.out.printf("step %d/%d loss %.4f %s lr %.5f eta %.1fs%n", p.step(), p.totalSteps(), p.loss(),
                        p.losses(), p.learningRate(), p.etaSeconds());
            }
        };
        result = new FineTuner(config, listener).run(base, syntheticSamples(), tmp.resolve("out"));
    }

    @Test
    void shouldLowerTheLossOnAFixedSmallBatch() {
        assertThat(result.steps()).isEqualTo(20);
        assertThat(result.stepLosses()).hasSize(20).allSatisfy(l -> assertThat(l).isFinite());
        assertThat(result.gradNorms()).hasSize(20).allSatisfy(n -> assertThat(n).isFinite().isPositive());
        assertThat(result.lastLoss()).as("loss after 20 steps vs step 1: %s", result.stepLosses())
                .isLessThan(result.firstLoss() * 0.8);
        assertThat(progress).isNotEmpty();
        assertThat(progress.get(0).losses()).containsKeys("loss_classifier", "loss_box_reg", "loss_objectness", "loss_rpn_box_reg");
        assertThat(progress.get(progress.size() - 1).step()).isEqualTo(20);
    }

    @Test
    void shouldWriteAnArtifactThatReloadsWithAMatchingChecksumAndLineage() throws Exception {
        ModelArtifact tuned = ModelArtifact.open(result.artifactDir());
        assertThat(tuned.metadata().sha256()).isEqualTo(Sha256.hex(tuned.modelFile()));
        assertThat(tuned.metadata().version()).isEqualTo("2");
        assertThat(tuned.metadata().parent()).isEqualTo(base.metadata().version());
        assertThat(tuned.metadata().dataFingerprint()).isEqualTo(TrainingSample.fingerprint(syntheticSamples())).hasSize(64);
        assertThat(tuned.metadata().classes()).isEqualTo(base.metadata().classes());
        assertThat(Files.list(result.artifactDir().resolve("checkpoints")).count()).isEqualTo(20);
        DecodedImage image = syntheticSamples().get(0).image();
        try (DjlDetector detector = DjlDetector.load(tuned, "cpu")) {
            assertThat(detector.detect(List.of(image))).hasSize(1);
        }
    }

    @Test
    void shouldKeepFrozenParametersUnchangedAndTrainTheRest() throws Exception {
        assertThat(counts[1]).as("frozen parameters").isGreaterThan(0);
        assertThat(counts[0]).as("trainable parameters").isGreaterThan(0);
        Map<String, float[]> before = parameters(base);
        Map<String, float[]> after = parameters(ModelArtifact.open(result.artifactDir()));
        assertThat(after.keySet()).isEqualTo(before.keySet());
        int frozenSeen = 0;
        int changed = 0;
        for (String name : before.keySet()) {
            boolean same = java.util.Arrays.equals(before.get(name), after.get(name));
            if (base.frozenPrefixes().stream().anyMatch(name::startsWith)) {
                frozenSeen++;
                assertThat(same).as("frozen parameter %s must not change", name).isTrue();
            } else if (!same) {
                changed++;
            }
        }
        assertThat(frozenSeen).isGreaterThan(0);
        assertThat(changed).as("trained parameters that changed").isGreaterThan(0);
    }

    @Test
    void shouldRefuseABaseModelWithoutTheTargetClass() {
        FineTuneConfig config = FineTuneConfig.defaults("bicycle").withEpochs(1);
        assertThatThrownBy(() -> new FineTuner(config, null).run(base, syntheticSamples(), tmp.resolve("no")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no class 'bicycle'");
    }

    static Map<String, float[]> parameters(ModelArtifact artifact) throws Exception {
        Map<String, float[]> values = new HashMap<>();
        try (ZooModel<NDList, NDList> model = DjlDetector.criteria(artifact, Device.cpu(), true).loadModel()) {
            for (Pair<String, Parameter> pair : model.getBlock().getParameters()) {
                values.put(pair.getValue().getName(), pair.getValue().getArray().toFloatArray());
            }
        }
        return values;
    }
}
