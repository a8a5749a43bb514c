package lookout.service;

import java.util.Map;

import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Keeps the detector's Kafka Streams process id, and with it the transactional ids of its stream
 * threads ({@code <application.id>-<process id>-<thread>} under exactly_once_v2), the same across
 * restarts of one replica. A replica killed with SIGKILL leaves its open transactions behind;
 * read_committed readers of {@code lookout.detections} see nothing past them until the broker
 * aborts them, up to {@code transaction.timeout.ms} plus the broker's abort-check interval later
 * (10 s + 10 s by default). With the same transactional ids, the restarted replica's producers fence
 * the dead ones as they start, which aborts those transactions at once.
 *
 * <p>Kafka Streams keeps its process id in its state directory only when the topology has a
 * persistent store, so this attaches one: an empty marker store, never written, without a
 * changelog, that reports itself persistent. The state directory ({@code lookout.state-dir}, one
 * per replica name) must survive a restart for the pin to hold; when it does not, recovery falls
 * back to the broker's transaction timeout, slower but just as correct.
 */
final class ProcessIdPin {
    static final String STORE = "lookout-process-id-pin";

    private ProcessIdPin() {
    }

    /** Connects the marker store to a processor of the topology (it never touches it). */
    static Topology attach(Topology topology, String processor) {
        return topology.addStateStore(new Builder(), processor);
    }

    /** The marker: holds nothing, restores nothing, tells Kafka Streams it is persistent. */
    static final class Marker implements StateStore {
        private volatile boolean open;

        @Override
        public String name() {
            return STORE;
        }

        @Override
        public void init(StateStoreContext context, StateStore root) {
            context.register(root, (key, value) -> {
            });
            open = true;
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            open = false;
        }

        @Override
        public boolean persistent() {
            return true;
        }

        @Override
        public boolean isOpen() {
            return open;
        }
    }

    static final class Builder implements StoreBuilder<Marker> {
        @Override
        public StoreBuilder<Marker> withCachingEnabled() {
            return this;
        }

        @Override
        public StoreBuilder<Marker> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<Marker> withLoggingEnabled(Map<String, String> config) {
            return this;
        }

        @Override
        public StoreBuilder<Marker> withLoggingDisabled() {
            return this;
        }

        @Override
        public Marker build() {
            return new Marker();
        }

        @Override
        public Map<String, String> logConfig() {
            return Map.of();
        }

        @Override
        public boolean loggingEnabled() {
            return false;
        }

        @Override
        public String name() {
            return STORE;
        }
    }
}
