package lookout.detect.swap;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import lookout.control.ControlCommand;
import lookout.control.ControlParser;
import lookout.control.InvalidCommandException;
import lookout.events.EventSink;
import lookout.events.Events;
import lookout.kafka.KafkaClients;
import lookout.kafka.TopicFollower;
import lookout.kafka.Topics;
import lookout.model.ModelMetadata;
import lookout.registry.ModelManifest;
import lookout.registry.RegistryState;
import lookout.registry.ServingPointer;

/**
 * Runs in every detector replica: follows {@code lookout.models} (from the beginning: every
 * replica needs the whole registry) and, once it has read the registry up to where it stood at
 * start, swaps to the serving version whenever it is not the model serving (by sha256):
 * reassemble, verify, then hand it to the {@link ModelSwapTarget} to load, warm up and switch. A
 * version that fails any step is refused with a {@code model-refused} event and the old model keeps
 * serving; it is not retried until a {@code reload} command (read from {@code lookout.control},
 * from its end) or a new pointer.
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
    private final Set<String> refused = new HashSet<>();
    private volatile boolean caughtUp;
    private TopicFollower follower;

    public ModelWatcher(ModelSwapTarget target, EventSink events, Listener listener, Path cacheDir) {
        this.target = target;
        this.events = events;
        this.listener = listener;
        this.cacheDir = cacheDir;
    }

    /** Follows the registry (and reload commands) on a thread of its own. */
    public ModelWatcher start(KafkaClients clients) {
        follower = new TopicFollower(clients, "lookout-model-watcher", List.of(Topics.MODELS),
                List.of(Topics.CONTROL), this::handle).start();
        return this;
    }

    /** True while the registry is being followed; false once the follower stopped (it logged why). */
    public boolean following() {
        return follower != null && follower.running();
    }

    /**
     * True when the detector serves what the registry says: the registry has been read up to
     * where it stood at start, any swap that asked for is done, and the model serving is the
     * serving version (or the registry names none: then the configured model is what serves).
     */
    public boolean inStep() {
        if (!caughtUp) {
            return false;
        }
        ServingPointer pointer = state.serving();
        if (pointer == null) {
            return true;
        }
        ModelManifest manifest = state.manifest(pointer.version());
        return manifest != null && sameModel(manifest, target.serving());
    }

    /** One poll: registry records update the state, a reload command forces a check. */
    void handle(List<ConsumerRecord<String, byte[]>> records, boolean registryRead) {
        boolean reload = false;
        for (ConsumerRecord<String, byte[]> r : records) {
            if (r.topic().equals(Topics.MODELS)) {
                state.apply(r.key(), r.value());
            } else {
                reload |= isReload(r.value());
            }
        }
        if (!registryRead) {
            return; // apply the pointer only once the whole registry has been read
        }
        if (reload) {
            refused.clear();
        }
        check(reload);
        caughtUp = true;
    }

    private static boolean isReload(byte[] value) {
        try {
            return ControlParser.parse(value) instanceof ControlCommand.Reload;
        } catch (InvalidCommandException e) {
            return false; // the trainer answers malformed commands; detectors only listen for reload
        }
    }

    private static boolean sameModel(ModelManifest manifest, ModelMetadata serving) {
        return serving != null && manifest.sha256().equalsIgnoreCase(String.valueOf(serving.sha256()));
    }

    /** Swaps to the serving version if it is not the one serving (or if a reload was asked). */
    private void check(boolean reload) {
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
        if ((sameModel(manifest, serving) && !reload) || refused.contains(manifest.sha256())) {
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
        if (follower != null) {
            follower.close();
        }
    }
}
