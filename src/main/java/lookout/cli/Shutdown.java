package lookout.cli;

import java.util.ArrayDeque;
import java.util.Deque;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Closes what a long-running command opened (broker, streams, pool), newest first, when Quarkus
 * stops. On SIGTERM/Ctrl-C Quarkus runs the shutdown observers before the JVM exits, whereas code
 * after {@code Quarkus.waitForExit()} in a command may be cut short, so cleanup belongs here.
 */
@ApplicationScoped
public class Shutdown {
    private static final Logger LOG = Logger.getLogger(Shutdown.class);
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    public synchronized <T extends AutoCloseable> T register(T resource) {
        resources.push(resource);
        return resource;
    }

    /**
     * Closes everything registered so far (idempotent). Synchronized as a whole: when the command's
     * thread and the shutdown hook both get here, the hook waits until the closing is done.
     */
    public synchronized void closeAll() {
        while (true) {
            AutoCloseable next = resources.poll();
            if (next == null) {
                return;
            }
            try {
                next.close();
            } catch (Exception e) {
                LOG.warnf("closing %s: %s", next, e.toString());
            }
        }
    }

    /**
     * What a long-running role does once it runs: waits for SIGTERM or Ctrl-C (or
     * {@code Quarkus.asyncExit}), then closes what it opened.
     */
    public void awaitExit() {
        Quarkus.waitForExit();
        closeAll();
    }

    void onStop(@Observes ShutdownEvent event) {
        closeAll();
    }
}
