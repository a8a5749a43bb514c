package lookout.live;

import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import lookout.cli.Shutdown;
import lookout.config.FrameLimits;
import lookout.config.LiveSettings;
import lookout.kafka.KafkaClients;

/**
 * Holds the live page's hub for the HTTP resource once a detecting role (serve, demo) has started
 * it; other roles leave it empty and the page says there is nothing live here.
 */
@ApplicationScoped
public class LiveRuntime {
    @Inject
    Shutdown shutdown;

    private volatile LiveHub hub;

    /**
     * Starts following the frames and detections topics; stopped on shutdown.
     *
     * @param limits the detector's frame limits: frames beyond them are neither kept nor shown
     * @param lines  each camera's counting line, or null (drawn on its tile)
     */
    public synchronized void start(KafkaClients clients, LiveSettings settings, FrameLimits limits,
            Function<String, double[]> lines) {
        if (hub != null || !settings.enabled()) {
            return;
        }
        LiveHub h = shutdown.register(new LiveHub(settings, limits, System::currentTimeMillis, lines));
        shutdown.register(new LiveFeed(clients, h).start());
        hub = h;
    }

    /** The hub, or null when no live page runs in this process. */
    public LiveHub hub() {
        return hub;
    }
}
