package lookout.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lookout.model.ModelArtifact;
import lookout.testing.TestModels;
import lookout.testing.TestSettings;

/** A retrain repeats: the same samples, settings and seed give the same losses and the same weights. */
class FineTunerRepeatabilityTest {

    @Test
    void givenTheSameSeed_whenFineTunedTwice_thenEveryLossAndEveryWeightIsTheSame(@TempDir Path tmp) throws Exception {
        ModelArtifact base = ModelArtifact.open(TestModels.tinyModelDir());
        FineTuneConfig config = FineTuneConfig.defaults(TestSettings.config().targetClass()).withEpochs(3).withBatchSize(1)
                .withLearningRate(0.01f).withWarmupSteps(0).withBackboneLrFactor(1f).withCheckpoints(false).withSeed(7);

        FineTuneResult first = new FineTuner(config, null).run(base, FineTunerTest.syntheticSamples(), tmp.resolve("a"));
        FineTuneResult second = new FineTuner(config, null).run(base, FineTunerTest.syntheticSamples(), tmp.resolve("b"));

        assertThat(second.stepLosses()).isEqualTo(first.stepLosses());
        Map<String, float[]> a = FineTunerTest.parameters(ModelArtifact.open(first.artifactDir()));
        Map<String, float[]> b = FineTunerTest.parameters(ModelArtifact.open(second.artifactDir()));
        assertThat(b.keySet()).isEqualTo(a.keySet());
        a.forEach((name, values) -> assertThat(b.get(name)).as(name).containsExactly(values));
    }
}
