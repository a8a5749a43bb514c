package lookout.inference;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * Dynamic batching in the manner of djl-serving's {@code BatchAggregator} and Triton's dynamic
 * batcher: callers {@link #submit} single items into a bounded queue and get a future; worker
 * threads call {@link #nextBatch()} to take up to {@code maxBatchSize} items, waiting at most
 * {@code maxDelay} after the oldest item was queued for the batch to fill up. Several workers
 * may share one aggregator (each gets its own batch). Thread-safe.
 *
 * <p><b>Fair across keys (cameras).</b> Items are queued per key and served in rounds: within a
 * round each key gets one item, oldest first, and a key already served waits for the next round.
 * In the detector a stream thread has at most one frame queued (submit-and-wait), so cameras that
 * hash to one partition share a thread and take turns: a plain FIFO would give two such cameras
 * half the share of a camera with a thread of its own. So a new round starts only when no key is
 * still due: one submitted lately, not yet served in this round, whose submitting thread also
 * carries other keys and has nothing queued (it is bringing that key, or its item in flight ends
 * soon and it may). Such a key is waited for at most {@link #HOLD_NANOS}; a thread whose queued
 * item waits for the next round cannot bring it, so it is not waited for. Keys with a thread of their own never hold
 * anything back, and a lone key fills whole batches.
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
    /**
     * Longest a round waits for a key that is due (see the class comment): a stream thread that carries
     * two cameras commits its transaction and polls (twice when FrameTail saw a newer frame land)
     * between them, which took over 150 ms on a loaded host.
     */
    static final long HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
    /** A thread that submitted two different keys within this long counts as carrying several; a key submitted within it is recent. */
    private static final long SHARED_MEMORY_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** The key of items submitted without one: they are served in order, as from one camera. */
    static final String NO_KEY = "";

    private final int maxBatchSize;
    private final long maxDelayNanos;
    private final int capacity;
    private final LongConsumer queueTimeNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    /** Per key, its queued items in order; a key is present only while it has some. Guarded by lock. */
    private final Map<String, ArrayDeque<Job<I, O>>> queues = new HashMap<>();
    /** Keys served in the current round. Guarded by lock. */
    private final Set<String> served = new HashSet<>();
    /** When each key was last submitted. Guarded by lock. */
    private final Map<String, Long> submittedAt = new HashMap<>();
    /** Who submits what, to tell which due keys can still come. Guarded by lock. */
    private final Map<String, Long> threadOfKey = new HashMap<>();
    private final Map<Long, String> lastKeyOfThread = new HashMap<>();
    private final Map<Long, Long> sharedUntil = new HashMap<>();
    private final Map<Long, Integer> queuedOfThread = new HashMap<>();
    private volatile int size;
    private volatile boolean closed;
    /** The largest batch handed out for now (at most maxBatchSize): batch sizes not warmed up yet are held back. */
    private volatile int limit;
    /** Whether a worker with nothing queued has other work (see {@link #idleWork}). */
    private volatile BooleanSupplier idleWork = () -> false;

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
        this.limit = maxBatchSize;
        this.maxDelayNanos = maxDelay.toNanos();
        this.capacity = capacity;
        this.queueTimeNanos = queueTimeNanos;
    }

    /**
     * Work a worker may do while nothing is queued ({@link Lookahead}): {@link #nextBatch()} then
     * returns an empty batch instead of waiting. {@code ready} is asked under this aggregator's lock,
     * so it must not take locks of its own; call {@link #wake()} when it turns true.
     */
    public void idleWork(BooleanSupplier ready) {
        this.idleWork = ready;
    }

    /** Hands out batches of at most {@code size} items (clamped to [1, maxBatchSize]) from now on. */
    public void limit(int size) {
        this.limit = Math.max(1, Math.min(maxBatchSize, size));
    }

    /** The largest batch handed out for now. */
    public int limit() {
        return limit;
    }

    /** Wakes workers waiting for items, to look at {@link #idleWork} again. */
    public void wake() {
        lock.lock();
        try {
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Queues one item without a key (all such items count as one key). */
    public CompletableFuture<O> submit(I input) {
        return submit(NO_KEY, input);
    }

    /**
     * Queues one item of {@code key} (a camera).
     *
     * @throws QueueFullException if {@code capacity} items are already waiting
     * @throws ShutdownException  if the aggregator is closed
     */
    public CompletableFuture<O> submit(String key, I input) {
        long thread = Thread.currentThread().getId();
        Job<I, O> job = new Job<>(key, thread, input, System.nanoTime());
        lock.lock();
        try {
            if (closed) {
                throw new ShutdownException("batcher is closed");
            }
            if (size >= capacity) {
                throw new QueueFullException("inference queue full (" + capacity + " waiting)");
            }
            queues.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(job);
            size++;
            String last = lastKeyOfThread.put(thread, key);
            if (last != null && !last.equals(key)) {
                sharedUntil.put(thread, job.enqueuedNanos + SHARED_MEMORY_NANOS);
            }
            threadOfKey.put(key, thread);
            submittedAt.put(key, job.enqueuedNanos);
            queuedOfThread.merge(thread, 1, Integer::sum);
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        return job.result;
    }

    /**
     * The next batch: blocks until at least one item is queued, then gathers more (one per key and
     * round, see the class comment) until the batch is full or the oldest item has waited
     * {@code maxDelay}. Returns an empty list once closed, or when nothing is queued, no key of the
     * round is due and {@link #idleWork} has something.
     */
    public List<Job<I, O>> nextBatch() throws InterruptedException {
        List<Job<I, O>> batch = new ArrayList<>(maxBatchSize);
        lock.lockInterruptibly();
        try {
            Job<I, O> first = null;
            while (first == null) {
                if (closed) {
                    return List.of();
                }
                first = take(true);
                // idle work waits while a camera of the round is due, as a new round does: else a
                // camera sharing its stream thread with a faster one would lose its turn to it
                if (first == null && size == 0 && !anyDue(System.nanoTime()) && idleWork.getAsBoolean()) {
                    return List.of();
                }
                if (first == null) {
                    arrived.awaitNanos(size == 0 ? IDLE_POLL_NANOS : TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
            batch.add(first);
            long deadline = first.enqueuedNanos + maxDelayNanos;
            int most = limit;
            while (batch.size() < most && !closed) {
                Job<I, O> next = take(false);
                if (next != null) {
                    batch.add(next);
                    continue;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                arrived.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
        long now = System.nanoTime();
        for (Job<I, O> job : batch) {
            job.queueNanos = now - job.enqueuedNanos;
            queueTimeNanos.accept(job.queueNanos);
        }
        return batch;
    }

    /** The oldest queued item of a key not served in this round, taken off the queue; null if none. */
    private Job<I, O> takeUnserved() {
        String bestKey = null;
        Job<I, O> best = null;
        for (Map.Entry<String, ArrayDeque<Job<I, O>>> e : queues.entrySet()) {
            Job<I, O> head = e.getValue().peekFirst();
            if (!served.contains(e.getKey()) && (best == null || head.enqueuedNanos < best.enqueuedNanos)) {
                bestKey = e.getKey();
                best = head;
            }
        }
        if (best == null) {
            return null;
        }
        ArrayDeque<Job<I, O>> queue = queues.get(bestKey);
        queue.pollFirst();
        if (queue.isEmpty()) {
            queues.remove(bestKey);
        }
        served.add(bestKey);
        queuedOfThread.computeIfPresent(best.thread, (t, n) -> n > 1 ? n - 1 : null);
        size--;
        return best;
    }

    /**
     * The next item to serve: one of a key not served in this round; else, when no key of the
     * round is still due (or {@code force} and the oldest item has waited {@link #HOLD_NANOS}),
     * the first of a new round; else null.
     */
    private Job<I, O> take(boolean force) {
        Job<I, O> job = takeUnserved();
        if (job != null || size == 0) {
            return job;
        }
        long now = System.nanoTime();
        if (anyDue(now) && !(force && now - oldestEnqueued() >= HOLD_NANOS)) {
            return null;
        }
        served.clear();
        return takeUnserved();
    }

    /** A key submitted lately, not served in this round, whose thread carries other keys too and has nothing queued. */
    private boolean anyDue(long now) {
        for (Map.Entry<String, Long> e : submittedAt.entrySet()) {
            String key = e.getKey();
            if (served.contains(key) || now - e.getValue() > SHARED_MEMORY_NANOS) {
                continue;
            }
            Long thread = threadOfKey.get(key);
            if (thread != null && sharedUntil.getOrDefault(thread, Long.MIN_VALUE) - now > 0
                    && !queuedOfThread.containsKey(thread)) {
                return true;
            }
        }
        return false;
    }

    private long oldestEnqueued() {
        long oldest = Long.MAX_VALUE;
        for (ArrayDeque<Job<I, O>> q : queues.values()) {
            oldest = Math.min(oldest, q.peekFirst().enqueuedNanos);
        }
        return oldest;
    }

    /** Items waiting right now. */
    public int depth() {
        return size;
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
        List<Job<I, O>> pending = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            queues.values().forEach(pending::addAll);
            queues.clear();
            queuedOfThread.clear();
            size = 0;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        for (Job<I, O> job : pending) {
            job.fail(new ShutdownException("batcher closed before the item was processed"));
        }
    }

    /** One queued item and its result. */
    public static final class Job<I, O> {
        private final String key;
        private final long thread;
        private final I input;
        private final long enqueuedNanos;
        private final CompletableFuture<O> result = new CompletableFuture<>();
        private volatile long queueNanos;

        Job(String key, long thread, I input, long enqueuedNanos) {
            this.key = key;
            this.thread = thread;
            this.input = input;
            this.enqueuedNanos = enqueuedNanos;
        }

        /** The key (camera) it was submitted under. */
        public String key() {
            return key;
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
