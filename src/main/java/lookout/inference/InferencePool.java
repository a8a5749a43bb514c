package lookout.inference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.jboss.logging.Logger;

import lookout.detections.Detection;
import lookout.frames.DecodedImage;
import lookout.frames.InvalidFrameException;
import lookout.inference.BatchAggregator.Job;
import lookout.model.ModelMetadata;

/**
 * Workers that run detectors on batches. One worker per {@link Detector} (the caller opens one per
 * device entry and per worker on that device: "cpu", or "gpu:0,gpu:1" with two workers each...);
 * all workers pull from one shared {@link BatchAggregator}, so a batch is formed from whatever
 * frames are waiting, across cameras, partitions and stream threads, each camera getting its turn.
 * A camera may have a model of its own ({@link #swap(String, List)}: a camera retrain's model): its
 * frames run on its own detectors, one per worker, the others' on the pool's; a batch that holds
 * frames of both is run as one batch per model.
 */
public final class InferencePool implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(InferencePool.class);
    /** The key of the pool's own model among the cameras' (no camera id is empty). */
    private static final String GENERAL = "";

    /** The outcome for one frame; {@code model} is the model that ran it (it may be swapped since). */
    public record Result(List<Detection> detections, long queueNanos, long inferenceNanos, int batchSize,
            ModelMetadata model) {
        public Result(List<Detection> detections, long queueNanos, long inferenceNanos, int batchSize) {
            this(detections, queueNanos, inferenceNanos, batchSize, null);
        }
    }

    /**
     * The detectors serving now. Workers hold the read lock while a batch runs; a swap takes the
     * write lock of the old generation, so it waits for in-flight batches before closing them.
     */
    private static final class Generation {
        final List<Detector> detectors;
        final ModelMetadata model;
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        /** Per worker, the largest batch size its detector has been warmed up for. */
        final AtomicIntegerArray warmed;
        /** Set when a batch size failed to warm up: larger batches are then never formed. */
        volatile boolean warmingStopped;
        boolean retired; // guarded by lock

        Generation(List<? extends Detector> detectors, int warmedUpTo) {
            this.detectors = List.copyOf(detectors);
            this.model = detectors.get(0).model();
            this.warmed = new AtomicIntegerArray(detectors.size());
            for (int i = 0; i < detectors.size(); i++) {
                warmed.set(i, warmedUpTo);
            }
        }

        int warmedByAll() {
            int min = Integer.MAX_VALUE;
            for (int i = 0; i < warmed.length(); i++) {
                min = Math.min(min, warmed.get(i));
            }
            return min;
        }
    }

    /** Inference raised for the batch this frame was in. */
    public static final class InferenceException extends RuntimeException {
        public InferenceException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private volatile Generation current;
    /** Cameras with a model of their own, each its own generation; replaced as a whole (copy on write). */
    private volatile Map<String, Generation> cameras = Map.of();
    private final BatchAggregator<DecodedImage, Result> batcher;
    private final PoolMetrics metrics;
    private final List<Thread> workers = new ArrayList<>();
    private volatile WorkAhead lookahead;
    /** The worker slot of the current thread (asked by the batcher when a worker idles). */
    private static final ThreadLocal<Integer> SLOT = new ThreadLocal<>();

    public InferencePool(List<? extends Detector> detectors, int maxBatchSize, Duration maxDelay, int queueCapacity,
            PoolMetrics metrics) {
        if (detectors.isEmpty()) {
            throw new IllegalArgumentException("an inference pool needs at least one detector");
        }
        // a pool nobody warms up forms full batches at once; warmUp(n) holds larger ones back until warmed
        this.current = new Generation(detectors, maxBatchSize);
        this.metrics = metrics;
        this.batcher = new BatchAggregator<>(maxBatchSize, maxDelay, queueCapacity, metrics::queueTime);
        metrics.queueDepth(batcher::depth);
        metrics.model(current.model);
    }

    /** Device entries, one per worker: {@code devices("gpu:0,gpu:1", 2)} = gpu:0, gpu:0, gpu:1, gpu:1. */
    public static List<String> workerDevices(String devices, int workersPerDevice) {
        List<String> out = new ArrayList<>();
        for (String d : Arrays.stream(devices.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()) {
            for (int i = 0; i < Math.max(1, workersPerDevice); i++) {
                out.add(d);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no device in '" + devices + "'");
        }
        return out;
    }

    /**
     * Warms every worker's detector up at the serving model's nominal size, every batch size up to
     * the pool's maximum. Call before {@link #start()}.
     */
    public void warmUp() {
        warmUp(batcher.maxBatchSize());
    }

    /**
     * Warms every worker's detector up for batch sizes 1 to {@code upTo} (before {@link #start()}); the
     * workers warm the larger sizes themselves while idle, and until every worker has warmed a size,
     * batches of that size are not formed. So the pool can serve frames one at a time within seconds
     * of loading the model, instead of after warming every batch size (on a 2-core CPU, 18 s of the
     * default model's start-up went into sizes 1-4).
     */
    public void warmUp(int upTo) {
        Generation gen = current;
        int sizes = Math.max(1, Math.min(upTo, batcher.maxBatchSize()));
        for (int slot = 0; slot < gen.detectors.size(); slot++) {
            Detector detector = gen.detectors.get(slot);
            for (int b = 1; b <= sizes; b++) {
                detector.warmUpBatch(detector.model().nominalSize(), b);
            }
            gen.warmed.set(slot, sizes);
        }
        batcher.limit(sizes);
    }

    /** Whether some worker still has batch sizes to warm up (it does so when idle). */
    public boolean warming() {
        Generation gen = current;
        return !gen.warmingStopped && gen.warmedByAll() < batcher.maxBatchSize();
    }

    /** Whether this worker still has batch sizes to warm up. */
    private boolean warming(int slot) {
        Generation gen = current;
        return !gen.warmingStopped && slot < gen.warmed.length() && gen.warmed.get(slot) < batcher.maxBatchSize();
    }

    /** The largest batch the workers are warmed up for (what batches are limited to meanwhile). */
    public int warmedBatchSize() {
        return current.warmedByAll();
    }

    /** Warms up detectors that are not serving yet (before a {@link #swap}), at their model's nominal size. */
    public static void warmUp(List<? extends Detector> detectors, int maxBatchSize) {
        for (Detector detector : detectors) {
            detector.warmUp(detector.model().nominalSize(), maxBatchSize);
        }
    }

    /**
     * Lets idle workers analyse frames ahead of their stream threads (latest-frame policy): a worker
     * with nothing queued takes {@link WorkAhead#next()}. Call before {@link #start()}.
     */
    public void lookAhead(WorkAhead ahead) {
        this.lookahead = ahead;
        ahead.onArrival(batcher::wake);
    }

    /** Starts one worker thread per detector. */
    public synchronized InferencePool start() {
        if (!workers.isEmpty()) {
            return this;
        }
        // an idle worker has other work: a frame seen ahead of its stream thread, or batch sizes to warm up
        batcher.idleWork(() -> {
            WorkAhead ahead = lookahead;
            Integer slot = SLOT.get();
            return ahead != null && ahead.hasWork() || slot != null && warming(slot);
        });
        List<Detector> detectors = current.detectors;
        for (int i = 0; i < detectors.size(); i++) {
            final int slot = i;
            Thread t = new Thread(() -> work(slot), "inference-" + detectors.get(i).device() + "-" + i);
            t.setDaemon(true);
            t.start();
            workers.add(t);
        }
        return this;
    }

    private void work(int slot) {
        SLOT.set(slot);
        while (!batcher.isClosed()) {
            List<Job<DecodedImage, Result>> batch;
            try {
                batch = batcher.nextBatch();
            } catch (InterruptedException e) {
                return;
            }
            if (batch.isEmpty()) {
                WorkAhead ahead = lookahead;
                WorkAhead.Analysis next = ahead == null || batcher.isClosed() ? null : ahead.next();
                if (next != null) {
                    analyseAhead(slot, next);
                } else if (!batcher.isClosed()) {
                    warmNextSize(slot);
                }
                continue;
            }
            Map<String, Generation> own = cameras;
            if (own.isEmpty()) {
                runJobs(slot, null, batch);
                continue;
            }
            // frames of cameras with a model of their own run apart, one batch per model, in order
            Map<String, List<Job<DecodedImage, Result>>> parts = new LinkedHashMap<>();
            for (Job<DecodedImage, Result> job : batch) {
                String camera = job.key() != null && own.containsKey(job.key()) ? job.key() : GENERAL;
                parts.computeIfAbsent(camera, k -> new ArrayList<>()).add(job);
            }
            parts.forEach((camera, jobs) -> runJobs(slot, GENERAL.equals(camera) ? null : camera, jobs));
        }
    }

    /** Runs jobs of one model (camera null: the pool's) as one batch and completes them (or fails them all). */
    private void runJobs(int slot, String camera, List<Job<DecodedImage, Result>> batch) {
        List<DecodedImage> images = batch.stream().map(Job::input).toList();
        try {
            Ran ran = run(slot, camera, images);
            for (int i = 0; i < batch.size(); i++) {
                Job<DecodedImage, Result> job = batch.get(i);
                job.complete(new Result(ran.out().get(i), job.queueNanos(), ran.nanos(), images.size(), ran.model()));
            }
        } catch (InferenceException e) {
            LOG.warnf("inference failed for a batch of %d: %s", images.size(), e.getMessage());
            for (Job<DecodedImage, Result> job : batch) {
                job.fail(e);
            }
        }
    }

    /** One frame the stream thread has not reached yet (see {@link WorkAhead}); its failure is its stream thread's to handle. */
    private void analyseAhead(int slot, WorkAhead.Analysis analysis) {
        try {
            Ran ran = run(slot, analysis.camera(), List.of(analysis.decode()));
            analysis.complete(new Result(ran.out().get(0), 0, ran.nanos(), 1, ran.model()));
        } catch (InvalidFrameException | RuntimeException e) {
            analysis.fail(e);
        }
    }

    /**
     * Warms this worker's detector for the next batch size it has not run yet (between frames, while
     * nothing waits); once every worker has, batches of that size may form.
     */
    private void warmNextSize(int slot) {
        Generation gen = acquire();
        try {
            int next = gen.warmed.get(slot) + 1;
            if (gen.warmingStopped || next > batcher.maxBatchSize()) {
                return;
            }
            Detector detector = gen.detectors.get(slot);
            long start = System.nanoTime();
            detector.warmUpBatch(detector.model().nominalSize(), next);
            gen.warmed.set(slot, next);
            int all = gen.warmedByAll();
            if (gen == current) {
                batcher.limit(all);
            }
            LOG.infof("worker %d warmed up batch size %d in %d ms while serving (batches up to %d now)", slot, next,
                    (System.nanoTime() - start) / 1_000_000, all);
        } catch (RuntimeException e) {
            // a batch size that cannot even run on grey frames is never formed: the pool keeps serving smaller ones
            LOG.warnf("worker %d could not warm up batch size %d: %s; batches stay at most %d", slot,
                    gen.warmed.get(slot) + 1, e.toString(), gen.warmedByAll());
            gen.warmingStopped = true;
        } finally {
            gen.lock.readLock().unlock();
        }
    }

    /** What {@link #run} returns: per image its detections, the batch's inference time, the model that ran it. */
    private record Ran(List<List<Detection>> out, long nanos, ModelMetadata model) {
    }

    /**
     * Runs one batch on this worker's detector of the generation serving the camera (its own, or the
     * pool's; read-locked meanwhile, so a swap waits for it), recording the batch metrics.
     *
     * @throws InferenceException when the detector fails or answers for a different number of images
     */
    private Ran run(int slot, String camera, List<DecodedImage> images) {
        Generation gen = acquire(camera);
        Detector detector = gen.detectors.get(slot);
        long start = System.nanoTime();
        try {
            List<List<Detection>> out = detector.detect(images);
            long took = System.nanoTime() - start;
            if (out.size() != images.size()) {
                throw new IllegalStateException("detector returned " + out.size() + " results for " + images.size() + " images");
            }
            metrics.batch(images.size(), took);
            return new Ran(out, took, gen.model);
        } catch (RuntimeException e) {
            throw new InferenceException(detector.device() + ": " + e.getMessage(), e);
        } finally {
            gen.lock.readLock().unlock();
        }
    }

    /** The serving generation, read-locked (a retired one is skipped: its detectors are closing). */
    private Generation acquire() {
        return acquire(null);
    }

    /** The generation serving a camera (its own, else the pool's), read-locked; a retired one is skipped. */
    private Generation acquire(String camera) {
        while (true) {
            Generation own = camera == null ? null : cameras.get(camera);
            Generation gen = own != null ? own : current;
            gen.lock.readLock().lock();
            if (!gen.retired) {
                return gen;
            }
            gen.lock.readLock().unlock();
        }
    }

    /**
     * Atomically replaces the detectors (one per worker, same order as at construction), e.g. with a
     * new model version. Batches that started on the old detectors finish on them; every batch
     * taken after this call runs on the new ones. The old detectors are closed once their last
     * batch is done. Load and warm up the new detectors before calling this.
     *
     * @return the model that served until now
     */
    public ModelMetadata swap(List<? extends Detector> replacements) {
        if (replacements.size() != workers()) {
            throw new IllegalArgumentException("swap needs " + workers() + " detectors (one per worker), got "
                    + replacements.size());
        }
        Generation next = new Generation(replacements, batcher.maxBatchSize()); // warmed up before the swap
        Generation old;
        synchronized (this) {
            old = current;
            current = next;
        }
        metrics.model(next.model);
        batcher.limit(batcher.maxBatchSize());
        old.lock.writeLock().lock(); // waits for in-flight batches on the old detectors
        try {
            old.retired = true;
        } finally {
            old.lock.writeLock().unlock();
        }
        closeAll(old.detectors);
        LOG.infof("inference pool now serves %s %s (was %s %s)", next.model.name(), next.model.version(),
                old.model.name(), old.model.version());
        return old.model;
    }

    /**
     * Gives a camera a model of its own (replacements: one detector per worker, loaded and warmed up
     * for every batch size), or with null returns it to the pool's model. Its frames taken after this
     * call run on the new detectors; its old ones close once their last batch is done.
     *
     * @return the model that served the camera until now
     */
    public ModelMetadata swap(String camera, List<? extends Detector> replacements) {
        if (replacements != null && replacements.size() != workers()) {
            throw new IllegalArgumentException("swap needs " + workers() + " detectors (one per worker), got "
                    + replacements.size());
        }
        Generation old;
        synchronized (this) {
            Map<String, Generation> next = new HashMap<>(cameras);
            old = replacements == null ? next.remove(camera)
                    : next.put(camera, new Generation(replacements, batcher.maxBatchSize()));
            cameras = Map.copyOf(next);
        }
        metrics.cameraModel(camera, replacements == null ? null : replacements.get(0).model());
        if (old == null) {
            return current.model;
        }
        old.lock.writeLock().lock(); // waits for in-flight batches on the camera's old detectors
        try {
            old.retired = true;
        } finally {
            old.lock.writeLock().unlock();
        }
        closeAll(old.detectors);
        LOG.infof("camera %s now served by %s (was %s %s)", camera, replacements == null ? "the pool's model"
                : replacements.get(0).model().name() + " " + replacements.get(0).model().version(),
                old.model.name(), old.model.version());
        return old.model;
    }

    /** The model serving a camera: its own, or the pool's. */
    public ModelMetadata model(String camera) {
        Generation own = camera == null ? null : cameras.get(camera);
        return own != null ? own.model : current.model;
    }

    /** Cameras with a model of their own. */
    public Set<String> ownModels() {
        return cameras.keySet();
    }

    private static void closeAll(List<Detector> detectors) {
        for (Detector d : detectors) {
            try {
                d.close();
            } catch (RuntimeException e) {
                LOG.warnf("closing detector on %s: %s", d.device(), e.toString());
            }
        }
    }

    /**
     * Queues a frame for inference.
     *
     * @throws BatchAggregator.QueueFullException when the queue is full (overload)
     * @throws BatchAggregator.ShutdownException  when the pool is closing
     */
    public CompletableFuture<Result> submit(DecodedImage image) {
        return batcher.submit(image);
    }

    /**
     * Queues a frame of {@code camera}; cameras share the workers fairly (see {@link BatchAggregator}).
     *
     * @throws BatchAggregator.QueueFullException when the queue is full (overload)
     * @throws BatchAggregator.ShutdownException  when the pool is closing
     */
    public CompletableFuture<Result> submit(String camera, DecodedImage image) {
        return batcher.submit(camera, image);
    }

    /** The model the workers run now (all workers load the same artifact). */
    public ModelMetadata model() {
        return current.model;
    }

    public int queueDepth() {
        return batcher.depth();
    }

    public int maxBatchSize() {
        return batcher.maxBatchSize();
    }

    public int workers() {
        return current.detectors.size();
    }

    /** Fails queued frames, lets running batches finish (up to 30 s), then frees the detectors. */
    @Override
    public void close() {
        batcher.close();
        for (Thread t : workers) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeAll(current.detectors);
        cameras.values().forEach(g -> closeAll(g.detectors));
    }
}
