package lookout.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lookout.config.TrainerSettings;
import lookout.control.ControlCommand;
import lookout.dataset.Box;
import lookout.eval.EvaluationResult;
import lookout.eval.Evaluator;
import lookout.labels.LabelCodec;
import lookout.labels.LabelSample;
import lookout.labels.LabelSet;
import lookout.model.ModelArtifact;
import lookout.events.Events;
import lookout.registry.InMemoryRegistry;
import lookout.registry.ModelManifest;
import lookout.registry.ModelPublisher;
import lookout.registry.RegistryState;
import lookout.testing.TestFrames;
import lookout.testing.TestSettings;

class RetrainJobTest {
    @TempDir
    Path tmp;
    private final List<Map.Entry<String, Map<String, ?>>> events = new ArrayList<>();
    private final InMemoryRegistry registry = new InMemoryRegistry();
    private final LabelSet labels = new LabelSet(LabelCodec.fromConfig(TestSettings.config()));
    private final List<List<String>> scoredOn = new ArrayList<>();
    private double candidateAp50 = 0.8;
    private double currentAp50 = 0.7;
    /** Scores on the general holdout (the frames of cam-b while cam-a retrains). */
    private double candidateGeneralAp50 = 0.62;
    private double currentGeneralAp50 = 0.62;
    private int generalHoldoutMax = 200;
    private double replayRatio;
    private int replayMax = 200;
    private boolean cameraModels;
    private double cameraConfidence = 0.9;
    private boolean cameraFirst;
    /** Whether the candidate finds the person the current model misses on every held-out frame, or on none. */
    private boolean candidateWinsEveryFrame = true;
    /** The ids each training run saw. */
    private final List<List<String>> trainedOn = new ArrayList<>();
    private boolean trainerFails;

    @BeforeEach
    void setUp() throws Exception {
        Path base = Files.createDirectories(tmp.resolve("base"));
        Files.write(base.resolve("model.pt"), "base weights".getBytes(StandardCharsets.UTF_8));
        Files.writeString(base.resolve("model.json"),
                "{\"name\":\"lookout-pedestrian\",\"version\":\"1\",\"classes\":[\"__background__\",\"person\"]}");
        registry.publish(base, "1", true, null);
        byte[] image = TestFrames.image("jpg", 64, 48);
        for (int i = 0; i < 60; i++) { // cam-b: 30 frames, 3 of them held out (45, 54, 57)
            String cam = i < 30 ? "cam-a" : "cam-b";
            labels.apply(cam + "/seq/" + i, LabelCodec.encode(image, List.of(new Box(1, 1, 20, 40)),
                    List.of("person"), cam, null));
        }
    }

    private RetrainJob job(double tolerance) {
        return job(tolerance, true);
    }

    private RetrainJob job(double tolerance, boolean autoPromote) {
        ModelTrainer trainer = (baseDir, samples, params, outDir, listener) -> {
            if (trainerFails) {
                throw new IllegalStateException("loss is NaN");
            }
            trainedOn.add(samples.stream().map(LabelSample::id).toList());
            Files.createDirectories(outDir);
            Files.write(outDir.resolve("model.pt"), ("tuned on " + samples.size()).getBytes(StandardCharsets.UTF_8));
            Files.copy(baseDir.resolve("model.json"), outDir.resolve("model.json"));
            for (int e = 1; e <= params.epochs(); e++) {
                listener.epochDone(new ModelTrainer.EpochReport(e, 1.0 / e, Map.of("loss_classifier", 0.5 / e), 4.0 * e, e - 1, 0.1));
            }
        };
        ModelScorer scorer = (dir, samples) -> {
            scoredOn.add(samples.stream().map(LabelSample::id).toList());
            boolean general = samples.stream().allMatch(s -> "cam-b".equals(s.camera()))
                    && !samples.isEmpty() && scoredOn.size() > 2;
            double ap = dir.endsWith("candidate") ? (general ? candidateGeneralAp50 : candidateAp50)
                    : (general ? currentGeneralAp50 : currentAp50);
            // per frame one person and one detection: a true positive only for a candidate that wins every frame
            boolean hit = dir.endsWith("candidate") && candidateWinsEveryFrame;
            List<Evaluator.ImageMatches> matches = samples.stream()
                    .map(s -> new Evaluator.ImageMatches(new float[] {0.9f}, new boolean[] {hit}, 1)).toList();
            return new ModelScorer.Scores(new EvaluationResult(ap, ap, ap / 2, new double[10], 0.5, 0.9, 0.8, 0.85,
                    samples.size(), samples.size(), samples.size(), new double[101]), matches);
        };
        TrainerSettings settings = new TrainerSettings(0.25, tolerance, 1, 0.005, 2, "cpu", 2, autoPromote, 5,
                tmp.resolve("work"), tmp.resolve("base"), TestSettings.config().trainer().policy(), 0.01,
                generalHoldoutMax, replayRatio, replayMax, 0, cameraModels, cameraConfidence, cameraFirst);
        return new RetrainJob(trainer, scorer, registry, (type, details) -> events.add(Map.entry(type, details)),
                settings);
    }

