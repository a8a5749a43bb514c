package lookout.detect;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import lookout.common.CameraTags;
import lookout.common.RateMeter;
import lookout.inference.PoolMetrics;
import lookout.inference.swap.SwapMetrics;
import lookout.model.ModelMetadata;

/**
 * The detector's Micrometer meters (Prometheus names in brackets):
 * frames in/out/skipped/dead-lettered by camera [lookout_frames_in_total{camera}, lookout_frames_out_total{camera,status},
 * lookout_frames_skipped_total{camera,reason}, lookout_frames_dead_lettered_total{camera,reason}],
 * end-to-end latency capture to publish [lookout_latency_end_to_end_seconds], inference time per batch
 * [lookout_inference_seconds], time in the batching queue [lookout_queue_time_seconds], batch sizes
 * [lookout_batch_size], queue depth [lookout_queue_depth], the model in use [lookout_model_info{name,version}]
 * and, for cameras with a model of their own, theirs [lookout_camera_model_info{camera,name,version}],
 * and each camera's analysed frames per second over the last 10 s [lookout_camera_analysed_fps{camera}];
 * each camera's clock skew on its last frame [lookout_camera_clock_skew_seconds{camera}] and the frames placed
 * by the time they were sent because the camera's clock was off by more than the bound
 * [lookout_frames_clock_rebased_total{camera}] (see {@link CaptureClock}); stream threads replaced after a
 * failure [lookout_stream_threads_replaced_total].
 */
public final class DetectionMetrics implements PoolMetrics, SwapMetrics {
    private static final int ANALYSED_WINDOW_SECONDS = 10;
    private final CameraTags cameraTags = new CameraTags();
    private Gauge modelGauge;
    /** Guarded by this. */
    private final Map<String, Gauge> cameraModelGauges = new HashMap<>();
    private final MeterRegistry registry;
    private final Timer inference;
    private final Timer queueTime;
    private final Timer endToEnd;
    private final DistributionSummary batchSize;
    private final Map<String, RateMeter> analysed = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> skewMillis = new ConcurrentHashMap<>();

