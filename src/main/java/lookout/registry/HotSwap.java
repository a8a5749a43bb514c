package lookout.registry;

import java.nio.file.Path;
import java.time.Duration;

import org.apache.kafka.clients.producer.KafkaProducer;

import io.micrometer.core.instrument.MeterRegistry;
import lookout.control.Events;
import lookout.detect.DetectionMetrics;
import lookout.detect.InferencePool;
import lookout.kafka.KafkaClients;
import lookout.kafka.LoopTopics;
import lookout.model.ModelMetadata;

/** Wires a {@link ModelWatcher} to a running detector's inference pool (serve and demo roles). */
public final class HotSwap implements AutoCloseable {
    private final KafkaProducer<String, byte[]> eventsProducer;
    private final ModelWatcher watcher;

    private HotSwap(KafkaProducer<String, byte[]> eventsProducer, ModelWatcher watcher) {
        this.eventsProducer = eventsProducer;
        this.watcher = watcher;
    }

    /**
     * @param devices        one device entry per pool worker, in worker order
     * @param scoreThreshold detections below it are dropped by the new detectors too
     * @param cacheDir       where reassembled versions are written
     */
    public static HotSwap start(String bootstrap, InferencePool pool, java.util.List<String> devices,
            float scoreThreshold, MeterRegistry registry, Path cacheDir, String instance) {
        LoopTopics.ensure(bootstrap, 1);
        ModelMetadata m = pool.model();
        int w = m.maxSize() != null ? m.maxSize() : 640;
        int h = m.minSize() != null ? m.minSize() : 480;
        DetectionMetrics metrics = new DetectionMetrics(registry);
        KafkaProducer<String, byte[]> producer = KafkaClients.producer(bootstrap, "lookout-detector-events");
        ModelWatcher watcher = new ModelWatcher(bootstrap, new PoolSwapTarget(pool, devices, scoreThreshold, w, h),
                new Events(producer, "detector@" + instance), metrics::modelSwap, cacheDir).start();
        return new HotSwap(producer, watcher);
    }

    public boolean caughtUp() {
        return watcher.caughtUp();
    }

    @Override
    public void close() {
        watcher.close();
        eventsProducer.close(Duration.ofSeconds(5));
    }
}