    /**
     * Outcomes as the trainer writes them: the published model and its event in one transaction of
     * the registry (here without a consumed offset), then seen by the event list.
     */
    private final RetrainJob.Outcomes outcomes = new RetrainJob.Outcomes() {
        @Override
        public ModelManifest publish(Path dir, String version, boolean serve, String previous, String camera,
                Map<String, Object> event) throws Exception {
            ModelPublisher.Publication p = registry.publication(dir, version, serve, previous, camera);
            registry.commit(p.records(), Map.of(), null);
            events.add(Map.entry(Events.PUBLISHED, event));
            return p.manifest();
        }

        @Override
        public void report(String type, Map<String, Object> event) {
            events.add(Map.entry(type, event));
        }
    };

    private RetrainJob.Outcome run(double tolerance, ControlCommand.Retrain cmd) {
        return job(tolerance).run(cmd, labels, RetrainJob.TRIGGER_COMMAND, outcomes);
    }

    private List<String> types() {
        return events.stream().map(Map.Entry::getKey).toList();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> event(String type) {
        return (Map<String, Object>) events.stream().filter(e -> e.getKey().equals(type)).findFirst().orElseThrow()
                .getValue();
    }

    @Test
    void givenATrainerThatClippedSteps_whenItsEpochEnds_thenTheEpochEventSaysHowManyAndTheLargestNorm() throws Exception {
        run(0, new ControlCommand.Retrain("r1", 2, null, "cam-a", null, null));

        List<Map<String, ?>> epochs = events.stream().filter(e -> e.getKey().equals("epoch")).<Map<String, ?>>map(Map.Entry::getValue)
                .toList();
        assertThat(epochs).hasSize(2);
        assertThat(epochs.get(0).get("gradNorm")).isEqualTo(Map.of("max", 4.0, "clipped", 0));
        assertThat(epochs.get(1).get("gradNorm")).isEqualTo(Map.of("max", 8.0, "clipped", 1));
    }

    @Test
    void shouldPublishAndServeCandidateThatBeatsCurrentModel() throws Exception {
        RetrainJob.Outcome outcome = run(0, new ControlCommand.Retrain("r1", 2, null, "cam-a", null, null));

        assertThat(outcome).isEqualTo(RetrainJob.Outcome.PUBLISHED);
        assertThat(types()).containsExactly("training-started", "epoch", "epoch", "evaluated", "published");
        assertThat(event("published")).containsEntry("version", "2").containsEntry("parent", "1")
                .containsEntry("id", "r1").containsEntry("candidateAp50", 0.8).containsEntry("currentAp50", 0.7);
        RegistryState state = registry.snapshot();
        assertThat(state.serving().version()).isEqualTo("2");
        assertThat(state.serving().previous()).isEqualTo("1");
        Path out = state.assemble("2", tmp.resolve("fetched"));
        ModelArtifact artifact = ModelArtifact.open(out);
        assertThat(artifact.metadata().parent()).isEqualTo("1");
        assertThat(artifact.metadata().metrics()).containsEntry("ap50", 0.8).containsEntry("camera", "cam-a");
    }

    @Test
    void shouldScoreCandidateAndCurrentOnTheCameraHoldoutThenOnTheOtherCamerasHoldout() {
        run(0, new ControlCommand.Retrain(null, 1, null, "cam-a", null, null));

        assertThat(scoredOn).hasSize(4);
        assertThat(scoredOn.get(0)).isEqualTo(scoredOn.get(1)).isNotEmpty().allMatch(id -> id.startsWith("cam-a/"));
        // the general holdout: cam-b's held-out frames only, the same for both models
        assertThat(scoredOn.get(2)).isEqualTo(scoredOn.get(3)).isNotEmpty().allMatch(id -> id.startsWith("cam-b/"));
        assertThat(scoredOn.get(2)).allMatch(id -> new lookout.labels.HoldoutSplit(0.25).isHoldout(id));
        Map<String, Object> started = event("training-started");
        assertThat((int) started.get("train") + (int) started.get("holdout")).isEqualTo(30);
        @SuppressWarnings("unchecked")
        Map<String, Object> general = (Map<String, Object>) event("evaluated").get("general");
        assertThat(general).containsEntry("holdout", scoredOn.get(2).size()).containsEntry("cameras", List.of("cam-b"));
        assertThat(general.get("candidate")).isNotNull();
        assertThat(general.get("current")).isNotNull();
    }

    @Test
    void shouldRejectACandidateThatGainsOnItsCameraButCostsTheOtherCamerasMoreThanTheGeneralTolerance() {
        candidateGeneralAp50 = 0.60;
        currentGeneralAp50 = 0.62;
        RetrainJob.Outcome outcome = run(0, new ControlCommand.Retrain("g1", 1, null, "cam-a", null, null));

        assertThat(outcome).isEqualTo(RetrainJob.Outcome.REJECTED);
        assertThat(event("rejected")).containsEntry("candidateAp50", 0.8).containsEntry("currentAp50", 0.7)
                .containsEntry("candidateGeneralAp50", 0.6).containsEntry("currentGeneralAp50", 0.62)
                .containsEntry("generalTolerance", 0.01);
        assertThat((String) event("rejected").get("reason")).contains("general holdout").contains("0.6000")
                .contains("0.6200");
        assertThat(registry.snapshot().versions()).hasSize(1);
        assertThat(registry.snapshot().serving().version()).isEqualTo("1");
    }

    @Test
    void shouldPublishACandidateThatCostsTheOtherCamerasForItsCameraAloneWhenCameraModelsAreOn() {
        cameraModels = true;
        candidateGeneralAp50 = 0.40;
        currentGeneralAp50 = 0.62;
        RetrainJob.Outcome outcome = run(0, new ControlCommand.Retrain("c1", 1, null, "cam-a", null, null));

        assertThat(outcome).isEqualTo(RetrainJob.Outcome.PUBLISHED);
        assertThat(event("published")).containsEntry("scope", "camera").containsEntry("version", "2")
                .containsEntry("confidence", 1.0);
        assertThat((String) event("published").get("why")).contains("cam-a").contains("0.2200");
        RegistryState state = registry.snapshot();
        assertThat(state.serving().version()).as("the other cameras keep the general model").isEqualTo("1");
        assertThat(state.serving("cam-a").version()).isEqualTo("2");
        assertThat(state.serving("cam-a").previous()).as("a rollback returns cam-a to the general model").isNull();
        assertThat(state.serving("cam-b")).isNull();
    }

    @Test
    void shouldRetrainACameraWithAModelOfItsOwnFromItAndPublishTheNextForItAlone() throws Exception {
        cameraModels = true;
        candidateGeneralAp50 = 0.40;
        run(0, new ControlCommand.Retrain("c1", 1, null, "cam-a", null, null));
        events.clear();
        candidateGeneralAp50 = 0.62; // even a candidate that keeps the others stays the camera's

        RetrainJob.Outcome outcome = run(0, new ControlCommand.Retrain("c2", 1, null, "cam-a", null, null));

        assertThat(outcome).isEqualTo(RetrainJob.Outcome.PUBLISHED);
        assertThat(event("training-started")).containsEntry("baseVersion", "2");
        assertThat(event("published")).containsEntry("scope", "camera").containsEntry("parent", "2");
        RegistryState state = registry.snapshot();
        assertThat(state.serving().version()).isEqualTo("1");
        assertThat(state.serving("cam-a").version()).isEqualTo("3");
        assertThat(state.serving("cam-a").previous()).isEqualTo("2");
    }

    @Test
    void shouldRefuseAModelForOneCameraWhoseHoldoutIsNotSureOfTheGain() {
        cameraModels = true;
        candidateGeneralAp50 = 0.40;
        candidateWinsEveryFrame = false; // both models detect the same: every resample is a tie

        RetrainJob.Outcome outcome = run(0, new ControlCommand.Retrain("c4", 1, null, "cam-a", null, null));

        assertThat(outcome).isEqualTo(RetrainJob.Outcome.REJECTED);
        assertThat(event("evaluated")).containsEntry("confidence", 0.5);
        assertThat((String) event("rejected").get("reason")).contains("not sure of the gain").contains("won 50%")
                .contains("needs 90%");
        assertThat(registry.snapshot().serving("cam-a")).isNull();
        assertThat(registry.snapshot().versions()).hasSize(1);
    }

    @Test
    void shouldPublishForEveryCameraWithoutAskingConfidenceWhenTheOthersKeepTheirScores() {
        cameraModels = true;
        candidateWinsEveryFrame = false; // the general holdout guards a general publish

        RetrainJob.Outcome outcome = run(0, new ControlCommand.Retrain("c5", 1, null, "cam-a", null, null));

        assertThat(outcome).isEqualTo(RetrainJob.Outcome.PUBLISHED);
        assertThat(event("published")).containsEntry("scope", "general").containsEntry("confidence", 0.5);
    }

    @Test
    void shouldStillRejectACameraCandidateThatIsWorseOnItsOwnHoldoutWhenCameraModelsAreOn() {
        cameraModels = true;
        candidateAp50 = 0.6;
        candidateGeneralAp50 = 0.40;
        RetrainJob.Outcome outcome = run(0, new ControlCommand.Retrain("c3", 1, null, "cam-a", null, null));

        assertThat(outcome).isEqualTo(RetrainJob.Outcome.REJECTED);
        assertThat(registry.snapshot().serving("cam-a")).isNull();
    }

    @Test
    void shouldPublishWhenTheOtherCamerasLoseNoMoreThanTheGeneralTolerance() throws Exception {
        candidateGeneralAp50 = 0.615;
        currentGeneralAp50 = 0.62;
        RetrainJob.Outcome outcome = run(0, new ControlCommand.Retrain("g2", 1, null, "cam-a", null, null));

        assertThat(outcome).isEqualTo(RetrainJob.Outcome.PUBLISHED);
        assertThat(event("published")).containsEntry("candidateGeneralAp50", 0.615)
                .containsEntry("currentGeneralAp50", 0.62);
        ModelArtifact artifact = ModelArtifact.open(registry.snapshot().assemble("2", tmp.resolve("fetched")));
        assertThat(artifact.metadata().metrics()).containsEntry("generalAp50", 0.615)
                .containsEntry("parentGeneralAp50", 0.62);
    }

    @Test
    void shouldSkipTheGeneralCheckWhenTheRetrainCoversEveryCamera() {
        candidateGeneralAp50 = 0.1; // would fail the check, were there one
        RetrainJob.Outcome outcome = run(0, new ControlCommand.Retrain(null, 1, null, null, null, null));

        assertThat(outcome).isEqualTo(RetrainJob.Outcome.PUBLISHED);
        assertThat(scoredOn).hasSize(2);
        assertThat(event("published")).containsEntry("generalHoldout", 0).containsEntry("candidateGeneralAp50", null);
    }

    @Test
    void shouldPublishTheRetrainOfTheOnlyLabelledCameraForItAloneWhenCameraModelsAreOn() throws Exception {
        cameraModels = true;
        for (int i = 30; i < 60; i++) {
            labels.apply("cam-b/seq/" + i, null); // cam-b's labels erased: nothing shows what the others would pay
        }

        RetrainJob.Outcome outcome = run(0, new ControlCommand.Retrain("c6", 1, null, "cam-a", null, null));

        assertThat(outcome).isEqualTo(RetrainJob.Outcome.PUBLISHED);
        assertThat(event("published")).containsEntry("scope", "camera").containsEntry("generalHoldout", 0);
        assertThat((String) event("published").get("why")).contains("no other camera has labelled frames");
        assertThat(registry.snapshot().serving().version()).as("unlabelled cameras keep the general model").isEqualTo("1");
        assertThat(registry.snapshot().serving("cam-a").version()).isEqualTo("2");
    }

    @Test
    void shouldTrainACameraFirstRetrainOnItsOwnFramesAloneAndPublishItForThatCamera() {
        cameraModels = true;
        cameraFirst = true;
        replayRatio = 1.0;

        RetrainJob.Outcome outcome = run(0, new ControlCommand.Retrain("f1", 1, null, "cam-a", null, null));

        assertThat(outcome).isEqualTo(RetrainJob.Outcome.PUBLISHED);
        assertThat(trainedOn.get(0)).as("no replay").isNotEmpty().allMatch(id -> id.startsWith("cam-a/"));
        assertThat(scoredOn).as("the camera's holdout only, no general holdout").hasSize(2);
        assertThat(event("published")).containsEntry("scope", "camera").containsEntry("generalHoldout", 0);
        assertThat((String) event("published").get("why")).contains("camera-first");
        assertThat(registry.snapshot().serving().version()).isEqualTo("1");
        assertThat(registry.snapshot().serving("cam-a").version()).isEqualTo("2");
    }

    @Test
    void shouldReplayOtherCamerasTrainingFramesInACamerasRetrainButNeverAFrameOfAnyHoldout() throws Exception {
        replayRatio = 0.5;
        run(0, new ControlCommand.Retrain(null, 1, null, "cam-a", null, null));

        List<String> trained = trainedOn.get(0);
        List<String> own = trained.stream().filter(id -> id.startsWith("cam-a/")).toList();
        List<String> replayed = trained.stream().filter(id -> id.startsWith("cam-b/")).toList();
        // half as many of cam-b's frames as cam-a's own, none of them held out (so none is scored by the gate)
        assertThat(replayed).hasSize(Math.round(own.size() * 0.5f)).noneMatch(new lookout.labels.HoldoutSplit(0.25)::isHoldout);
        assertThat(replayed).doesNotContainAnyElementsOf(scoredOn.get(2));
        assertThat(event("training-started")).containsEntry("train", own.size()).containsEntry("replay", replayed.size());
        ModelArtifact artifact = ModelArtifact.open(registry.snapshot().assemble("2", tmp.resolve("fetched")));
        assertThat(artifact.metadata().metrics()).containsEntry("replay", replayed.size());
    }

    @Test
    void shouldReplayNothingWhenTheRetrainCoversEveryCameraOrReplayIsOff() {
        replayRatio = 1.0;
        run(0, new ControlCommand.Retrain(null, 1, null, null, null, null));
        replayRatio = 0;
        run(0, new ControlCommand.Retrain(null, 1, null, "cam-a", null, null));

        assertThat(trainedOn.get(0)).anyMatch(id -> id.startsWith("cam-b/")); // all cameras: its own training set
        assertThat(trainedOn.get(1)).allMatch(id -> id.startsWith("cam-a/"));
    }

    @Test
    void shouldScoreAtMostTheConfiguredNumberOfGeneralFramesAndTheSameOnesEachRun() {
        generalHoldoutMax = 1;
        run(0, new ControlCommand.Retrain(null, 1, null, "cam-a", null, null));
        List<String> first = scoredOn.get(2);
        scoredOn.clear();
        run(0, new ControlCommand.Retrain(null, 1, null, "cam-a", null, null));

        assertThat(first).hasSize(1);
        assertThat(scoredOn.get(2)).isEqualTo(first);
    }

    @Test
    void shouldRejectWorseCandidateWithBothScoresAndPublishNothing() {
        candidateAp50 = 0.6;
        RetrainJob.Outcome outcome = run(0.05, new ControlCommand.Retrain(null, 1, null, null, null, null));

        assertThat(outcome).isEqualTo(RetrainJob.Outcome.REJECTED);
        assertThat(event("rejected")).containsEntry("candidateAp50", 0.6).containsEntry("currentAp50", 0.7)
                .containsEntry("tolerance", 0.05);
        assertThat(registry.snapshot().versions()).hasSize(1);
        assertThat(registry.snapshot().serving().version()).isEqualTo("1");
    }

    @Test
    void shouldPublishCandidateWithinTolerance() {
        candidateAp50 = 0.68;
        assertThat(run(0.05, new ControlCommand.Retrain(null, 1, null, null, null, null)))
                .isEqualTo(RetrainJob.Outcome.PUBLISHED);
    }

    @Test
    void shouldReportFailureAndPublishNothingWhenTrainingThrows() {
        trainerFails = true;
        RetrainJob.Outcome outcome = run(0, new ControlCommand.Retrain(null, 1, null, null, null, null));

        assertThat(outcome).isEqualTo(RetrainJob.Outcome.FAILED);
        assertThat(types()).containsExactly("training-started", "failed");
        assertThat((String) event("failed").get("error")).contains("loss is NaN");
        assertThat(registry.snapshot().versions()).hasSize(1);
    }

    @Test
    void shouldFailClearlyWhenCameraHasNoLabels() {
        RetrainJob.Outcome outcome = run(0, new ControlCommand.Retrain(null, 1, null, "nobody", null, null));

        assertThat(outcome).isEqualTo(RetrainJob.Outcome.FAILED);
        assertThat((String) event("failed").get("error")).contains("no training samples for camera nobody");
    }

    @Test
    void shouldFineTuneFromRequestedBaseVersion() throws Exception {
        run(0, new ControlCommand.Retrain(null, 1, null, null, null, null)); // publishes 2
        events.clear();
        run(0, new ControlCommand.Retrain(null, 1, null, null, "1", null));
        assertThat(event("published")).containsEntry("version", "3").containsEntry("parent", "1");
        assertThat(event("evaluated")).containsEntry("currentVersion", "2");
    }

    @Test
    void shouldPublishASignedCandidateButLeaveServingToAHumanWhenAutoPromoteIsOff() throws Exception {
        // Given lookout.trainer.auto-promote=false
        RetrainJob.Outcome outcome = job(0, false).run(new ControlCommand.Retrain("r9", 1, null, "cam-a", null, null),
                labels, RetrainJob.TRIGGER_COMMAND, outcomes);
        // Then the better candidate is published, signed, and version 1 keeps serving until someone promotes 2
        assertThat(outcome).isEqualTo(RetrainJob.Outcome.PUBLISHED);
        assertThat(event("published")).containsEntry("version", "2").containsEntry("serving", false);
        RegistryState state = registry.snapshot();
        assertThat(state.serving().version()).isEqualTo("1");
        assertThat(state.manifest("2").signature().keyId()).isEqualTo(lookout.testing.TestKeys.signer().keyId());
    }
}
