package lookout.trainer;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import lookout.config.LookoutConfig;
import lookout.config.ModelsSettings;
import lookout.config.TrainerSettings;
import lookout.control.ControlCommand;
import lookout.events.EventSink;
import lookout.events.Events;
import lookout.kafka.Groups;
import lookout.kafka.KafkaClients;
import lookout.kafka.TopicAdmin;
import lookout.kafka.TopicFollower;
import lookout.kafka.Topics;
import lookout.labels.LabelCodec;
import lookout.registry.KafkaModelRegistry;
import lookout.trust.ModelSigner;
import lookout.trust.SigningKeys;
import lookout.trust.TrustedKeys;

/**
 * The trainer role. Consumes {@code lookout.control} in the consumer group {@code lookout-trainer}
 * (one partition, so one trainer acts on commands, in order) and answers each command, one at a
 * time: retrain (fine-tuned on a worker thread while this one keeps the group membership), promote,
 * rollback, prune; anything else or anything malformed gets an {@code error} event.
 *
 * <p><b>A command is done when its outcome is written.</b> The outcome event, what the command
 * changes in the registry (a published model, a moved pointer, tombstones) and the command's
 * consumed offset are written in one Kafka transaction. A trainer that dies before has written
 * nothing (an open transaction is aborted, read_committed readers never see it) and its successor
 * (or itself, restarted) runs the command again; one that dies after has committed the offset, so
 * nothing is ever published twice. Progress events (training-started, epoch, evaluated) are
 * at-least-once: a command run again reports its progress again. The {@link RetrainPolicy} may
 * start runs of its own while no command waits; their outcomes are written the same way.
 *
 * <p>This class only wires the parts: {@link CommandLoop} (the group member and the transactions),
 * {@link CommandDispatch} (one handler per command type), {@link PolicyTrigger}.
 */
