package lookout.retrain;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import lookout.kafka.KafkaClients;
import lookout.kafka.Topics;
import lookout.labels.LabelCodec;
import lookout.labels.LabelSet;

/**
 * Keeps a {@link LabelSet} up to date from {@code lookout.labels}: reads every partition from the
 * beginning (no consumer group: each trainer holds the whole data set) and follows new records and
 * tombstones. {@link #sync} waits until everything written before the call has been applied.
 */
public final class LabelsView implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LabelsView.class);

    private final LabelSet labels = new LabelSet(LabelCodec.pedestrians());
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicReference<CompletableFuture<Void>> syncRequest = new AtomicReference<>();

    public LabelsView(String bootstrap) {
        this.consumer = KafkaClients.consumer(bootstrap, null, "lookout-trainer-labels");
        this.thread = new Thread(this::loop, "lookout-labels-view");
        this.thread.setDaemon(true);
    }

    public LabelsView start() {
        thread.start();
        return this;
    }

    public LabelSet labels() {
        return labels;
    }

    /** Waits until every labels record written before this call is applied. */
    public void sync(Duration timeout) throws Exception {
        CompletableFuture<Void> f = new CompletableFuture<>();
        syncRequest.set(f);
        f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void loop() {
        try {
            List<TopicPartition> parts = consumer.partitionsFor(Topics.LABELS, Duration.ofSeconds(60)).stream()
                    .map(p -> new TopicPartition(Topics.LABELS, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> target = null;
            CompletableFuture<Void> pending = null;
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                    labels.apply(r.key(), r.value());
                }
                CompletableFuture<Void> req = syncRequest.getAndSet(null);
                if (req != null) {
                    pending = req;
                    target = consumer.endOffsets(parts);
                }
                if (pending != null && caughtUp(parts, target)) {
                    pending.complete(null);
                    pending = null;
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("labels view stopped", e);
        } finally {
            consumer.close();
        }
    }

    private boolean caughtUp(List<TopicPartition> parts, Map<TopicPartition, Long> target) {
        for (TopicPartition tp : parts) {
            if (consumer.position(tp) < target.getOrDefault(tp, 0L)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
