package lookout.detect;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Dynamic batching in the manner of djl-serving's {@code BatchAggregator} and Triton's dynamic
 * batcher: callers {@link #submit} single items into a bounded queue and get a future; worker
 * threads call {@link #nextBatch()} to take up to {@code maxBatchSize} items, waiting at most
 * {@code maxDelay} after the oldest item was queued for the batch to fill up. Several workers
 * may share one aggregator (each gets its own batch). Thread-safe.
 *
 * <p>Overflow is refused at once with {@link QueueFullException} (the caller answers "overload"
 * instead of letting latency grow without bound); {@link #close()} fails every pending item with
 * {@link ShutdownException}.
 *
 * @param <I> input item
 * @param <O> result per item
 */
public final class BatchAggregator<I, O> implements AutoCloseable {
    private static final long IDLE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final int maxBatchSize;
    private final long maxDelayNanos;
    private final int capacity;
    private final BlockingQueue<Job<I, O>> queue;
    private final LongConsumer queueTimeNanos;
    private volatile boolean closed;

    /**
     * @param maxBatchSize   largest batch handed to a worker (at least 1)
     * @param maxDelay       longest an item waits for companions once it is the oldest in the queue
     * @param capacity       how many items may wait; beyond that {@link #submit} throws
     * @param queueTimeNanos receives each item's time in the queue when it is taken into a batch
     */
    public BatchAggregator(int maxBatchSize, Duration maxDelay, int capacity, LongConsumer queueTimeNanos) {
        if (maxBatchSize < 1 || capacity < 1 || maxDelay.isNegative()) {
            throw new IllegalArgumentException("need maxBatchSize >= 1, capacity >= 1, maxDelay >= 0");
        }
        this.maxBatchSize = maxBatchSize;
        this.maxDelayNanos = maxDelay.toNanos();
        this.capacity = capacity;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.queueTimeNanos = queueTimeNanos;
    }

    /**
     * Queues one item.
     *
     * @throws QueueFullException if {@code capacity} items are already waiting
     * @throws ShutdownException  if the aggregator is closed
     */
    public CompletableFuture<O> submit(I input) {
        if (closed) {
            throw new ShutdownException("batcher is closed");
        }
        Job<I, O> job = new Job<>(input, System.nanoTime());
        if (!queue.offer(job)) {
            throw new QueueFullException("inference queue full (" + capacity + " waiting)");
        }
        if (closed && queue.remove(job)) { // lost a race with close(): do not strand the item
            job.fail(new ShutdownException("batcher is closed"));
        }
        return job.result;
    }

    /**
     * The next batch: blocks until at least one item is queued, then gathers more until the batch is
     * full or the oldest item has waited {@code maxDelay}. Returns an empty list once closed.
     */
    public List<Job<I, O>> nextBatch() throws InterruptedException {
        Job<I, O> first = null;
        while (first == null) {
            if (closed) {
                return List.of();
            }
            first = queue.poll(IDLE_POLL_NANOS, TimeUnit.NANOSECONDS);
        }
        List<Job<I, O>> batch = new ArrayList<>(maxBatchSize);
        batch.add(first);
        long deadline = first.enqueuedNanos + maxDelayNanos;
        while (batch.size() < maxBatchSize) {
            // take whatever is already there without waiting, then wait for the rest until the deadline
            queue.drainTo(batch, maxBatchSize - batch.size());
            long left = deadline - System.nanoTime();
            if (batch.size() >= maxBatchSize || left <= 0 || closed) {
                break;
            }
            Job<I, O> next = queue.poll(left, TimeUnit.NANOSECONDS);
            if (next != null) {
                batch.add(next);
            }
        }
        long now = System.nanoTime();
        for (Job<I, O> job : batch) {
            job.queueNanos = now - job.enqueuedNanos;
            queueTimeNanos.accept(job.queueNanos);
        }
        return batch;
    }

    /** Items waiting right now. */
    public int depth() {
        return queue.size();
    }

    public int maxBatchSize() {
        return maxBatchSize;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Refuses new items and fails every queued one with {@link ShutdownException}. */
    @Override
    public void close() {
        closed = true;
        List<Job<I, O>> pending = new ArrayList<>();
        queue.drainTo(pending);
        for (Job<I, O> job : pending) {
            job.fail(new ShutdownException("batcher closed before the item was processed"));
        }
    }

    /** One queued item and its result. */
    public static final class Job<I, O> {
        private final I input;
        private final long enqueuedNanos;
        private final CompletableFuture<O> result = new CompletableFuture<>();
        private volatile long queueNanos;

        Job(I input, long enqueuedNanos) {
            this.input = input;
            this.enqueuedNanos = enqueuedNanos;
        }

        public I input() {
            return input;
        }

        /** Time between submit and being taken into a batch. */
        public long queueNanos() {
            return queueNanos;
        }

        public void complete(O output) {
            result.complete(output);
        }

        public void fail(Throwable error) {
            result.completeExceptionally(error);
        }
    }

    /** The queue is full: the caller should shed load (the frame is answered as "overload"). */
    public static final class QueueFullException extends RuntimeException {
        public QueueFullException(String message) {
            super(message);
        }
    }

    /** The aggregator was closed before the item could be processed. */
    public static final class ShutdownException extends IllegalStateException {
        public ShutdownException(String message) {
            super(message);
        }
    }
}
