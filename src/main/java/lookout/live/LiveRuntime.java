package lookout.live;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import lookout.cli.Shutdown;
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
    private volatile LiveFeed feed;
    private final AtomicInteger pages = new AtomicInteger();

    /**
     * Starts following the frames and detections topics; stopped on shutdown.
     *
     * @param lines each camera's counting line, or null (drawn on its tile)
     */
    public synchronized void start(KafkaClients clients, LiveSettings settings, Function<String, double[]> lines) {
        if (hub != null || !settings.enabled()) {
            return;
        }
        LiveHub h = shutdown.register(new LiveHub(settings, System::currentTimeMillis, lines));
        feed = shutdown.register(new LiveFeed(clients, h).start());
        hub = h;
    }

    /** The live role's liveness: its feed has not died (true before it starts). */
    public boolean alive() {
        LiveFeed f = feed;
        return f == null || f.alive();
    }

    /** The live role's readiness: the feed follows both topics. */
    public boolean following() {
        LiveFeed f = feed;
        return f != null && f.following();
    }

    /** Counts one more open page (event stream) unless {@code max} are open already. */
    public boolean openPage(int max) {
        while (true) {
            int n = pages.get();
            if (n >= max) {
                return false;
            }
            if (pages.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** A page's stream ended (closed by the browser, cut off for being too slow, or the hub closed). */
    public void pageClosed() {
        pages.decrementAndGet();
    }

    /** Pages open now. */
    public int pages() {
        return pages.get();
    }

    /** The hub, or null when no live page runs in this process. */
    public LiveHub hub() {
        return hub;
    }
}
