package lookout.camera;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.MeterRegistry;
import lookout.config.CameraSettings;
import org.apache.kafka.clients.producer.Producer;
import org.jboss.logging.Logger;

/**
 * Several cameras in one process, each on its own thread, sharing one producer. A camera that
 * fails never stops the others: with fail-fast settings (one camera alone) an unreachable source
 * ends {@link #run()} with an error; in a group the live ones keep retrying in the background.
 */
public final class CameraGroup implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CameraGroup.class);

    private final List<CameraBridge> bridges = new ArrayList<>();
    private final Map<String, String> failures = new ConcurrentHashMap<>();

    public CameraGroup(List<CameraSpec> specs, Producer<String, byte[]> producer, String topic,
            MeterRegistry registry, CameraSettings settings) {
        for (CameraSpec spec : specs) {
            bridges.add(new CameraBridge(spec, producer, topic, registry, settings));
        }
    }

    public List<CameraBridge> bridges() {
        return bridges;
    }

    /**
     * Runs every camera until all have finished, failed or been closed.
     *
     * @return camera id to error message for each camera that could not run
     */
    public Map<String, String> run() throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (CameraBridge bridge : bridges) {
            String id = bridge.spec().cameraId();
            Thread t = new Thread(() -> {
                try {
                    bridge.run();
                } catch (CameraUnavailableException e) {
                    failures.put(id, e.getMessage());
                    LOG.error(e.getMessage());
                } catch (RuntimeException e) {
                    failures.put(id, "camera " + id + ": " + e);
                    LOG.errorf(e, "camera %s stopped", id);
                }
            }, "camera-" + id);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        return Map.copyOf(failures);
    }

    /** One line for the terminal: each camera's state, fps, sent, dropped and reconnects. */
    public String statusLine() {
        StringBuilder line = new StringBuilder();
        for (CameraBridge bridge : bridges) {
            if (!line.isEmpty()) {
                line.append(" | ");
            }
            CameraStats stats = bridge.stats();
            line.append(format(bridge.spec().cameraId(), stats));
            long idle = bridge.secondsSinceLastFrame();
            if (stats.state() == CameraState.STREAMING && idle >= 10) {
                line.append(" (no frame for ").append(idle).append(" s)");
            }
        }
        return line.toString();
    }

    static String format(String id, CameraStats s) {
        return String.format(Locale.ROOT, "%s %s %.1f fps sent=%d dropped=%d reconnects=%d", id, s.state(),
                s.currentFps(), s.sent(), s.dropped(), s.reconnects());
    }

    @Override
    public void close() {
        // signal every camera first, then wait: stopping takes one read timeout at most, not N
        List<Thread> closers = new ArrayList<>();
        for (CameraBridge bridge : bridges) {
            Thread t = new Thread(bridge::close, "camera-close-" + bridge.spec().cameraId());
            t.start();
            closers.add(t);
        }
        for (Thread t : closers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
