package lookout.inference.swap;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import lookout.common.SafePaths;
import lookout.control.ControlCommand;
import lookout.control.ControlParser;
import lookout.control.InvalidCommandException;
import lookout.events.EventSink;
import lookout.events.Events;
import lookout.kafka.KafkaClients;
import lookout.kafka.TopicFollower;
import lookout.kafka.Topics;
import lookout.model.ModelMetadata;
import lookout.registry.ModelIntegrityException;
import lookout.registry.ModelManifest;
import lookout.registry.RegistryState;
import lookout.registry.ServingPointer;
import lookout.trust.TrustedKeys;

/**
 * Runs in every detector replica: follows {@code lookout.models} (from the beginning: every
 * replica needs the whole registry) and, once it has read the registry up to where it stood at
 * start, swaps to the serving version whenever it is not the model serving (by sha256): check its
 * signature against the trusted keys, reassemble (or reuse the verified copy in the model cache: a
 * rollback to a version loaded before needs no chunks), verify, then hand it to the
 * {@link ModelSwapTarget} to load, warm up and switch. A version that fails any step is refused with
 * a {@code model-refused} event (and its reason) and the old model keeps serving; it is not retried
 * until a {@code reload} command (read from {@code lookout.control}, from its end) or a new pointer.
 * While the pointer names a refused version the replica is divergent ({@link #divergence()}): a
 * health detail, a metric and an alert, never a reason to stop answering frames. Cameras with a model
 * of their own (pointer {@code serving@<camera>}) are followed the same way, each on its own: a
 * camera's pointer swaps that camera's detectors, its tombstone returns the camera to the general model.
 */