public final class TrainerService implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TrainerService.class);
    public static final String GROUP = Groups.TRAINER;

    private final KafkaClients clients;
    private final TrainerSettings settings;
    private final LabelCodec codec;
    private final int chunkBytes;
    private final ModelTrainer trainer;
    private final ModelScorer scorer;
    private final RetrainPolicy policy;
    private Events events;
    private MeterRegistry meters;
    private TrainerMetrics metrics;
    private ModelSigner signer;
    private TrustedKeys trust;
    private KafkaModelRegistry registry;
    private LabelsView labels;
    private CommandLoop loop;

    /**
     * @param codec      validates label records as they are read
     * @param chunkBytes size of the pieces a published model.pt is cut into
     */
    public TrainerService(KafkaClients clients, TrainerSettings settings, LabelCodec codec, int chunkBytes,
            ModelTrainer trainer, ModelScorer scorer) {
        this.clients = clients;
        this.settings = settings;
        this.codec = codec;
        this.chunkBytes = chunkBytes;
        this.trainer = trainer;
        this.scorer = scorer;
        this.policy = new RetrainPolicy(settings.policy(), System.currentTimeMillis());
    }

    /** Exports the trainer's meters (see {@link TrainerMetrics}); call before {@link #start()}. */
    public TrainerService withMetrics(MeterRegistry registry) {
        this.meters = registry;
        return this;
    }

    /**
     * The key this trainer signs its models with, and the keys whose models it reads (it trusts its
     * own key too: a base version to fine-tune from is loaded, i.e. run, here). Without this call
     * {@link #start()} takes both from the configuration ({@code lookout.models.*}).
     */
    public TrainerService withSigning(ModelSigner signer, TrustedKeys trust) {
        this.signer = signer;
        this.trust = trust;
        return this;
    }

    public TrainerService start() {
        if (signer == null) {
            ModelsSettings models = LookoutConfig.current().models();
            withSigning(SigningKeys.signer(models), SigningKeys.trusted(models));
        }
        TopicAdmin.ensure(clients.settings(), Topics.LOOP);
        events = Events.open(clients, "trainer");
        EventSink sink = events; // where this trainer's events go: through the meters when there are any
        if (meters != null) {
            metrics = new TrainerMetrics(events, meters);
            sink = metrics;
        }
        registry = new KafkaModelRegistry(clients, Groups.trainerTransactionalId(clients.settings().group().instanceId()),
                chunkBytes, signer, trust.and(signer.publicKey()));
        labels = new LabelsView(clients, codec, metrics == null ? set -> { } : metrics::labels).start();
        PolicyTrigger trigger = new PolicyTrigger(policy, labels::caughtUp, labels::labels);
        if (settings.policy().enabled()) {
            // the last run of each camera, from the outcome events so far
            TopicFollower.snapshot(clients, "lookout-trainer-policy", Topics.EVENTS, Duration.ofMinutes(2),
                    (key, value) -> trigger.learn(value));
        }
        loop = new CommandLoop(clients.memberConsumer(GROUP, "lookout-trainer-control"), new CommandLoop.Transactions() {
            @Override
            public void commit(List<ProducerRecord<String, byte[]>> records,
                    Map<TopicPartition, OffsetAndMetadata> offsets,
                    ConsumerGroupMetadata group) {
                registry.commit(records, offsets, group);
            }

            @Override
            public void reset() {
                registry.reset();
            }
        }, r -> {
            if (r.topic().equals(Topics.EVENTS)) {
                trigger.learn(r.value()); // the policy learns of this run's outcome
                if (metrics != null) {
                    metrics.committed(r.value()); // and the meters of what is now written
                }
            }
        }, sink);
        OutcomeEvents outcomes = new OutcomeEvents(events.source());
        RetrainHandler retrain = new RetrainHandler(loop, registry, labels, trainer, scorer, settings, sink, outcomes);
        ServingHandler promote = new ServingHandler(registry, loop::complete, outcomes, "promote", Events.PROMOTED);
        ServingHandler rollback = new ServingHandler(registry, loop::complete, outcomes, "rollback", Events.ROLLED_BACK);
        CommandDispatch dispatch = new CommandDispatch(loop::complete, outcomes)
                .on(ControlCommand.Retrain.class, retrain)
                .on(ControlCommand.Promote.class, (p, r, by) -> promote.move(r, p.id(), by, p.camera(), p.version()))
                .on(ControlCommand.Rollback.class, (rb, r, by) -> rollback.move(r, rb.id(), by, rb.camera(), rb.version()))
                .on(ControlCommand.Prune.class, new PruneHandler(registry, loop::complete, outcomes, settings.keepVersions()));
        loop.start(Topics.CONTROL, "lookout-trainer-control", new CommandLoop.Actions() {
            @Override
            public void handle(ConsumerRecord<String, byte[]> command) {
                dispatch.handle(command);
            }

            @Override
            public void idle() {
                trigger.due(System.currentTimeMillis()).ifPresent(retrain::startForPolicy);
            }
        });
        LOG.infof("trainer %s started (holdout %.2f, tolerance %.3f, base %s, policy %s, signing key %s, %s)",
                clients.settings().group().instanceId(), settings.holdoutFraction(), settings.tolerance(),
                settings.baseModelDir(), settings.policy().enabled() ? settings.policy() : "off", signer.keyId(),
                settings.autoPromote() ? "auto-promote" : "a human promotes what it publishes");
        return this;
    }

    /** False once the command loop has stopped (a failure it could not survive, or closing). */
    public boolean alive() {
        CommandLoop l = loop;
        return l == null || l.alive();
    }

    /** True while a retrain runs. */
    public boolean busy() {
        CommandLoop l = loop;
        return l != null && l.busy();
    }

    /** Waits for a running retrain to finish (tests, orderly shutdown). */
    public void awaitIdle(Duration timeout) throws Exception {
        if (loop != null) {
            loop.awaitIdle(timeout);
        }
    }

    @Override
    public void close() {
        if (loop != null) {
            loop.close(); // a run cut short writes no outcome: its command is acted on again after a restart
        }
        if (labels != null) {
            labels.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (events != null) {
            events.close();
        }
    }
}
