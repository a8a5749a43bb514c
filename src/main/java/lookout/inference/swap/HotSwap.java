package lookout.inference.swap;

import java.nio.file.Path;
import java.util.List;

import lookout.events.Events;
import lookout.inference.DetectorFactory;
import lookout.inference.InferencePool;
import lookout.kafka.KafkaClients;
import lookout.kafka.TopicAdmin;
import lookout.kafka.Topics;
import lookout.trust.TrustedKeys;

/** The detector following the registry: a {@link ModelWatcher} wired to a running inference pool (serve and demo roles). */
public final class HotSwap implements AutoCloseable {
    private final Events events;
    private final ModelWatcher watcher;

    private HotSwap(Events events, ModelWatcher watcher) {
        this.events = events;
        this.watcher = watcher;
    }

    /**
     * @param devices  one device entry per pool worker, in worker order
     * @param factory  how a version is loaded on each device: the factory the pool's detectors came from
     * @param metrics  the detector's meters (swaps are counted there)
     * @param cacheDir where reassembled versions are written
     * @param trust    the keys a model must be signed by ({@code lookout.models.trusted-keys})
     */
    public static HotSwap start(KafkaClients clients, InferencePool pool, List<String> devices, DetectorFactory factory,
            SwapMetrics metrics,
            Path cacheDir, TrustedKeys trust) {
        // only the loop's topics a detector uses (not the labels: least privilege, see kafka.Acls)
        TopicAdmin.ensure(clients.settings(), List.of(Topics.MODELS, Topics.CONTROL, Topics.EVENTS));
        Events events = Events.open(clients, "detector");
        ModelWatcher.Listener listener = new ModelWatcher.Listener() {
            @Override
            public void swapped(String outcome) {
                metrics.modelSwap(outcome);
            }

            @Override
            public void skipped(String reason) {
                metrics.registrySkipped(reason);
            }

            @Override
            public void refused(String reason) {
                metrics.modelRefused(reason);
            }
        };
        ModelWatcher watcher = new ModelWatcher(new PoolSwapTarget(pool, devices, factory), events, listener, cacheDir, trust)
                .start(clients);
        metrics.watcherUp(watcher::alive);
        metrics.modelDivergent(() -> watcher.divergence() != null);
        return new HotSwap(events, watcher);
    }

    /** True when the pool serves the registry's serving version (see {@link ModelWatcher#inStep()}). */
    public boolean inStep() {
        return watcher.inStep();
    }

    /**
     * Why this replica does not serve the registry's serving version (refused, cannot fetch), as
     * one line; null when it does or is on its way to it.
     */
    public String divergence() {
        ModelWatcher.Refusal r = watcher.divergence();
        return r == null ? null : "the registry serves version " + r.version()
                + (r.camera() == null ? "" : " to camera " + r.camera()) + ", refused here (" + r.reason() + "): "
                + r.detail();
    }

    /** True while the watcher follows the registry. */
    public boolean alive() {
        return watcher.alive();
    }

    @Override
    public void close() {
        watcher.close();
        events.close();
    }
}
