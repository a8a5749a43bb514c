package lookout.trainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

import lookout.config.TrainerSettings;
import lookout.control.ControlCommand;
import lookout.events.EventSink;
import lookout.events.Events;
import lookout.model.ModelArtifact;
import lookout.registry.ModelManifest;
import lookout.registry.ModelPublisher;
import lookout.registry.ModelRegistry;
import lookout.registry.RegistryState;

/**
 * {@code retrain}, from a command or from the policy: a {@link RetrainJob} on the loop's worker
 * (commands wait meanwhile), its outcome (and what it publishes) committed by the loop with the
 * command's offset. Progress events go to the sink as they happen (at-least-once).
 */
final class RetrainHandler implements CommandDispatch.Handler<ControlCommand.Retrain> {
    private final CommandLoop loop;
    private final ModelRegistry registry;
    private final LabelsView labels;
    private final ModelTrainer trainer;
    private final ModelScorer scorer;
    private final TrainerSettings settings;
    private final EventSink sink;
    private final OutcomeEvents events;

    RetrainHandler(CommandLoop loop, ModelRegistry registry, LabelsView labels, ModelTrainer trainer,
            ModelScorer scorer, TrainerSettings settings, EventSink sink, OutcomeEvents events) {
        this.loop = loop;
        this.registry = registry;
        this.labels = labels;
        this.trainer = trainer;
        this.scorer = scorer;
        this.settings = settings;
        this.sink = sink;
        this.events = events;
    }

    @Override
    public void handle(ControlCommand.Retrain cmd, ConsumerRecord<String, byte[]> command, String by) {
        start(cmd, RetrainJob.TRIGGER_COMMAND, command, by);
    }

    /** A run the policy asked for: no command, no offset, nobody to name. */
    void startForPolicy(ControlCommand.Retrain cmd) {
        start(cmd, RetrainJob.TRIGGER_POLICY, null, null);
    }

    private void start(ControlCommand.Retrain cmd, String trigger, ConsumerRecord<String, byte[]> command, String by) {
        EventSink runEvents = (type, details) -> sink.emit(type, OutcomeEvents.withBy(by, details));
        RetrainJob.Outcomes outcomes = new RetrainJob.Outcomes() {
            @Override
            public ModelManifest publish(Path dir, String version, boolean serve, String previous, String camera,
                    Map<String, Object> event) throws Exception {
                ModelPublisher.Publication p = registry.publication(dir, version, serve, previous, camera);
                List<ProducerRecord<String, byte[]>> records = new ArrayList<>(p.records());
                records.add(events.event(Events.PUBLISHED, OutcomeEvents.withBy(by, event)));
                loop.commitFromWorker(records, command);
                return p.manifest();
            }

            @Override
            public void report(String type, Map<String, Object> event) {
                loop.commitFromWorker(List.of(events.event(type, OutcomeEvents.withBy(by, event))), command);
            }
        };
        loop.startJob(() -> {
            try {
                labels.sync(Duration.ofMinutes(2));
                seedRegistry();
            } catch (Exception e) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("id", cmd.id());
                f.put("camera", cmd.camera());
                f.put("trigger", trigger);
                f.put("error", "cannot prepare: " + e.getMessage());
                outcomes.report(Events.FAILED, f);
                return;
            }
            new RetrainJob(trainer, scorer, registry, runEvents, settings).run(cmd, labels.labels(), trigger, outcomes);
        });
    }

    /** An empty registry gets the configured base model as version 1, serving: the rollback target. */
    private void seedRegistry() throws Exception {
        RegistryState state = registry.snapshot();
        if (!state.versions().isEmpty() || !Files.isRegularFile(settings.baseModelDir().resolve("model.pt"))) {
            return;
        }
        ModelArtifact.open(settings.baseModelDir()); // verified before it becomes version 1
        registry.publish(settings.baseModelDir(), "1", true, null);
        sink.emit(Events.PUBLISHED, Map.of("version", "1", "serving", true,
                "reason", "seeded the empty registry with " + settings.baseModelDir()));
    }
}