public final class ModelWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelWatcher.class);

    /** What happened to a serving pointer, and which registry records were skipped; for metrics. */
    public interface Listener {
        void swapped(String outcome);

        /** A record on lookout.models that could not be used (see {@link RegistryState.SkipListener}). */
        default void skipped(String reason) {
        }

        /** A serving version refused, by reason (unsigned, unknown-key, bad-signature, integrity, load-failed...). */
        default void refused(String reason) {
        }
    }

    /**
     * A serving version this replica refused: which, why (a reason code) and the readable detail;
     * camera null for the general pointer, else the camera whose own pointer names it.
     */
    public record Refusal(String camera, String version, String reason, String detail) {
    }

    /** The key of the general pointer in maps keyed by camera. */
    private static final String GENERAL = "";

    private final RegistryState state;
    private final ModelSwapTarget target;
    private final EventSink events;
    private final Listener listener;
    private final Path cacheDir;
    /**
     * Refusals by pointer and what was refused (a manifest's sha256, or a version that could not be
     * had), not repeated.
     */
    private final Map<String, Refusal> refused = new HashMap<>();
    private volatile boolean caughtUp;
    /**
     * Per pointer (GENERAL, or a camera), the refusal of the version it names now, while this replica
     * does not serve it.
     */
    private final Map<String, Refusal> divergences = new ConcurrentHashMap<>();
    private TopicFollower follower;

    /** @param trust the keys a model must be signed by to be loaded (lookout.models.trusted-keys) */
    public ModelWatcher(ModelSwapTarget target, EventSink events, Listener listener, Path cacheDir, TrustedKeys trust) {
        this.target = target;
        this.events = events;
        this.listener = listener;
        this.cacheDir = cacheDir;
        this.state = new RegistryState(this::skipped, trust);
    }

    /** A record the registry state could not use: an event and a metric. */
    private void skipped(String key, String reason, String detail) {
        listener.skipped(reason);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("key", key);
        e.put("reason", reason);
        e.put("error", detail);
        events.emit(Events.REGISTRY_RECORD_SKIPPED, e);
    }

    /** Follows the registry (and reload commands) on a thread of its own. */
    public ModelWatcher start(KafkaClients clients) {
        follower = new TopicFollower(clients, "lookout-model-watcher", List.of(Topics.MODELS),
                List.of(Topics.CONTROL), this::handle).start();
        return this;
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
        if (pointer != null && !serves(null, pointer)) {
            return false;
        }
        Map<String, ServingPointer> own = state.cameraServing();
        return own.entrySet().stream().allMatch(e -> serves(e.getKey(), e.getValue()))
                && own.keySet().containsAll(target.ownModels());
    }

    private boolean serves(String camera, ServingPointer pointer) {
        ModelManifest manifest = state.manifest(pointer.version());
        return manifest != null && sameModel(manifest, target.serving(camera));
    }

    /**
     * Why this replica does not serve the registry's serving version, when it refused it or cannot
     * fetch it (unsigned, forged, missing chunks, does not load...); null when it serves it, when a
     * swap to it is under way, or before the registry has been read.
     */
    public Refusal divergence() {
        Refusal general = divergence(null, state.serving());
        if (general != null) {
            return general;
        }
        for (Map.Entry<String, ServingPointer> e : state.cameraServing().entrySet()) {
            Refusal r = divergence(e.getKey(), e.getValue());
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    /** The key of a pointer in the maps kept per pointer. */
    private static String scope(String camera) {
        return camera == null ? GENERAL : camera;
    }

    private Refusal divergence(String camera, ServingPointer p) {
        Refusal r = divergences.get(scope(camera));
        return r != null && p != null && r.version().equals(p.version()) ? r : null;
    }

    /** True while the watcher follows the registry (its thread has not stopped). */
    public boolean alive() {
        return follower != null && follower.alive();
    }

    /**
     * One poll: registry records update the state, a reload command forces a check. Nothing a
     * record holds can stop the watcher: the state skips what it cannot use and a failed check
     * refuses the version, so later publishes, promotes and rollbacks are still acted on.
     */
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
        check(null, state.serving(), reload);
        Map<String, ServingPointer> own = state.cameraServing();
        for (Map.Entry<String, ServingPointer> e : own.entrySet()) {
            check(e.getKey(), e.getValue(), reload);
        }
        for (String camera : Set.copyOf(target.ownModels())) {
            if (!own.containsKey(camera)) {
                returnToGeneral(camera);
            }
        }
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

    /** Checks one pointer; whatever goes wrong refuses its version, never the other pointers' checks. */
    private void check(String camera, ServingPointer pointer, boolean reload) {
        try {
            swapIfNeeded(camera, pointer, reload);
        } catch (RuntimeException e) {
            LOG.errorf(e, "checking the serving version failed");
            String v = pointer == null ? "?" : pointer.version();
            refuse(camera, v, "check-failed", "check failed: " + e, "check:" + v + ":" + e);
        }
    }

    /** A camera whose own pointer was removed (a rollback to the general model): it follows the general model again. */
    private void returnToGeneral(String camera) {
        ModelMetadata before = target.serving(camera);
        target.drop(camera);
        divergences.remove(camera);
        listener.swapped("loaded");
        ModelMetadata general = target.serving(null);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("camera", camera);
        e.put("version", general == null ? null : general.version());
        e.put("previous", before == null ? null : before.version());
        e.put("reason", "camera-follows-general");
        events.emit(Events.MODEL_LOADED, e);
    }

    /**
     * Swaps the camera (null: the general model) to the version its pointer names if that is not the
     * one serving it (or if a reload was asked).
     */
    private void swapIfNeeded(String camera, ServingPointer pointer, boolean reload) {
        String scope = scope(camera);
        if (pointer == null) {
            divergences.remove(scope);
            return;
        }
        String version = pointer.version();
        ModelManifest manifest = state.manifest(version);
        if (manifest == null) {
            String untrusted = state.refusal(version);
            if (untrusted != null) {
                int colon = untrusted.indexOf(": ");
                refuse(camera, version, untrusted.substring(0, colon), untrusted.substring(colon + 2),
                        "untrusted:" + version + ":" + untrusted);
            } else {
                refuse(camera, version, "not-published",
                        "the serving pointer names a version that is not (or no longer) published", "missing:" + version);
            }
            return;
        }
        ModelMetadata serving = target.serving(camera);
        if (sameModel(manifest, serving) && !reload) {
            divergences.remove(scope);
            return;
        }
        Refusal before = refused.get(scope + "|" + manifest.sha256());
        if (before != null) {
            divergences.put(scope, before); // refused once, not retried until a reload or another version
            return;
        }
        long start = System.nanoTime();
        Path dir;
        try {
            // the version is a validated name, and the path is checked to stay in the cache anyway;
            // the signature is checked again, and a copy cached by an earlier swap is reused if it hashes right
            dir = state.assemble(version, SafePaths.inside(cacheDir, version));
        } catch (ModelIntegrityException e) {
            refuse(camera, version, e.reason(), e.getMessage(), manifest.sha256());
            return;
        } catch (Exception e) {
            refuse(camera, version, "cache-io", "cannot write the model cache: " + e, manifest.sha256());
            return;
        }
        try {
            target.swapTo(camera, dir);
        } catch (Exception | LinkageError e) {
            refuse(camera, version, "load-failed", e.getMessage(), manifest.sha256());
            return;
        }
        divergences.remove(scope);
        state.dropChunks(version); // the verified copy in the cache serves a later rollback, and other pointers
        listener.swapped("loaded");
        Map<String, Object> e = new LinkedHashMap<>();
        if (camera != null) {
            e.put("camera", camera);
        }
        e.put("version", version);
        e.put("previous", serving == null ? null : serving.version());
        e.put("sha256", manifest.sha256());
        e.put("keyId", manifest.signature() == null ? null : manifest.signature().keyId());
        e.put("reason", reload ? "reload" : pointer.reason());
        e.put("seconds", Math.round((System.nanoTime() - start) / 1e7) / 100.0);
        events.emit(Events.MODEL_LOADED, e);
    }

    /**
     * Refuses a serving version (once per what was refused: no event storm while the pointer stays):
     * an event with the reason, a metric, and the replica counts as divergent.
     */
    private void refuse(String camera, String version, String reason, String why, String what) {
        String scope = scope(camera);
        Refusal known = refused.get(scope + "|" + what);
        if (known != null) {
            divergences.put(scope, known);
            return;
        }
        Refusal r = new Refusal(camera, version, reason, why);
        refused.put(scope + "|" + what, r);
        divergences.put(scope, r);
        ModelMetadata own = target.serving(camera);
        ModelMetadata serving = own != null ? own : target.serving(null); // a camera without its own: the general
        LOG.warnf("refusing model version %s%s (%s): %s", version, camera == null ? "" : " for camera " + camera, reason,
                why);
        listener.swapped("refused");
        listener.refused(reason);
        Map<String, Object> e = new LinkedHashMap<>();
        if (camera != null) {
            e.put("camera", camera);
        }
        e.put("version", version);
        e.put("reason", reason);
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
