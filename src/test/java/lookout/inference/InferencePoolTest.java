package lookout.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import lookout.detect.DetectionMetrics;
import lookout.frames.DecodedImage;
import lookout.model.ModelMetadata;

@Timeout(30)
class InferencePoolTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private static final DecodedImage IMAGE = new DecodedImage(8, 6, new byte[8 * 6 * 3]);

    @Test
    void shouldListOneWorkerPerDeviceEntryAndWorker() {
        assertThat(InferencePool.workerDevices("cpu", 1)).containsExactly("cpu");
        assertThat(InferencePool.workerDevices("gpu:0, gpu:1", 2)).containsExactly("gpu:0", "gpu:0", "gpu:1", "gpu:1");
        assertThatThrownBy(() -> InferencePool.workerDevices(" , ", 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldBatchFramesSubmittedConcurrentlyByDifferentThreads() throws Exception {
        // Given a slow detector and 4 threads each submitting one frame at the same time (as stream threads do)
        FakeDetector detector = new FakeDetector();
        detector.delayMs = 200;
        try (InferencePool pool = new InferencePool(List.of(detector), 4, Duration.ofMillis(100), 16,
                new DetectionMetrics(registry)).start()) {
            List<CompletableFuture<InferencePool.Result>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(CompletableFuture.supplyAsync(() -> pool.submit(IMAGE).join()));
            }
            // Then they share one batch of 4 and each result says so
            for (CompletableFuture<InferencePool.Result> r : results) {
                InferencePool.Result result = r.get(10, TimeUnit.SECONDS);
                assertThat(result.batchSize()).isEqualTo(4);
                assertThat(result.detections()).hasSize(2);
                assertThat(result.inferenceNanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
            }
            assertThat(detector.batchSizes).containsExactly(4);
            assertThat(registry.get("lookout.batch.size").summary().mean()).isEqualTo(4.0);
            assertThat(registry.get("lookout.inference").timer().count()).isEqualTo(1);
            assertThat(registry.get("lookout.queue.time").timer().count()).isEqualTo(4);
        }
    }

    @Test
    void shouldRunACamerasFramesOnItsOwnModelAndTheOtherCamerasOnThePoolsEvenWhenTheyWaitTogether() throws Exception {
        // Given a pool whose camera "door" has a model of its own (version 8)
        FakeDetector general = new FakeDetector();
        FakeDetector own = new FakeDetector();
        own.model = new ModelMetadata("fake-model", "8", "fake", List.of("__background__", "person"), 240, 320, null,
                null, null, null, null, null, null);
        try (InferencePool pool = new InferencePool(List.of(general), 4, Duration.ofMillis(100), 16,
                new DetectionMetrics(registry)).start()) {
            pool.swap("door", List.of(own));
            // When frames of three cameras are submitted at once (they share batches)
            List<CompletableFuture<InferencePool.Result>> others = new ArrayList<>();
            List<CompletableFuture<InferencePool.Result>> door = new ArrayList<>();
            for (String camera : List.of("street", "door", "hall", "door", "street")) {
                (camera.equals("door") ? door : others).add(
                        CompletableFuture.supplyAsync(() -> pool.submit(camera, IMAGE).join()));
            }
            // Then the door's frames ran on its own model, and only they did
            for (CompletableFuture<InferencePool.Result> r : door) {
                assertThat(r.get(10, TimeUnit.SECONDS).model().version()).isEqualTo("8");
            }
            for (CompletableFuture<InferencePool.Result> r : others) {
                assertThat(r.get(10, TimeUnit.SECONDS).model().version()).isEqualTo("7");
            }
            assertThat(own.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(2);
            assertThat(general.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(3);
            assertThat(pool.model("door").version()).isEqualTo("8");
            assertThat(registry.get("lookout.camera.model.info").tag("camera", "door").gauge().value()).isEqualTo(1.0);

            // And when the door returns to the pool's model, its own detector is closed and its meter gone
            pool.swap("door", null);
            assertThat(own.closed).isTrue();
            assertThat(pool.submit("door", IMAGE).get(10, TimeUnit.SECONDS).model().version()).isEqualTo("7");
            assertThat(registry.find("lookout.camera.model.info").gauges()).isEmpty();
        }
    }

    @Test
    void shouldSpreadBatchesOverWorkers() throws Exception {
        FakeDetector a = new FakeDetector();
        FakeDetector b = new FakeDetector();
        a.delayMs = 300;
        b.delayMs = 300;
        try (InferencePool pool = new InferencePool(List.of(a, b), 1, Duration.ZERO, 16,
                new DetectionMetrics(registry)).start()) {
            CompletableFuture<InferencePool.Result> r1 = pool.submit(IMAGE);
            CompletableFuture<InferencePool.Result> r2 = pool.submit(IMAGE);
            r1.get(5, TimeUnit.SECONDS);
            r2.get(5, TimeUnit.SECONDS);
            // the second frame went to the idle worker while the first was busy
            assertThat(a.batchSizes).hasSize(1);
            assertThat(b.batchSizes).hasSize(1);
        }
    }

    @Test
    void shouldFailEveryFrameOfABatchWhoseInferenceFails() {
        FakeDetector detector = new FakeDetector();
        detector.failWith = new IllegalStateException("boom");
        try (InferencePool pool = new InferencePool(List.of(detector), 2, Duration.ZERO, 16,
                new DetectionMetrics(registry)).start()) {
            assertThatThrownBy(() -> pool.submit(IMAGE).get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(InferencePool.InferenceException.class)
                    .hasMessageContaining("boom");
        }
    }

    @Test
    void shouldWarmUpEveryBatchSizeAndCloseDetectorsOnClose() {
        FakeDetector detector = new FakeDetector();
        InferencePool pool = new InferencePool(List.of(detector), 3, Duration.ZERO, 16, new DetectionMetrics(registry));
        pool.warmUp();
        assertThat(detector.batchSizes).contains(1, 2, 3).doesNotContain(4);
        assertThat(registry.get("lookout.model.info").tag("version", "7").gauge().value()).isEqualTo(1.0);
        pool.start();
        pool.close();
        assertThat(detector.closed).isTrue();
        assertThatThrownBy(() -> pool.submit(IMAGE)).isInstanceOf(BatchAggregator.ShutdownException.class);
    }

    @Test
    void shouldServeSingleFramesAtOnceAndFormLargerBatchesOnlyOnceTheWorkersWarmedThemUpWhileIdle() throws Exception {
        // Given a pool of max batch 4 warmed up for batch size 1 only, whose model takes 50 ms a call
        FakeDetector detector = new FakeDetector();
        detector.delayMs = 50;
        InferencePool pool = new InferencePool(List.of(detector), 4, Duration.ofMillis(20), 16, new DetectionMetrics(registry));
        pool.warmUp(1);
        assertThat(detector.batchSizes).containsOnly(1);
        assertThat(pool.warmedBatchSize()).isEqualTo(1);
        assertThat(pool.warming()).isTrue();
        pool.start();
        try {
            // When frames arrive right away, four at a time
            List<java.util.concurrent.Future<InferencePool.Result>> first = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                first.add(pool.submit("cam" + i, IMAGE));
            }
            // Then they are answered, in batches no larger than what the worker had warmed up when it took them
            for (var f : first) {
                assertThat(f.get(5, TimeUnit.SECONDS).batchSize()).isLessThanOrEqualTo(2);
            }
            // and, with nothing to do, the worker warms sizes 2 to 4 (each a few times) and then forms batches of 4
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (pool.warming() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(pool.warmedBatchSize()).isEqualTo(4);
            assertThat(detector.batchSizes).contains(2, 3, 4);
            detector.delayMs = 300;
            pool.submit("cam0", IMAGE); // occupies the worker while the next four queue up
            Thread.sleep(100);
            List<java.util.concurrent.Future<InferencePool.Result>> later = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                later.add(pool.submit("cam" + i, IMAGE));
            }
            assertThat(later.get(3).get(5, TimeUnit.SECONDS).batchSize()).isEqualTo(4);
        } finally {
            pool.close();
        }
    }
}
