package lookout.registry;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import lookout.control.ControlCommand;
import lookout.control.ControlParser;
import lookout.control.EventSink;
import lookout.control.Events;
import lookout.control.InvalidCommandException;
import lookout.kafka.KafkaClients;
import lookout.kafka.Topics;
import lookout.model.ModelMetadata;

/**
 * Runs in every detector replica: follows {@code lookout.models} (from the beginning, no consumer
 * group: every replica needs everything) and, when the serving pointer names a model other than
 * the one serving (by sha256), reassembles it, verifies its sha256, and hands it to the
 * {@link ModelSwapTarget} to load, warm up and switch. A version that fails any step is refused
 * with a {@code model-refused} event and the old model keeps serving; it is not retried until a
 * {@code reload} command (read from {@code lookout.control}, from its end) or a new pointer.
 */
public final class ModelWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelWatcher.class);

    /** What happened to a serving pointer; for metrics. */
    public interface Listener {
        void swapped(String outcome);
    }

    private final RegistryState state = new RegistryState();
    private final ModelSwapTarget target;
    private final EventSink events;
    private final Listener listener;
    private final Path cacheDir;
    private final KafkaConsumer<String, byte[]> consumer;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Set<String> refused = new HashSet<>();
    private final Thread thread;
    private volatile boolean caughtUp;

    public ModelWatcher(String bootstrap, ModelSwapTarget target, EventSink events, Listener listener, Path cacheDir) {
        this.target = target;
        this.events = events;
        this.listener = listener;
        this.cacheDir = cacheDir;
        this.consumer = KafkaClients.consumer(bootstrap, null, "lookout-model-watcher");
        this.thread = new Thread(this::loop, "lookout-model-watcher");
        this.thread.setDaemon(true);
    }

    public ModelWatcher start() {
        thread.start();
        return this;
    }

    /** True once the registry has been read up to where it stood when the watcher started. */
    public boolean caughtUp() {
        return caughtUp;
    }

    private void loop() {
        try {
            List<TopicPartition> models = partitions(Topics.MODELS);
            List<TopicPartition> control = partitions(Topics.CONTROL);
            List<TopicPartition> all = new java.util.ArrayList<>(models);
            all.addAll(control);
            consumer.assign(all);
            consumer.seekToBeginning(models);
            consumer.seekToEnd(control);
            Map<TopicPartition, Long> end = consumer.endOffsets(models);
            while (running.get()) {
                boolean reload = false;
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.topic().equals(Topics.MODELS)) {
                        state.apply(r.key(), r.value());
                    } else {
                        reload |= isReload(r.value());
                    }
                }
                if (!caughtUp) {
                    caughtUp = end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
                    if (!caughtUp) {
                        continue; // apply the pointer only once the whole registry has been read
                    }
                }
                if (reload) {
                    refused.clear();
                }
                check(reload);
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("model watcher stopped", e);
        } finally {
            consumer.close();
        }
    }

    private List<TopicPartition> partitions(String topic) {
        return consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    private static boolean isReload(byte[] value) {
        try {
            return ControlParser.parse(value) instanceof ControlCommand.Reload;
        } catch (InvalidCommandException e) {
            return false; // the trainer answers malformed commands; detectors only listen for reload
        }
    }

    /** Swaps to the serving version if it is not the one serving (or if a reload was asked). */
    void check(boolean reload) {
        ServingPointer pointer = state.serving();
        if (pointer == null) {
            return;
        }
        ModelManifest manifest = state.manifest(pointer.version());
        if (manifest == null) {
            refuse(pointer.version(), "the serving pointer names a version that is not (or no longer) published",
                    null);
            return;
        }
        ModelMetadata serving = target.serving();
        boolean same = serving != null && manifest.sha256().equalsIgnoreCase(String.valueOf(serving.sha256()));
        if ((same && !reload) || refused.contains(manifest.sha256())) {
            return;
        }
        long start = System.nanoTime();
        try {
            Path dir = state.assemble(pointer.version(), cacheDir.resolve(pointer.version()));
            target.swapTo(dir);
        } catch (Exception | LinkageError e) {
            refuse(pointer.version(), e.getMessage(), manifest.sha256());
            return;
        }
        state.dropChunks(pointer.version());
        listener.swapped("loaded");
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("version", pointer.version());
        e.put("previous", serving == null ? null : serving.version());
        e.put("sha256", manifest.sha256());
        e.put("reason", reload ? "reload" : pointer.reason());
        e.put("seconds", Math.round((System.nanoTime() - start) / 1e7) / 100.0);
        events.emit(Events.MODEL_LOADED, e);
    }

    private void refuse(String version, String why, String sha) {
        if (sha != null) {
            refused.add(sha);
        } else if (!refused.add("missing:" + version)) {
            return;
        }
        ModelMetadata serving = target.serving();
        LOG.warnf("refusing model version %s: %s", version, why);
        listener.swapped("refused");
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("version", version);
        e.put("error", why);
        e.put("serving", serving == null ? null : serving.version());
        events.emit(Events.MODEL_REFUSED, e);
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
