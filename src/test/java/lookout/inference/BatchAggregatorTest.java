package lookout.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import lookout.inference.BatchAggregator.Job;
import lookout.inference.BatchAggregator.QueueFullException;
import lookout.inference.BatchAggregator.ShutdownException;

@Timeout(10)
class BatchAggregatorTest {
    private final List<Long> queueTimes = new CopyOnWriteArrayList<>();

    private BatchAggregator<Integer, String> batcher(int maxSize, Duration delay, int capacity) {
        return new BatchAggregator<>(maxSize, delay, capacity, queueTimes::add);
    }

    @Test
    void shouldCapBatchesAtMaxBatchSize() throws Exception {
        // Given 10 queued items and a max batch size of 4
        var batcher = batcher(4, Duration.ofSeconds(5), 100);
        for (int i = 0; i < 10; i++) {
            batcher.submit(i);
        }
        // When workers take batches
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            sizes.add(batcher.nextBatch().size());
        }
        // Then full batches come without waiting for the delay, and the rest stays queued
        assertThat(sizes).containsExactly(4, 4);
        assertThat(batcher.depth()).isEqualTo(2);
    }

    @Test
    void shouldKeepSubmissionOrderWithinABatch() throws Exception {
        var batcher = batcher(3, Duration.ZERO, 10);
        batcher.submit(7);
        batcher.submit(8);
        batcher.submit(9);
        assertThat(batcher.nextBatch()).extracting(Job::input).containsExactly(7, 8, 9);
    }

    @Test
    void shouldShipAPartialBatchAfterMaxDelay() throws Exception {
        // Given a single item and a 100 ms max delay
        var batcher = batcher(4, Duration.ofMillis(100), 10);
        long start = System.nanoTime();
        batcher.submit(1);
        // When a worker asks for a batch
        List<Job<Integer, String>> batch = batcher.nextBatch();
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        // Then it gets the lone item after about the delay, not earlier and not much later
        assertThat(batch).hasSize(1);
        assertThat(waitedMs).isBetween(90L, 1000L);
        assertThat(queueTimes).hasSize(1);
        assertThat(TimeUnit.NANOSECONDS.toMillis(queueTimes.get(0))).isGreaterThanOrEqualTo(90L);
        assertThat(batch.get(0).queueNanos()).isEqualTo(queueTimes.get(0));
    }

    @Test
    void shouldAddItemsArrivingWithinTheDelayToTheBatch() throws Exception {
        var batcher = batcher(2, Duration.ofSeconds(5), 10);
        batcher.submit(1);
        Thread late = new Thread(() -> {
            sleep(50);
            batcher.submit(2);
        });
        late.start();
        long start = System.nanoTime();
        List<Job<Integer, String>> batch = batcher.nextBatch();
        // Then the batch closes as soon as it is full, well before the 5 s delay
        assertThat(batch).extracting(Job::input).containsExactly(1, 2);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2000L);
        late.join();
    }

    @Test
    void shouldNotWaitForItemsThatAreAlreadyOlderThanTheDelay() throws Exception {
        // Given an item that has waited longer than the max delay already (workers were busy)
        var batcher = batcher(4, Duration.ofMillis(20), 10);
        batcher.submit(1);
        sleep(100);
        long start = System.nanoTime();
        assertThat(batcher.nextBatch()).hasSize(1);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(20L);
    }

    @Test
    void shouldRejectWithQueueFullWhenCapacityIsReached() {
        // Given a queue of capacity 2 that nobody drains
        var batcher = batcher(4, Duration.ZERO, 2);
        batcher.submit(1);
        batcher.submit(2);
        // When a third item arrives, Then it is refused with a typed exception and nothing else changes
        assertThatThrownBy(() -> batcher.submit(3)).isInstanceOf(QueueFullException.class);
        assertThat(batcher.depth()).isEqualTo(2);
    }

    @Test
    void shouldDeliverResultsThroughTheFuture() throws Exception {
        var batcher = batcher(2, Duration.ZERO, 10);
        CompletableFuture<String> a = batcher.submit(1);
        CompletableFuture<String> b = batcher.submit(2);
        for (Job<Integer, String> job : batcher.nextBatch()) {
            job.complete("r" + job.input());
        }
        assertThat(a.get()).isEqualTo("r1");
        assertThat(b.get()).isEqualTo("r2");
    }

    @Test
    void shouldFailPendingItemsAndRefuseNewOnesOnClose() throws Exception {
        // Given two queued items
        var batcher = batcher(4, Duration.ZERO, 10);
        CompletableFuture<String> a = batcher.submit(1);
        CompletableFuture<String> b = batcher.submit(2);
        // When the batcher closes
        batcher.close();
        // Then both fail with ShutdownException, new items are refused and workers get an empty batch
        for (CompletableFuture<String> f : List.of(a, b)) {
            assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(ShutdownException.class);
        }
        assertThatThrownBy(() -> batcher.submit(3)).isInstanceOf(ShutdownException.class);
        assertThat(batcher.nextBatch()).isEmpty();
    }

    @Test
    void shouldReleaseAWaitingWorkerOnClose() throws Exception {
        var batcher = batcher(4, Duration.ZERO, 10);
        CompletableFuture<List<Job<Integer, String>>> taken = CompletableFuture.supplyAsync(() -> {
            try {
                return batcher.nextBatch();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        sleep(100);
        assertThat(taken).isNotDone();
        batcher.close();
        assertThat(taken.get(2, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void shouldRejectNonsenseSettings() {
        assertThatThrownBy(() -> batcher(0, Duration.ZERO, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> batcher(1, Duration.ZERO, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void shouldServeEachCameraOnceARoundOldestFirst() throws Exception {
        // Given camera a with three queued items and cameras b and c with one each, batches of 2, no delay
        var batcher = batcher(2, Duration.ZERO, 10);
        batcher.submit("a", 1);
        batcher.submit("a", 2);
        batcher.submit("a", 3);
        batcher.submit("b", 4);
        batcher.submit("c", 5);
        // When workers take batches
        // Then a's second item waits until b and c had their turn
        assertThat(batcher.nextBatch()).extracting(Job::input).containsExactly(1, 4);
        assertThat(batcher.nextBatch()).extracting(Job::input).containsExactly(5, 2);
        assertThat(batcher.nextBatch()).extracting(Job::input).containsExactly(3);
        assertThat(batcher.depth()).isZero();
    }

    /** A worker whose batches cost {@code msPerItem} per item (a CPU), counting served items per camera. */
    private static Thread worker(BatchAggregator<Integer, String> batcher, long msPerItem, Map<String, AtomicInteger> served) {
        Thread t = new Thread(() -> {
            try {
                while (!batcher.isClosed()) {
                    List<Job<Integer, String>> batch = batcher.nextBatch();
                    Thread.sleep(msPerItem * batch.size());
                    for (Job<Integer, String> job : batch) {
                        served.computeIfAbsent(job.key(), k -> new AtomicInteger()).incrementAndGet();
                        job.complete("done");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.setDaemon(true);
        return t;
    }

    private static void assertFairShares(Map<String, AtomicInteger> served, List<String> cameras) {
        int total = served.values().stream().mapToInt(AtomicInteger::get).sum();
        double fair = total / (double) cameras.size();
        assertThat(total).as("items served").isGreaterThan(40);
        for (String camera : cameras) {
            assertThat(served.getOrDefault(camera, new AtomicInteger()).get())
                    .as("camera %s served %s of %d, fair share %.1f", camera, served, total, fair)
                    .isGreaterThanOrEqualTo((int) Math.floor(0.8 * fair));
        }
    }

    @Test
    void shouldGiveEveryCameraAtLeastEightyPercentOfItsFairShareWhenOneSendsFiveTimesTheOthers() throws Exception {
        // Given a worker that serves about 200 frames/s and four cameras sending 50, 50, 50 and 250 frames/s,
        // each with at most its newest frame queued (as under the latest-frame policy: the rest are superseded)
        var batcher = batcher(4, Duration.ofMillis(1), 16);
        Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
        worker(batcher, 5, served).start();
        List<String> cameras = List.of("c1", "c2", "c3", "hot");
        for (String camera : cameras) {
            long everyMs = camera.equals("hot") ? 4 : 20;
            Thread t = new Thread(() -> {
                CompletableFuture<String> outstanding = CompletableFuture.completedFuture("");
                while (!batcher.isClosed()) {
                    sleep(everyMs);
                    if (outstanding.isDone()) {
                        try {
                            outstanding = batcher.submit(camera, 0);
                        } catch (QueueFullException | ShutdownException e) {
                            // overload or closing: this frame is answered without analysis
                        }
                    }
                }
            });
            t.setDaemon(true);
            t.start();
        }
        // When they send for two seconds
        sleep(2000);
        batcher.close();
        // Then every camera, the fast one included, gets at least 80% of its max-min fair share (here equal)
        assertFairShares(served, cameras);
    }

    @Test
    void shouldGiveTwoCamerasSharingOneStreamThreadTheShareOfCamerasWithAThreadOfTheirOwn() throws Exception {
        // Given a worker costing 5 ms per item and three submit-and-wait threads (as stream threads): one
        // alternates between cameras a and b (two cameras in one partition), the others carry c and d
        var batcher = batcher(4, Duration.ofMillis(1), 16);
        Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
        worker(batcher, 5, served).start();
        List<List<String>> threads = List.of(List.of("a", "b"), List.of("c"), List.of("d"));
        for (List<String> mine : threads) {
            Thread t = new Thread(() -> {
                int i = 0;
                while (!batcher.isClosed()) {
                    try {
                        batcher.submit(mine.get(i++ % mine.size()), i).get();
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
        }
        // When they run for two seconds
        sleep(2000);
        batcher.close();
        // Then a and b are not held to half of what c and d get (a plain FIFO gives them 67% of a fair share)
        assertFairShares(served, List.of("a", "b", "c", "d"));
    }

    @Test
    void shouldHandAWorkerAnEmptyBatchForIdleWorkOnlyWhenNothingIsQueued() throws Exception {
        // Given idle work waiting
        var batcher = batcher(4, Duration.ofMillis(1), 100);
        java.util.concurrent.atomic.AtomicBoolean idle = new java.util.concurrent.atomic.AtomicBoolean(true);
        batcher.idleWork(idle::get);
        // When nothing is queued, Then a worker gets an empty batch at once (to do the idle work)
        assertThat(batcher.nextBatch()).isEmpty();
        // When an item is queued, Then the item comes first
        batcher.submit(1);
        assertThat(batcher.nextBatch()).hasSize(1);
        // When a worker waits with no idle work and some arrives, Then a wake() sends it to that work
        idle.set(false);
        CompletableFuture<List<Job<Integer, String>>> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return batcher.nextBatch();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        assertThat(waiting).isNotDone();
        idle.set(true);
        batcher.wake();
        assertThat(waiting.get(2, TimeUnit.SECONDS)).isEmpty();
    }
}
