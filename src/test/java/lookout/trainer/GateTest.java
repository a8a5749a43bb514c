package lookout.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import lookout.config.TrainerSettings;
import lookout.eval.EvaluationResult;
import lookout.testing.TestSettings;

class GateTest {
    private static EvaluationResult ap50(double v) {
        return new EvaluationResult(v, v, v / 2, new double[10], 0.5, 0.9, 0.8, 0.85, 10, 10, 10, new double[101]);
    }

    private static Gate gate(boolean cameraModels, double cameraConfidence) {
        return gate(cameraModels, cameraConfidence, false);
    }

    private static Gate gate(boolean cameraModels, double cameraConfidence, boolean cameraFirst) {
        return new Gate(new TrainerSettings(0.2, 0.0, 1, 0.005, 2, "cpu", 2, true, 5, Path.of("w"), Path.of("b"),
                TestSettings.config().trainer().policy(), 0.01, 200, 0, 0, 0, cameraModels, cameraConfidence,
                cameraFirst));
    }

    /** The camera gains 0.03 on a 10-frame holdout; the others lose {@code othersLose}. */
    private static Gate.Measured measured(double othersLose, double confidence) {
        return new Gate.Measured(ap50(0.62), ap50(0.59), ap50(0.80 - othersLose), ap50(0.80), 159, confidence, 10);
    }

    @Test
    void aCandidateWorseOnItsCamerasHoldoutIsRefusedWhateverElse() {
        Gate.Decision d = gate(true, 0.9).decide(new Gate.Measured(ap50(0.5), ap50(0.6), null, null, 0, 1.0, 10),
                "cam", true);

        assertThat(d.verdict()).isEqualTo(Gate.Verdict.REJECTED);
        assertThat(d.reason()).contains("0.5000 < current 0.6000");
    }

    @Test
    void aCandidateThatKeepsTheOthersIsForEveryCameraEvenWhenItsHoldoutIsUnsure() {
        assertThat(gate(true, 0.9).decide(measured(0.005, 0.6), "cam", false).verdict()).isEqualTo(Gate.Verdict.GENERAL);
        assertThat(gate(true, 0.9).decide(new Gate.Measured(ap50(0.7), ap50(0.6), ap50(0.5), ap50(Double.NaN), 3, 0.6, 10),
                "cam", false).verdict()).as("the others' frames hold nobody to lose").isEqualTo(Gate.Verdict.GENERAL);
        assertThat(gate(true, 0.9).decide(new Gate.Measured(ap50(0.7), ap50(0.6), null, null, 0, 0.6, 10), null, false)
                .verdict()).as("a retrain of every camera has no general holdout").isEqualTo(Gate.Verdict.GENERAL);
    }

    @Test
    void aCandidateThatCostsTheOthersIsForItsCameraAloneWhenItsHoldoutIsSure() {
        Gate.Decision d = gate(true, 0.9).decide(measured(0.2, 0.95), "cam", false);

        assertThat(d.verdict()).isEqualTo(Gate.Verdict.CAMERA);
        assertThat(d.reason()).contains("lifts camera cam").contains("would lose 0.2000").contains("alone");
    }

    @Test
    void aCandidateThatCostsTheOthersIsRefusedWhenItsHoldoutIsUnsure() {
        Gate.Decision d = gate(true, 0.9).decide(measured(0.011, 0.83), "cam", false);

        assertThat(d.verdict()).isEqualTo(Gate.Verdict.REJECTED);
        assertThat(d.reason()).contains("10 held-out frames").contains("won 83%").contains("needs 90%")
                .contains("label more");
    }

    @Test
    void aCameraWithItsOwnModelNeedsASureHoldoutForItsNextOne() {
        assertThat(gate(true, 0.9).decide(measured(0, 0.95), "cam", true).verdict()).isEqualTo(Gate.Verdict.CAMERA);
        Gate.Decision unsure = gate(true, 0.9).decide(measured(0, 0.7), "cam", true);
        assertThat(unsure.verdict()).isEqualTo(Gate.Verdict.REJECTED);
        assertThat(unsure.reason()).contains("has a model of its own");
    }

    @Test
    void withoutCameraModelsACandidateThatCostsTheOthersIsRefusedHoweverSure() {
        Gate.Decision d = gate(false, 0.9).decide(measured(0.2, 1.0), "cam", false);

        assertThat(d.verdict()).isEqualTo(Gate.Verdict.REJECTED);
        assertThat(d.reason()).contains("general holdout (159 frames of other cameras) 0.6000 < current 0.8000");
    }

    @Test
    void aCamerasCandidateWithNoOtherCameraLabelledIsForItsCameraAloneWhenItsHoldoutIsSure() {
        Gate.Measured alone = new Gate.Measured(ap50(0.7), ap50(0.6), null, null, 0, 0.97, 60);

        Gate.Decision d = gate(true, 0.9).decide(alone, "cam", false);

        assertThat(d.verdict()).isEqualTo(Gate.Verdict.CAMERA);
        assertThat(d.reason()).contains("no other camera has labelled frames");
        assertThat(gate(true, 0.9).decide(new Gate.Measured(ap50(0.7), ap50(0.6), null, null, 0, 0.6, 60), "cam", false)
                .verdict()).isEqualTo(Gate.Verdict.REJECTED);
        assertThat(gate(false, 0.9).decide(alone, "cam", false).verdict())
                .as("without camera models: for every camera, as before").isEqualTo(Gate.Verdict.GENERAL);
    }

    @Test
    void withCameraFirstACamerasSureCandidateIsForItAloneAndARetrainOfEveryCameraForAll() {
        Gate.Measured noGeneral = new Gate.Measured(ap50(0.7), ap50(0.6), null, null, 0, 0.95, 19);

        Gate.Decision d = gate(true, 0.9, true).decide(noGeneral, "cam", false);

        assertThat(d.verdict()).isEqualTo(Gate.Verdict.CAMERA);
        assertThat(d.reason()).contains("camera-first");
        assertThat(gate(true, 0.9, true).decide(new Gate.Measured(ap50(0.7), ap50(0.6), null, null, 0, 0.6, 19), "cam",
                false).verdict()).isEqualTo(Gate.Verdict.REJECTED);
        assertThat(gate(true, 0.9, true).decide(noGeneral, null, false).verdict()).isEqualTo(Gate.Verdict.GENERAL);
    }

    @Test
    void aConfidenceOfZeroAsksNothingOfTheHoldout() {
        assertThat(gate(true, 0).decide(measured(0.2, Double.NaN), "cam", false).verdict())
                .isEqualTo(Gate.Verdict.CAMERA);
    }
}
