package lookout.camera;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A small bounded hand-off between a capture thread and a send thread. {@link #offer} never
 * blocks: when full it evicts the OLDEST element (for live video the newest frame is the valuable
 * one) and returns it so the caller can count it. {@link #put} blocks instead, for lossless sources.
 */
public final class DropOldestQueue<T> {
    private final int capacity;
    private final ArrayDeque<T> items;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private long evicted;

    public DropOldestQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
        this.items = new ArrayDeque<>(capacity);
    }

    /** Adds at the tail; when full, removes and returns the head (the oldest), else null. */
    public T offer(T item) {
        lock.lock();
        try {
            T dropped = null;
            if (items.size() == capacity) {
                dropped = items.pollFirst();
                evicted++;
            }
            items.addLast(item);
            notEmpty.signal();
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** Adds at the tail, waiting for room. */
    public void put(T item) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (items.size() == capacity) {
                notFull.await();
            }
            items.addLast(item);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Removes the head, waiting up to the timeout; null when still empty. */
    public T poll(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (items.isEmpty()) {
                if (nanos <= 0) {
                    return null;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            T item = items.pollFirst();
            notFull.signal();
            return item;
        } finally {
            lock.unlock();
        }
    }

    public int size() {
        lock.lock();
        try {
            return items.size();
        } finally {
            lock.unlock();
        }
    }

    public int capacity() {
        return capacity;
    }

    /** How many elements {@link #offer} has evicted so far. */
    public long evicted() {
        lock.lock();
        try {
            return evicted;
        } finally {
            lock.unlock();
        }
    }
}
