package lookout.trainer;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import lookout.events.EventSink;
import lookout.events.Events;

/**
 * The trainer's consume-transform-produce plumbing: a group member of {@code lookout.control} that
 * hands each command to its {@link Actions}, one at a time, in order, and writes each command's
 * outcome with its consumed offset in one transaction ({@link #complete}). A long job (a retrain)
 * runs on a worker thread ({@link #startJob}) while this loop's thread keeps polling, so the group
 * membership stays; the job's outcomes come back to this thread ({@link #commitFromWorker}), which
 * owns the consumer and so the group metadata the transaction is fenced with.
 *
 * <p>Why not {@code kafka.TopicFollower}: it follows without a group and commits nothing; here the
 * offset commit is part of the outcome's transaction (exactly-once), with the consumer's group
 * metadata, and consumption pauses while a job runs.
 */
final class CommandLoop implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CommandLoop.class);
    private static final Duration POLL = Duration.ofMillis(200);

    /** What the loop does with its commands. Both run on the loop's thread. */
    interface Actions {
        /** Acts on one command: completes it ({@link #complete}) or starts a job that will. */
        void handle(ConsumerRecord<String, byte[]> command);

        /** No command waits and no job runs. */
        void idle();
    }

    /** The transactional producer outcomes are written with (the registry's). */
    interface Transactions {
        void commit(List<ProducerRecord<String, byte[]>> records, Map<TopicPartition, OffsetAndMetadata> offsets,
                ConsumerGroupMetadata group);

        /** Drops a producer that failed or was fenced; the next commit opens a new one. */
        void reset();
    }

    /** An outcome to commit with the offset of the command that caused it (none for a policy run). */
    private record Commit(List<ProducerRecord<String, byte[]>> records, ConsumerRecord<String, byte[]> command,
            CompletableFuture<Void> done) {
    }

    private final KafkaConsumer<String, byte[]> control;
    private final Transactions transactions;
    private final Consumer<ProducerRecord<String, byte[]>> committed;
    private final EventSink sink;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lookout-retrain");
        t.setDaemon(true); // a run cut short by shutdown writes no outcome: its command is acted on again
        return t;
    });
    private final AtomicBoolean running = new AtomicBoolean(true);
    /** Outcomes the worker asks this (the consumer's) thread to commit. */
    private final BlockingQueue<Commit> commits = new LinkedBlockingQueue<>();
    /** Commands polled and not yet acted on, in order (one at a time). */
    private final Deque<ConsumerRecord<String, byte[]>> waiting = new ArrayDeque<>();
    private Thread thread;
    private volatile Future<?> job;

    /**
     * @param control      a group member's consumer, not yet subscribed
     * @param committed    told of each record once its transaction is committed
     * @param sink         where the loop reports that it stopped
     */
    CommandLoop(KafkaConsumer<String, byte[]> control, Transactions transactions,
            Consumer<ProducerRecord<String, byte[]>> committed, EventSink sink) {
        this.control = control;
        this.transactions = transactions;
        this.committed = committed;
        this.sink = sink;
    }

    /** Subscribes to the topic and starts the loop's thread. */
    CommandLoop start(String topic, String threadName, Actions actions) {
        control.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                waiting.clear(); // their commands now belong to whoever gets the partition (from the committed offset)
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            }
        });
        thread = new Thread(() -> loop(actions), threadName);
        thread.start();
        return this;
    }

    /** False once the loop has stopped (a failure it could not survive, or closing). */
    boolean alive() {
        Thread t = thread;
        return t == null || t.isAlive() || !running.get();
    }

    /** True while a job runs. */
    boolean busy() {
        Future<?> j = job;
        return j != null && !j.isDone();
    }

    private void loop(Actions actions) {
        try {
            while (running.get()) {
                if (busy()) {
                    // paused: polling keeps this trainer in the group while the run goes on (a partition
                    // assigned meanwhile is not paused: its commands wait their turn)
                    control.poll(POLL).forEach(waiting::add);
                    drainCommits();
                    continue;
                }
                drainCommits(); // a run that just ended may have left its outcome here
                if (job != null) {
                    job = null;
                    control.resume(control.assignment());
                }
                if (waiting.isEmpty()) {
                    control.poll(POLL).forEach(waiting::add);
                }
                ConsumerRecord<String, byte[]> next = waiting.poll();
                try {
                    if (next != null) {
                        actions.handle(next);
                    } else {
                        actions.idle();
                    }
                } catch (WakeupException e) {
                    throw e;
                } catch (KafkaException e) {
                    // the outcome was not written: back to the committed offset, the command is read again
                    LOG.warnf("command not completed (%s); reading it again", e.toString());
                    rewind();
                    pause(Duration.ofSeconds(1));
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("trainer control loop stopped", e);
            sink.emit(Events.ERROR, Map.of("error", "trainer stopped: " + e.getMessage()));
        } finally {
            control.close();
        }
    }

    /**
     * Runs a job on the worker; commands wait (consumption paused) until it ends. Its outcomes go
     * through {@link #commitFromWorker}. Call from the loop's thread.
     */
    void startJob(Runnable run) {
        control.pause(control.assignment());
        job = worker.submit(run);
    }

    /** Hands an outcome to the loop's thread (it owns the group membership) and waits until it is committed. */
    void commitFromWorker(List<ProducerRecord<String, byte[]>> records, ConsumerRecord<String, byte[]> command) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        commits.add(new Commit(records, command, done));
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetrainJob.OutcomeNotWritten("interrupted before the outcome was written", e);
        } catch (ExecutionException e) {
            throw new RetrainJob.OutcomeNotWritten("the outcome could not be written: " + e.getCause(), e.getCause());
        }
    }

    private void drainCommits() {
        for (Commit c; (c = commits.poll()) != null;) {
            try {
                complete(c.command(), c.records());
                c.done().complete(null);
            } catch (RuntimeException e) {
                c.done().completeExceptionally(e);
            }
        }
    }

    /**
     * Writes a command's outcome records and its offset in one transaction (call from the loop's
     * thread). If Kafka refuses (this trainer lost its partition or its producer was fenced), nothing
     * was written: the consumer goes back to the last committed offset, so the command is acted on
     * again by whoever owns it.
     *
     * @param command the command the records answer; null for a run nobody asked for (no offset)
     */
    void complete(ConsumerRecord<String, byte[]> command, List<ProducerRecord<String, byte[]>> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = command == null ? Map.of()
                : Map.of(new TopicPartition(command.topic(), command.partition()), new OffsetAndMetadata(command.offset() + 1));
        try {
            transactions.commit(records, offsets, offsets.isEmpty() ? null : control.groupMetadata());
        } catch (KafkaException e) {
            LOG.errorf("could not write the outcome of %s: %s; the command will be acted on again",
                    command == null ? "a policy run" : "command at offset " + command.offset(), e.toString());
            transactions.reset();
            rewind();
            throw e;
        }
        records.forEach(committed);
    }

    /** Back to the committed offsets: what was not completed is read again. */
    private void rewind() {
        waiting.clear();
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = control.committed(control.assignment());
            for (TopicPartition tp : control.assignment()) {
                OffsetAndMetadata o = offsets.get(tp);
                if (o != null) {
                    control.seek(tp, o);
                } else {
                    control.seekToBeginning(List.of(tp));
                }
            }
        } catch (KafkaException e) {
            LOG.warnf("cannot rewind to the committed offsets (%s); a rebalance will", e.toString());
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WakeupException();
        }
    }

    /** Waits for a running job to finish (tests, orderly shutdown). */
    void awaitIdle(Duration timeout) throws Exception {
        Future<?> j = job;
        if (j != null) {
            j.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Stops the loop and the worker (a run cut short writes no outcome: its command is acted on again). */
    @Override
    public void close() {
        running.set(false);
        control.wakeup();
        worker.shutdownNow();
        try {
            if (thread != null) {
                thread.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
