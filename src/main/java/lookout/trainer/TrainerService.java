package lookout.trainer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import lookout.control.ControlCommand;
import lookout.control.ControlParser;
import lookout.events.EventSink;
import lookout.events.Events;
import lookout.control.InvalidCommandException;
import lookout.config.TrainerSettings;
import lookout.kafka.Instance;
import lookout.kafka.KafkaClients;
import lookout.kafka.TopicAdmin;
import lookout.kafka.Topics;
import lookout.labels.LabelCodec;
import lookout.model.ModelArtifact;
import lookout.registry.KafkaModelRegistry;
import lookout.registry.RegistryState;
import lookout.registry.ServingChange;
import lookout.registry.ServingPointer;

/**
 * The trainer role. Consumes {@code lookout.control} in the consumer group {@code lookout-trainer}
 * (the topic has one partition, so exactly one trainer acts on commands, in order) and answers:
 * retrain (one run at a time, off the polling thread), promote, rollback, prune; anything else or
 * anything malformed gets an {@code error} event. Each command's offset is committed before it is
 * acted on: a trainer that dies mid-run publishes nothing (transactional publish) and the command
 * is not retried by its successor (no crash loops on a poisonous command); send it again.
 */
public final class TrainerService implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TrainerService.class);
    public static final String GROUP = "lookout-trainer";

    private final KafkaClients clients;
    private final TrainerSettings settings;
    private final LabelCodec codec;
    private final int chunkBytes;
    private final ModelTrainer trainer;
    private final ModelScorer scorer;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> new Thread(r, "lookout-retrain"));
    private final AtomicBoolean running = new AtomicBoolean(true);
    private KafkaConsumer<String, byte[]> control;
    private Events events;
    /** Where this trainer's events go: {@code lookout.events}, through the meters when there are any. */
    private EventSink sink;
    private MeterRegistry meters;
    private TrainerMetrics metrics;
    private KafkaModelRegistry registry;
    private LabelsView labels;
    private Thread thread;
    private volatile Future<?> job;

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
    }

    /** Exports the trainer's meters (see {@link TrainerMetrics}); call before {@link #start()}. */
    public TrainerService withMetrics(MeterRegistry registry) {
        this.meters = registry;
        return this;
    }

    public TrainerService start() {
        TopicAdmin.ensure(clients.settings(), Topics.LOOP);
        events = Events.open(clients, "trainer");
        sink = events;
        if (meters != null) {
            metrics = new TrainerMetrics(events, meters);
            sink = metrics;
        }
        registry = new KafkaModelRegistry(clients, "lookout-trainer-" + Instance.id(), chunkBytes);
        labels = new LabelsView(clients, codec, metrics == null ? set -> { } : metrics::labels).start();
        control = clients.consumer(GROUP, "lookout-trainer-control");
        control.subscribe(List.of(Topics.CONTROL));
        thread = new Thread(this::loop, "lookout-trainer-control");
        thread.start();
        LOG.infof("trainer %s started (holdout %.2f, tolerance %.3f, base %s)", Instance.id(), settings.holdoutFraction(),
                settings.tolerance(), settings.baseModelDir());
        return this;
    }

    /** True while a retrain runs. */
    public boolean busy() {
        Future<?> j = job;
        return j != null && !j.isDone();
    }

    private void loop() {
        try {
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> r : control.poll(Duration.ofMillis(500))) {
                    control.commitSync(Map.of(new TopicPartition(r.topic(), r.partition()),
                            new OffsetAndMetadata(r.offset() + 1)));
                    handle(r);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("trainer control loop stopped", e);
            sink.emit(Events.ERROR, Map.of("error", "trainer stopped: " + e.getMessage()));
        } finally {
            control.close();
        }
    }

    void handle(ConsumerRecord<String, byte[]> r) {
        ControlCommand cmd;
        try {
            cmd = ControlParser.parse(r.value());
        } catch (InvalidCommandException e) {
            Map<String, Object> err = new LinkedHashMap<>();
            err.put("id", e.id());
            err.put("error", e.getMessage());
            err.put("offset", r.offset());
            err.put("command", r.value() == null ? null : snippet(r.value()));
            sink.emit(Events.ERROR, err);
            return;
        }
        try {
            if (cmd instanceof ControlCommand.Retrain retrain) {
                startRetrain(retrain);
            } else if (cmd instanceof ControlCommand.Promote p) {
                moveServing(p.id(), p.version(), "promote", Events.PROMOTED);
            } else if (cmd instanceof ControlCommand.Rollback rb) {
                moveServing(rb.id(), rb.version(), "rollback", Events.ROLLED_BACK);
            } else if (cmd instanceof ControlCommand.Prune p) {
                int keep = p.keep() != null ? p.keep() : settings.keepVersions();
                List<String> pruned = registry.prune(registry.snapshot(), keep);
                sink.emit(Events.PRUNED, withId(p.id(), Map.of("versions", pruned, "keep", keep)));
            } else {
                LOG.debugf("%s is for detectors; the trainer ignores it", cmd.name());
            }
        } catch (RuntimeException e) {
            LOG.error("command failed", e);
            sink.emit(Events.ERROR, withId(cmd.id(), Map.of("command", cmd.name(), "error", String.valueOf(e.getMessage()))));
        }
    }

    private void startRetrain(ControlCommand.Retrain cmd) {
        if (busy()) {
            sink.emit(Events.ERROR, withId(cmd.id(), Map.of("command", "retrain",
                    "error", "a retrain is already running; send it again when it has finished")));
            return;
        }
        job = worker.submit(() -> {
            try {
                labels.sync(Duration.ofMinutes(2));
                seedRegistry();
            } catch (Exception e) {
                sink.emit(Events.FAILED, withId(cmd.id(), Map.of("error", "cannot prepare: " + e.getMessage())));
                return;
            }
            new RetrainJob(trainer, scorer, registry, sink, settings).run(cmd, labels.labels());
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

    private void moveServing(String id, String version, String reason, String eventType) {
        try {
            RegistryState state = registry.snapshot();
            ServingPointer p = ServingChange.resolve(state, version, reason);
            registry.setServing(p);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("version", p.version());
            e.put("previous", p.previous());
            sink.emit(eventType, withId(id, e));
        } catch (IllegalArgumentException e) {
            sink.emit(Events.ERROR, withId(id, Map.of("command", reason, "error", e.getMessage())));
        }
    }

    private static Map<String, Object> withId(String id, Map<String, ?> details) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.putAll(details);
        return m;
    }

    private static String snippet(byte[] value) {
        String s = new String(value, StandardCharsets.UTF_8);
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    /** Waits for a running retrain to finish (tests, orderly shutdown). */
    public void awaitIdle(Duration timeout) throws Exception {
        Future<?> j = job;
        if (j != null) {
            j.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        running.set(false);
        if (control != null) {
            control.wakeup();
        }
        try {
            if (thread != null) {
                thread.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        worker.shutdownNow();
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
