package lookout.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import lookout.model.ModelArtifact;
import lookout.testing.TestModels;
import lookout.testing.TestSettings;

/** A retrain step's gradients are scaled down as one vector, so only their size changes, not their direction. */
class GradientClippingTest {

    @Test
    void givenGradientsAboveTheLimit_whenRescaled_thenTheirGlobalNormIsTheLimitAndTheirDirectionKept() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[] {3f, 0f});
            NDArray b = manager.create(new float[] {0f, 4f});

            double norm = FineTuner.rescaleToNorm(List.of(a, b), 1f);

            assertThat(norm).isCloseTo(5.0, within(1e-5));
            assertThat(a.toFloatArray()).containsExactly(new float[] {0.6f, 0f}, within(1e-5f));
            assertThat(b.toFloatArray()).containsExactly(new float[] {0f, 0.8f}, within(1e-5f));
        }
    }

    @Test
    void givenGradientsBelowTheLimitOrNoLimit_whenRescaled_thenTheyAreUntouched() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[] {3f, 4f});

            assertThat(FineTuner.rescaleToNorm(List.of(a), 10f)).isCloseTo(5.0, within(1e-5));
            assertThat(FineTuner.rescaleToNorm(List.of(a), 0f)).isCloseTo(5.0, within(1e-5));
            assertThat(a.toFloatArray()).containsExactly(3f, 4f);
        }
    }

    @Test
    void givenAMaxGradNormFarBelowTheGradients_whenFineTuned_thenTheWeightsBarelyMove(@TempDir Path tmp) throws Exception {
        ModelArtifact base = ModelArtifact.open(TestModels.tinyModelDir());
        FineTuneConfig config = FineTuneConfig.defaults(TestSettings.config().targetClass()).withEpochs(2).withBatchSize(2)
                .withLearningRate(0.01f).withWarmupSteps(0).withAugmentation(0, 1, 1).withBackboneLrFactor(1f)
                .withCheckpoints(false);

        FineTuneResult free = new FineTuner(config, null).run(base, FineTunerTest.syntheticSamples(), tmp.resolve("free"));
        FineTuneResult clipped = new FineTuner(config.withMaxGradNorm(1e-6f), null)
                .run(base, FineTunerTest.syntheticSamples(), tmp.resolve("clipped"));

        assertThat(clipped.gradNorms().get(0)).as("the norm is reported before clipping").isEqualTo(free.gradNorms().get(0));
        Map<String, float[]> before = FineTunerTest.parameters(base);
        double freeMove = largestChange(before, FineTunerTest.parameters(ModelArtifact.open(free.artifactDir())));
        double clippedMove = largestChange(before, FineTunerTest.parameters(ModelArtifact.open(clipped.artifactDir())));
        assertThat(freeMove).isGreaterThan(1e-3);
        assertThat(clippedMove).as("largest weight change clipped (free: %s)", freeMove).isLessThan(freeMove / 100);
    }

    private static double largestChange(Map<String, float[]> before, Map<String, float[]> after) {
        double largest = 0;
        for (Map.Entry<String, float[]> e : before.entrySet()) {
            float[] a = e.getValue();
            float[] b = after.get(e.getKey());
            for (int i = 0; i < a.length; i++) {
                largest = Math.max(largest, Math.abs(a[i] - b[i]));
            }
        }
        return largest;
    }
}
