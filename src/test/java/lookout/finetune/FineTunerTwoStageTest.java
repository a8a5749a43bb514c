package lookout.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.util.Pair;
import lookout.inference.DjlDetector;
import lookout.model.ModelArtifact;
import lookout.testing.TestModels;
import lookout.testing.TestSettings;

/**
 * The Java fine-tuner on the two-stage design (the tiny version of the default model): the second
 * proposal head beside the frozen teacher learns from the labels through the TorchScript losses
 * (its distillation term included) at the learning-rate factor model.json gives it, and the teacher
 * does not move.
 */
class FineTunerTwoStageTest {
    private static final String HEAD = "model.backbone.prop2.";
    private static final String TEACHER = "model.backbone.features.";

    @TempDir
    static Path tmp;

    private static ModelArtifact base;
    private static final List<FineTuneListener.Progress> progress = new ArrayList<>();

    private static FineTuneConfig config() {
        return FineTuneConfig.defaults(TestSettings.config().targetClass()).withEpochs(6).withBatchSize(2)
                .withLearningRate(0.002f).withWarmupSteps(0).withAugmentation(0, 1, 1).withLogEvery(1)
                .withCheckpoints(false);
    }

    @BeforeAll
    static void openTheTinyTwoStageModel() throws Exception {
        base = ModelArtifact.open(TestModels.tinyTwoStageModelDir());
    }

    @Test
    void givenTheTwoStageModelWhenFineTunedThenTheProposalHeadLearnsAtItsFactorAndTheTeacherStays() throws Exception {
        assertThat(base.lrFactors()).containsEntry(HEAD, 4f);
        FineTuneResult result = new FineTuner(config(), new FineTuneListener() {
            @Override
            public void progress(Progress p) {
                progress.add(p);
            }
        }).run(base, FineTunerTest.syntheticSamples(), tmp.resolve("tuned"));

        assertThat(progress.get(0).losses()).containsKeys("loss_objectness", "loss_rpn_box_reg", "loss_distill",
                "loss_classifier", "loss_box_reg");
        assertThat(result.stepLosses()).allSatisfy(l -> assertThat(l).isFinite());
        ModelArtifact tuned = ModelArtifact.open(result.artifactDir());
        Map<String, float[]> before = parameters(base);
        Map<String, float[]> after = parameters(tuned);
        assertThat(changed(before, after, TEACHER)).as("teacher parameters that moved").isZero();
        assertThat(changed(before, after, HEAD)).as("proposal-head parameters that moved").isPositive();
        JsonNode training = tuned.rawMetadata().get("training");
        assertThat(training.get("lrFactors").get(HEAD).asDouble()).isEqualTo(4.0);
        assertThat(tuned.lrFactors()).as("the factors travel to the next version").isEqualTo(base.lrFactors());
    }

    @Test
    void givenAZeroFactorForTheProposalHeadWhenFineTunedThenOnlyTheSecondStageMoves() throws Exception {
        FineTuneResult result = new FineTuner(config().withEpochs(2).withLrFactors(Map.of(HEAD, 0f)), null)
                .run(base, FineTunerTest.syntheticSamples(), tmp.resolve("zero"));

        Map<String, float[]> before = parameters(base);
        Map<String, float[]> after = parameters(ModelArtifact.open(result.artifactDir()));
        assertThat(changed(before, after, HEAD)).as("proposal-head parameters that moved at factor 0").isZero();
        assertThat(changed(before, after, "model.roi_heads.")).as("box-head parameters that moved").isPositive();
    }

    @Test
    void givenPrefixesOfDifferentLengthsThenTheLongestMatchDecides() {
        Map<String, Float> factors = Map.of("model.", 0.5f, HEAD, 4f);
        assertThat(FineTuner.factorFor(HEAD + "out.weight", factors)).isEqualTo(4f);
        assertThat(FineTuner.factorFor("model.roi_heads.box_head.fc6.weight", factors)).isEqualTo(0.5f);
        assertThat(FineTuner.factorFor("other.weight", factors)).isNull();
    }

    private static int changed(Map<String, float[]> before, Map<String, float[]> after, String prefix) {
        int n = 0;
        for (String name : before.keySet()) {
            if (name.startsWith(prefix) && !java.util.Arrays.equals(before.get(name), after.get(name))) {
                n++;
            }
        }
        return n;
    }

    private static Map<String, float[]> parameters(ModelArtifact artifact) throws Exception {
        Map<String, float[]> values = new HashMap<>();
        try (ZooModel<NDList, NDList> model = DjlDetector.criteria(artifact, Device.cpu(), true).loadModel()) {
            for (Pair<String, Parameter> pair : model.getBlock().getParameters()) {
                values.put(pair.getValue().getName(), pair.getValue().getArray().toFloatArray());
            }
        }
        return values;
    }
}
