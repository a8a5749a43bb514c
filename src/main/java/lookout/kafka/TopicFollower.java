package lookout.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * Follows topics with a consumer of no group (every reader sees every partition, nothing is
 * committed): state topics from the beginning, so replaying a compacted topic rebuilds its state
 * (the training set, the registry), and event topics from their end (only what happens from now
 * on). {@link #snapshot} reads a topic once up to its end; a started follower keeps reading on a
 * thread of its own and hands every poll to its {@link Handler}, empty polls included, so the
 * handler can act once it has caught up.
 */
public final class TopicFollower implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TopicFollower.class);
    private static final Duration POLL = Duration.ofMillis(300);
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(60);

    /** What to do with each poll's records. */
    @FunctionalInterface
    public interface Handler {
        /**
         * @param caughtUp the state topics have been read up to where they ended when following
         *                 started (stays true from then on)
         */
        void handle(List<ConsumerRecord<String, byte[]>> records, boolean caughtUp);
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<String> fromBeginning;
    private final List<String> fromEnd;
    private final Handler handler;
    private final Thread thread;
    private final Queue<CompletableFuture<Void>> syncRequests = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;
    private volatile boolean caughtUp;
    private long lastFailureLog = System.nanoTime() - 60_000_000_000L;

    /**
     * @param name          client id and thread name
     * @param fromBeginning state topics, replayed from their first record
     * @param fromEnd       event topics, read from their end
     */
    public TopicFollower(KafkaClients clients, String name, List<String> fromBeginning, List<String> fromEnd,
            Handler handler) {
        this.consumer = clients.consumer(null, name);
        this.fromBeginning = List.copyOf(fromBeginning);
        this.fromEnd = List.copyOf(fromEnd);
        this.handler = handler;
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true);
    }

    public TopicFollower start() {
        thread.start();
        return this;
    }

    /** True once the state topics have been read up to where they ended when following started. */
    public boolean caughtUp() {
        return caughtUp;
    }

    /** Waits until every record written before this call has been handed to the handler. */
    public void sync(Duration timeout) throws TimeoutException, InterruptedException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        syncRequests.add(done);
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Reads a topic from the beginning up to the end offsets seen at the start (a snapshot of a
     * compacted topic's state), handing each record to the sink.
     *
     * @return the number of records read
     */
    public static long snapshot(KafkaClients clients, String name, String topic, Duration timeout,
            BiConsumer<String, byte[]> sink) {
        return snapshot(clients, name, topic, timeout, Map.of(), sink);
    }

    /**
     * As {@link #snapshot(KafkaClients, String, String, Duration, BiConsumer)}, reading at least up to
     * and including the given offsets (a writer's own committed records, which can lag behind the
     * end a read_committed consumer sees right after the commit).
     */
    public static long snapshot(KafkaClients clients, String name, String topic, Duration timeout,
            Map<TopicPartition, Long> atLeast, BiConsumer<String, byte[]> sink) {
        return snapshotRecords(clients, name, topic, timeout, atLeast, r -> sink.accept(r.key(), r.value()));
    }

    /** As {@link #snapshot(KafkaClients, String, String, Duration, Map, BiConsumer)}, handing over whole records (headers too). */
    public static long snapshotRecords(KafkaClients clients, String name, String topic, Duration timeout,
            Map<TopicPartition, Long> atLeast, java.util.function.Consumer<ConsumerRecord<String, byte[]>> sink) {
        try (KafkaConsumer<String, byte[]> c = clients.consumer(null, name)) {
            List<TopicPartition> parts = partitions(c, topic, timeout);
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = new HashMap<>(c.endOffsets(parts, timeout));
            atLeast.forEach((tp, offset) -> end.computeIfPresent(tp, (k, e) -> Math.max(e, offset + 1)));
            long deadline = System.nanoTime() + timeout.toNanos();
            long n = 0;
            while (!reached(c, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out reading " + topic + " to its end after " + n + " records");
                }
                for (ConsumerRecord<String, byte[]> r : c.poll(POLL)) {
                    sink.accept(r);
                    n++;
                }
            }
            return n;
        }
    }

    private void loop() {
        try {
            List<TopicPartition> state = new ArrayList<>();
            List<TopicPartition> events = new ArrayList<>();
            for (String t : fromBeginning) {
                state.addAll(awaitPartitions(consumer, t));
            }
            for (String t : fromEnd) {
                events.addAll(awaitPartitions(consumer, t));
            }
            List<TopicPartition> all = new ArrayList<>(state);
            all.addAll(events);
            consumer.assign(all);
            // an empty collection means "every assigned partition" to these two: seek only what is listed
            if (!state.isEmpty()) {
                consumer.seekToBeginning(state);
            }
            if (!events.isEmpty()) {
                consumer.seekToEnd(events);
            }
            Map<TopicPartition, Long> startEnd = consumer.endOffsets(state);
            Map<TopicPartition, Long> syncTarget = Map.of();
            List<CompletableFuture<Void>> pending = new ArrayList<>();
            while (running) {
                List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
                try {
                    consumer.poll(POLL).forEach(records::add);
                    if (!caughtUp) {
                        caughtUp = reached(consumer, startEnd);
                    }
                    if (!syncRequests.isEmpty()) {
                        for (CompletableFuture<Void> r; (r = syncRequests.poll()) != null; ) {
                            pending.add(r);
                        }
                        syncTarget = consumer.endOffsets(all); // later ends cover every earlier request too
                    }
                } catch (WakeupException | org.apache.kafka.common.errors.InterruptException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // Kafka unreachable or refusing for a while: keep trying, a follower must outlive an outage
                    failed(e, "reading");
                    pause();
                    continue;
                }
                try {
                    handler.handle(records, caughtUp);
                } catch (RuntimeException e) {
                    // a handler must not throw; if one does, its records are lost to it, the follower goes on
                    failed(e, "handling " + records.size() + " records");
                }
                if (!pending.isEmpty() && reached(consumer, syncTarget)) {
                    pending.forEach(f -> f.complete(null));
                    pending.clear();
                }
            }
        } catch (WakeupException | org.apache.kafka.common.errors.InterruptException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s stopped following %s %s", thread.getName(), fromBeginning, fromEnd);
        } finally {
            consumer.close();
        }
    }

    /** True while the follower's thread runs (it stops only when closed or when it cannot even start). */
    public boolean alive() {
        return thread.isAlive() && running;
    }

    private void failed(RuntimeException e, String what) {
        long now = System.nanoTime();
        if (now - lastFailureLog > 30_000_000_000L) { // one line per 30 s, not one per poll
            lastFailureLog = now;
            LOG.errorf(e, "%s: failed %s; carrying on", thread.getName(), what);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WakeupException();
        }
    }

    /**
     * A followed topic's partitions, waiting up to {@link #METADATA_TIMEOUT} for a topic just created
     * to show any (metadata reaches a client a moment after the create returns): a follower that
     * started on none would read nothing for ever.
     */
    private static List<TopicPartition> awaitPartitions(Consumer<String, byte[]> c, String topic) {
        long deadline = System.nanoTime() + METADATA_TIMEOUT.toNanos();
        List<TopicPartition> parts = partitions(c, topic, METADATA_TIMEOUT);
        while (parts.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new org.apache.kafka.common.errors.InterruptException(e);
            }
            parts = partitions(c, topic, METADATA_TIMEOUT);
        }
        return parts;
    }

    private static List<TopicPartition> partitions(Consumer<String, byte[]> c, String topic, Duration timeout) {
        return c.partitionsFor(topic, timeout).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    private static boolean reached(Consumer<String, byte[]> c, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
