package lookout.trainer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import lookout.common.Json;
import lookout.common.Names;
import lookout.config.TrainerSettings;
import lookout.control.ControlCommand;
import lookout.control.ControlParser;
import lookout.events.EventSink;
import lookout.control.InvalidCommandException;
import lookout.events.Events;
import lookout.kafka.Groups;
import lookout.kafka.KafkaClients;
import lookout.kafka.TopicAdmin;
import lookout.kafka.TopicFollower;
import lookout.kafka.Topics;
import lookout.labels.LabelCodec;
import lookout.model.ModelArtifact;
import lookout.registry.KafkaModelRegistry;
import lookout.registry.ModelManifest;
import lookout.registry.ModelPublisher;
import lookout.registry.RegistryState;
import lookout.registry.ServingChange;
import lookout.registry.ServingPointer;

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
 */
public final class TrainerService implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TrainerService.class);
    public static final String GROUP = Groups.TRAINER;
    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaClients clients;
    private final TrainerSettings settings;
    private final LabelCodec codec;
    private final int chunkBytes;
    private final ModelTrainer trainer;
    private final ModelScorer scorer;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lookout-retrain");
        t.setDaemon(true); // a run cut short by shutdown writes no outcome: its command is acted on again
        return t;
    });
    private final AtomicBoolean running = new AtomicBoolean(true);
    /** Outcomes the retrain thread asks this (the consumer's) thread to commit. */
    private final BlockingQueue<Commit> commits = new LinkedBlockingQueue<>();
    /** Commands polled and not yet acted on, in order (one at a time). */
    private final Deque<ConsumerRecord<String, byte[]>> waiting = new ArrayDeque<>();
    private final RetrainPolicy policy;
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
    private long nextPolicyCheck;

    /** An outcome to commit with the offset of the command that caused it (none for a policy run). */
    private record Commit(List<ProducerRecord<String, byte[]>> records, ConsumerRecord<String, byte[]> command,
            CompletableFuture<Void> done) {
    }

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

    public TrainerService start() {
        TopicAdmin.ensure(clients.settings(), Topics.LOOP);
        events = Events.open(clients, "trainer");
        sink = events;
        if (meters != null) {
            metrics = new TrainerMetrics(events, meters);
            sink = metrics;
        }
        registry = new KafkaModelRegistry(clients, Groups.trainerTransactionalId(clients.settings().group().instanceId()),
                chunkBytes);
        labels = new LabelsView(clients, codec, metrics == null ? set -> { } : metrics::labels).start();
        if (settings.policy().enabled()) {
            // the last run of each camera, from the outcome events so far
            TopicFollower.snapshot(clients, "lookout-trainer-policy", Topics.EVENTS, Duration.ofMinutes(2),
                    (key, value) -> readEvent(value));
        }
        control = clients.memberConsumer(GROUP, "lookout-trainer-control");
        control.subscribe(List.of(Topics.CONTROL), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                waiting.clear(); // their commands now belong to whoever gets the partition (from the committed offset)
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            }
        });
        thread = new Thread(this::loop, "lookout-trainer-control");
        thread.start();
        LOG.infof("trainer %s started (holdout %.2f, tolerance %.3f, base %s, policy %s)",
                clients.settings().group().instanceId(), settings.holdoutFraction(), settings.tolerance(),
                settings.baseModelDir(), settings.policy().enabled() ? settings.policy() : "off");
        return this;
    }

    private void readEvent(byte[] value) {
        try {
            policy.event(Json.MAPPER.readTree(value));
        } catch (java.io.IOException | RuntimeException e) {
            // not an event this trainer wrote; nothing to learn from it
        }
    }

    /** False once the command loop has stopped (a failure it could not survive, or closing). */
    public boolean alive() {
        Thread t = thread;
        return t == null || t.isAlive() || !running.get();
    }

    /** True while a retrain runs. */
    public boolean busy() {
        Future<?> j = job;
        return j != null && !j.isDone();
    }

    private void loop() {
        try {
            while (running.get()) {
                if (busy()) {
                    // paused: polling keeps this trainer in the group while the run goes on (a partition
                    // assigned meanwhile is not paused: its commands wait their turn)
                    control.poll(POLL).forEach(waiting::add);
                    drainCommits();
                    continue;
                }
                drainCommits(); // a run that just ended may have left its outcome here
                if (job != null) {
                    job = null;
                    control.resume(control.assignment());
                }
                if (waiting.isEmpty()) {
                    control.poll(POLL).forEach(waiting::add);
                }
                ConsumerRecord<String, byte[]> next = waiting.poll();
                try {
                    if (next != null) {
                        handle(next);
                    } else {
                        maybeRunPolicy();
                    }
                } catch (WakeupException e) {
                    throw e;
                } catch (KafkaException e) {
                    // the outcome was not written: back to the committed offset, the command is read again
                    LOG.warnf("command not completed (%s); reading it again", e.toString());
                    rewind();
                    pause(Duration.ofSeconds(1));
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

    /** Acts on one command; a retrain starts on the worker and this thread waits (polling) for its outcome. */
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
            complete(r, List.of(event(Events.ERROR, err)));
            return;
        }
        String by = ControlParser.by(r.value()); // who sent it (the REST door's user): every event it causes says so
        try {
            if (cmd instanceof ControlCommand.Retrain retrain) {
                startRetrain(retrain, RetrainJob.TRIGGER_COMMAND, r, by);
            } else if (cmd instanceof ControlCommand.Promote p) {
                moveServing(r, p.id(), by, p.version(), "promote", Events.PROMOTED);
            } else if (cmd instanceof ControlCommand.Rollback rb) {
                moveServing(r, rb.id(), by, rb.version(), "rollback", Events.ROLLED_BACK);
            } else if (cmd instanceof ControlCommand.Prune p) {
                int keep = p.keep() != null ? p.keep() : settings.keepVersions();
                Map<String, List<ProducerRecord<String, byte[]>>> tombstones =
                        ModelPublisher.pruneRecords(registry.snapshot(), keep);
                List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
                tombstones.values().forEach(records::addAll);
                records.add(event(Events.PRUNED, withId(p.id(), by, Map.of("versions", List.copyOf(tombstones.keySet()),
                        "keep", keep))));
                complete(r, records);
            } else {
                LOG.debugf("%s is for detectors; the trainer ignores it", cmd.name());
                complete(r, List.of());
            }
        } catch (KafkaException e) {
            throw e; // Kafka itself failed: handled by the caller's rewind
        } catch (RuntimeException e) {
            LOG.error("command failed", e);
            complete(r, List.of(event(Events.ERROR, withId(cmd.id(), by, Map.of("command", cmd.name(),
                    "error", String.valueOf(e.getMessage()))))));
        }
    }

    private void startRetrain(ControlCommand.Retrain cmd, String trigger, ConsumerRecord<String, byte[]> command,
            String by) {
        control.pause(control.assignment());
        EventSink runEvents = (type, details) -> sink.emit(type, withBy(by, details));
        RetrainJob.Outcomes outcomes = new RetrainJob.Outcomes() {
            @Override
            public ModelManifest publish(Path dir, String version, boolean serve, String previous,
                    Map<String, Object> event) throws Exception {
                ModelPublisher.Publication p = registry.publication(dir, version, serve, previous);
                List<ProducerRecord<String, byte[]>> records = new ArrayList<>(p.records());
                records.add(event(Events.PUBLISHED, withBy(by, event)));
                commitFromWorker(records, command);
                return p.manifest();
            }

            @Override
            public void report(String type, Map<String, Object> event) {
                commitFromWorker(List.of(event(type, withBy(by, event))), command);
            }
        };
        job = worker.submit(() -> {
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

    /** Hands an outcome to the consumer's thread (it owns the group membership) and waits until it is committed. */
    private void commitFromWorker(List<ProducerRecord<String, byte[]>> records, ConsumerRecord<String, byte[]> command) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        commits.add(new Commit(records, command, done));
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetrainJob.OutcomeNotWritten("interrupted before the outcome was written", e);
        } catch (ExecutionException e) {
            throw new RetrainJob.OutcomeNotWritten("the outcome could not be written: " + e.getCause(), e.getCause());
        }
    }

    private void drainCommits() {
        for (Commit c; (c = commits.poll()) != null;) {
            try {
                complete(c.command(), c.records());
                c.done().complete(null);
            } catch (RuntimeException e) {
                c.done().completeExceptionally(e);
            }
        }
    }

    /**
     * Writes a command's outcome records and its offset in one transaction. If Kafka refuses (this
     * trainer lost its partition or its producer was fenced), nothing was written: the consumer
     * goes back to the last committed offset, so the command is acted on again by whoever owns it.
     */
    private void complete(ConsumerRecord<String, byte[]> command, List<ProducerRecord<String, byte[]>> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = command == null ? Map.of()
                : Map.of(new TopicPartition(command.topic(), command.partition()), new OffsetAndMetadata(command.offset() + 1));
        try {
            registry.commit(records, offsets, offsets.isEmpty() ? null : control.groupMetadata());
        } catch (KafkaException e) {
            LOG.errorf("could not write the outcome of %s: %s; the command will be acted on again",
                    command == null ? "a policy run" : "command at offset " + command.offset(), e.toString());
            registry.reset();
            rewind();
            throw e;
        }
        for (ProducerRecord<String, byte[]> r : records) {
            if (r.topic().equals(Topics.EVENTS)) {
                readEvent(r.value()); // the policy learns of this run's outcome
                if (metrics != null) {
                    metrics.committed(r.value()); // and the meters of what is now written
                }
            }
        }
    }

    /** Back to the committed offsets: what was not completed is read again. */
    private void rewind() {
        waiting.clear();
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = control.committed(control.assignment());
            for (TopicPartition tp : control.assignment()) {
                OffsetAndMetadata o = committed.get(tp);
                if (o != null) {
                    control.seek(tp, o);
                } else {
                    control.seekToBeginning(List.of(tp));
                }
            }
        } catch (KafkaException e) {
            LOG.warnf("cannot rewind to the committed offsets (%s); a rebalance will", e.toString());
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WakeupException();
        }
    }

    /** With no command waiting, the policy may start a run of its own (one camera at a time). */
    private void maybeRunPolicy() {
        long now = System.currentTimeMillis();
        if (!settings.policy().enabled() || now < nextPolicyCheck || !labels.caughtUp()) {
            return;
        }
        nextPolicyCheck = now + settings.policy().check().toMillis();
        Optional<String> camera = policy.due(labels.labels(), now);
        camera.ifPresent(c -> startRetrain(new ControlCommand.Retrain("policy-" + c + "-" + now, null, null, c, null,
                null), RetrainJob.TRIGGER_POLICY, null, null));
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

    private void moveServing(ConsumerRecord<String, byte[]> r, String id, String by, String version, String reason,
            String eventType) {
        try {
            RegistryState state = registry.snapshot();
            ServingPointer p = ServingChange.resolve(state, version, reason);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("version", p.version());
            e.put("previous", p.previous());
            complete(r, List.of(ModelPublisher.servingRecord(p), event(eventType, withId(id, by, e))));
        } catch (IllegalArgumentException e) {
            complete(r, List.of(event(Events.ERROR, withId(id, by, Map.of("command", reason, "error", e.getMessage())))));
        }
    }

    private ProducerRecord<String, byte[]> event(String type, Map<String, ?> details) {
        return Events.record(type, events.source(), details);
    }

    private static Map<String, Object> withId(String id, String by, Map<String, ?> details) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        return withBy(by, m, details);
    }

    /** The details with {@code "by"} (who sent the command) after them, when known. */
    static Map<String, Object> withBy(String by, Map<String, ?> details) {
        return withBy(by, new LinkedHashMap<>(), details);
    }

    private static Map<String, Object> withBy(String by, Map<String, Object> into, Map<String, ?> details) {
        into.putAll(details);
        if (by != null) {
            into.put(ControlParser.BY, by);
        }
        return into;
    }

    private static String snippet(byte[] value) {
        return Names.clip(new String(value, 0, Math.min(value.length, 1000), StandardCharsets.UTF_8), 200);
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
        worker.shutdownNow(); // a run cut short writes no outcome: its command is acted on again after a restart
        try {
            if (thread != null) {
                thread.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
