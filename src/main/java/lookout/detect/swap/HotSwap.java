package lookout.detect.swap;

import java.nio.file.Path;
import java.util.List;

import lookout.detect.DetectionMetrics;
import lookout.detect.InferencePool;
import lookout.events.Events;
import lookout.kafka.KafkaClients;
import lookout.kafka.TopicAdmin;
import lookout.kafka.Topics;

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
     * @param metrics  the detector's meters (swaps are counted there)
     * @param cacheDir where reassembled versions are written
     */
    public static HotSwap start(KafkaClients clients, InferencePool pool, List<String> devices, DetectionMetrics metrics,
            Path cacheDir) {
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
        };
        ModelWatcher watcher = new ModelWatcher(new PoolSwapTarget(pool, devices), events, listener, cacheDir)
                .start(clients);
        metrics.watcherUp(watcher::alive);
        return new HotSwap(events, watcher);
    }

    /** True when the pool serves the registry's serving version (see {@link ModelWatcher#inStep()}). */
    public boolean inStep() {
        return watcher.inStep();
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