    public DetectionMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.inference = Timer.builder("lookout.inference")
                .description("model inference time per batch")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        this.queueTime = Timer.builder("lookout.queue.time")
                .description("time a frame waited in the batching queue")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        this.endToEnd = Timer.builder("lookout.latency.end.to.end")
                .description("capture time to publication of the detections record")
                .publishPercentileHistogram()
                .publishPercentiles(0.5, 0.99)
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
        this.batchSize = DistributionSummary.builder("lookout.batch.size")
                .description("frames per inference batch")
                .serviceLevelObjectives(1, 2, 3, 4, 6, 8, 12, 16, 32)
                .register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The camera tag: the id itself for the first {@link CameraTags#MAX} cameras seen, then "other". */
    String cameraTag(String camera) {
        return cameraTags.of(camera);
    }

    public void frameIn(String camera) {
        Counter.builder("lookout.frames.in").description("frames read from lookout.frames")
                .tag("camera", cameraTag(camera)).register(registry).increment();
    }

    public void frameOut(String camera, String status) {
        Counter.builder("lookout.frames.out").description("detections records published")
                .tag("camera", cameraTag(camera)).tag("status", status).register(registry).increment();
    }

    public void skipped(String camera, String reason) {
        Counter.builder("lookout.frames.skipped").description("frames answered without analysis (superseded, stale, overload, not-sampled)")
                .tag("camera", cameraTag(camera)).tag("reason", reason).register(registry).increment();
    }

    /** A frame of this camera was analysed (answered "ok"); the gauges are bounded like the other camera tags. */
    public void analysed(String camera) {
        analysed.computeIfAbsent(cameraTag(camera), c -> {
            RateMeter rate = new RateMeter(ANALYSED_WINDOW_SECONDS, System::nanoTime);
            Gauge.builder("lookout.camera.analysed.fps", rate, RateMeter::perSecond)
                    .description("frames of the camera analysed per second, over the last "
                            + ANALYSED_WINDOW_SECONDS + " s")
                    .tag("camera", c).register(registry);
            return rate;
        }).mark();
    }

    /**
     * The camera's clock against the time its frame was sent (ms, + = ahead), and whether it was
     * within the bound; a frame outside it was placed by its send time. Both meters exist from the
     * camera's first frame (the counter at 0, so the first re-based frame shows in increase()).
     */
    public void clockSkew(String camera, long skewMs, boolean trusted) {
        String tag = cameraTag(camera);
        skewMillis.computeIfAbsent(tag, c -> {
            AtomicLong v = new AtomicLong();
            Gauge.builder("lookout.camera.clock.skew", v, a -> a.get() / 1000.0)
                    .description("capture time minus the time the frame was sent, last frame of the camera (+ = clock ahead)")
                    .baseUnit("seconds").tag("camera", c).register(registry);
            return v;
        }).set(skewMs);
        Counter rebased = Counter.builder("lookout.frames.clock.rebased")
                .description("frames placed by the time they were sent: the camera's clock was off by more than lookout.clock.max-skew")
                .tag("camera", tag).register(registry);
        if (!trusted) {
            rebased.increment();
        }
    }

    /** A stream thread failed and was replaced (should stay 0: no frame may fail a thread). */
    public void streamThreadReplaced() {
        Counter.builder("lookout.stream.threads.replaced")
                .description("stream threads that failed and were replaced").register(registry).increment();
    }

    /** Registers the replaced-threads counter at 0, so the first replacement shows in increase(). */
    public void streamThreadsWatched() {
        Counter.builder("lookout.stream.threads.replaced")
                .description("stream threads that failed and were replaced").register(registry);
    }

    /** A record Kafka refused although the service built it to fit (the last line of defence; should stay 0). */
    public void recordRefused(String topic, String error) {
        Counter.builder("lookout.records.refused")
                .description("records the service built that Kafka refused (dropped, with an ERROR line)")
                .tag("topic", topic).tag("error", error).register(registry).increment();
    }

    public void deadLettered(String camera, String reason) {
        Counter.builder("lookout.frames.dead.lettered").description("frames sent to lookout.frames.dlq")
                .tag("camera", cameraTag(camera)).tag("reason", reason).register(registry).increment();
    }

    /**
     * A frame whose answer Kafka refused after all (the last line of defence behind the size checks;
     * should stay 0) [lookout_frames_unanswered_total{stage}].
     */
    /** A frame answered with the analysis a worker started ahead of its stream thread (see {@link Lookahead}). */
    public void lookaheadTaken() {
        Counter.builder("lookout.lookahead.taken")
                .description("frames answered with an analysis started before their stream thread reached them")
                .register(registry).increment();
    }

    /** A frame analysed ahead of its stream thread that no stream thread took (see {@link Lookahead}). */
    public void lookaheadWasted(String camera) {
        Counter.builder("lookout.lookahead.wasted")
                .description("frames analysed ahead of their stream thread that none took (compute spent for nothing)")
                .tag("camera", cameraTag(camera)).register(registry).increment();
    }

    /** A frame of this camera was analysed with tiles (see {@link TilePlanner}). */
    public void tiled(String camera) {
        Counter.builder("lookout.frames.tiled").description("frames analysed whole and as tiles (small people)")
                .tag("camera", cameraTag(camera)).register(registry).increment();
    }

    /** A frame due for tiles was answered from the whole frame alone: the queue was full or a tile failed. */
    public void tilesDropped(String camera, String reason) {
        Counter.builder("lookout.frames.tiles.dropped")
                .description("frames due for tiles answered from the whole frame alone (overload, failed)")
                .tag("camera", cameraTag(camera)).tag("reason", reason).register(registry).increment();
    }

    public void unanswered(String stage) {
        Counter.builder("lookout.frames.unanswered").description("frames whose record could not be produced")
                .tag("stage", stage).register(registry).increment();
    }

    public void endToEnd(long millis) {
        endToEnd.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    @Override
    public void batch(int size, long inferenceNanos) {
        batchSize.record(size);
        inference.record(inferenceNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void queueTime(long nanos) {
        queueTime.record(nanos, TimeUnit.NANOSECONDS);
    }

    public Timer endToEndTimer() {
        return endToEnd;
    }

    @Override
    public void queueDepth(Supplier<Number> depth) {
        Gauge.builder("lookout.queue.depth", depth).description("frames waiting for inference").register(registry);
    }

    /** An info-style gauge (value 1) naming the model being served; a swap replaces the old one. */
    @Override
    public synchronized void model(ModelMetadata model) {
        if (modelGauge != null) {
            registry.remove(modelGauge);
        }
        modelGauge = Gauge.builder("lookout.model.info", () -> 1).description("the model being served")
                .tag("name", String.valueOf(model.name())).tag("version", String.valueOf(model.version()))
                .register(registry);
    }

    /**
     * The model of each camera with a model of its own [lookout_camera_model_info{camera,name,version}]:
     * absent for a camera that follows the general model (lookout_model_info).
     */
    @Override
    public synchronized void cameraModel(String camera, ModelMetadata model) {
        Gauge before = cameraModelGauges.remove(camera);
        if (before != null) {
            registry.remove(before);
        }
        if (model != null) {
            cameraModelGauges.put(camera, Gauge.builder("lookout.camera.model.info", () -> 1)
                    .description("the model a camera with a model of its own is served")
                    .tag("camera", cameraTag(camera)).tag("name", String.valueOf(model.name()))
                    .tag("version", String.valueOf(model.version())).register(registry));
        }
    }

    /** Counts records on lookout.models the detector skipped, by reason [lookout_registry_records_skipped_total]. */
    @Override
    public void registrySkipped(String reason) {
        registry.counter("lookout.registry.records.skipped", "reason", reason).increment();
    }

    /**
     * 1 while the model watcher follows the registry, 0 once it stopped or when the replica does not
     * follow it ({@code lookout.models.watch=false}): such a replica will not hot-swap [lookout_model_watcher_up].
     */
    @Override
    public void watcherUp(BooleanSupplier up) {
        // a strong reference: the supplier is a lambda nobody else holds, a weak one would read NaN after a GC
        Gauge.builder("lookout.model.watcher.up", up, f -> f.getAsBoolean() ? 1 : 0)
                .description("whether the model watcher follows lookout.models").strongReference(true).register(registry);
        // from 0, so the first swap of each outcome shows in increase() (a counter born at 1 would not)
        registry.counter("lookout.model.swaps", "outcome", "loaded");
        registry.counter("lookout.model.swaps", "outcome", "refused");
    }

    /** Counts model swaps by outcome (loaded, refused) [lookout_model_swaps_total]. */
    @Override
    public void modelSwap(String outcome) {
        registry.counter("lookout.model.swaps", "outcome", outcome).increment();
    }

    /**
     * Counts models refused, by reason (unsigned, unknown-key, bad-signature, integrity,
     * not-published, load-failed) [lookout_model_refused_total].
     */
    @Override
    public void modelRefused(String reason) {
        registry.counter("lookout.model.refused", "reason", reason).increment();
    }

    /**
     * 1 while the registry's serving pointer names a model this replica refused or cannot fetch (it
     * keeps answering with the model it has), else 0 [lookout_model_divergent]. A health detail and an
     * alert, not a readiness failure: whoever can write one bad record must not take a fleet out of service.
     */
    @Override
    public void modelDivergent(BooleanSupplier divergent) {
        Gauge.builder("lookout.model.divergent", divergent, f -> f.getAsBoolean() ? 1 : 0)
                .description("whether the registry serves a model this replica refused or cannot fetch")
                .strongReference(true).register(registry);
    }
}
