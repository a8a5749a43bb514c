package lookout.service;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import lookout.config.DeadLetterSettings;
import lookout.config.DetectorSettings;
import lookout.detect.CaptureClock;
import lookout.detect.DetectionMetrics;
import lookout.detect.DetectionTopology;
import lookout.detect.FrameTimestamps;
import lookout.detect.LastLineHandlers;
import lookout.detect.SchedulingPolicy;
import lookout.frames.FrameDecoder;
import lookout.inference.Detector;
import lookout.inference.DetectorFactory;
import lookout.inference.InferencePool;
import lookout.kafka.KafkaClients;
import lookout.kafka.TopicAdmin;
import lookout.kafka.Topics;
import lookout.model.ModelMetadata;
import lookout.tiles.TilePlanner;

/**
 * The detector role, wired by hand (not by the Quarkus Kafka Streams extension, because only the
 * serve/demo roles may start a topology): creates the topics, loads one detector per pool worker,
 * starts Kafka Streams and meanwhile warms the first batch sizes up (see {@link #start()}). {@link #close()} stops the streams first
 * (the in-flight frames finish and commit) and the pool after.
 */
public final class DetectionService implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DetectionService.class);

    private final DetectorSettings settings;
    private final KafkaClients clients;
    private final MeterRegistry registry;
    private final DetectionMetrics metrics;
    private final DetectorFactory factory;
    private final Clock clock;
    /** Which frames are analysed ({@code lookout.scheduling}). */
    private final SchedulingPolicy scheduling;
    private volatile InferencePool pool;
    private volatile KafkaStreams streams;
    private volatile KafkaStreamsMetrics streamsMetrics;
    private volatile boolean modelReady;
    private volatile BooleanSupplier servingInStep = () -> true;
    private volatile BooleanSupplier watcherAlive = () -> true;
    private volatile Supplier<String> divergence = () -> null;
    private DetectionTopology.Stage stage;
    private DeadLetterSettings deadLetters = new DeadLetterSettings(false);
    private TilePlanner tiles;
    private final AtomicReference<Throwable> fatal = new AtomicReference<>();
    private final AtomicBoolean readyLogged = new AtomicBoolean();

    public DetectionService(DetectorSettings settings, KafkaClients clients, MeterRegistry registry,
            DetectorFactory factory, Clock clock) {
        this.settings = settings;
        this.clients = clients;
        this.registry = registry;
        this.metrics = new DetectionMetrics(registry);
        this.factory = factory;
        this.clock = clock;
        this.scheduling = SchedulingPolicy.of(settings.scheduling(), new SchedulingPolicy.Wiring(
                new FrameDecoder(settings.frames()), metrics, () -> clients.tailConsumer("frame-tail"),
                new CaptureClock(settings.clockMaxSkew(), clock)));
    }

    /** Processors to run between detection and lookout.detections (tracking, statistics); call before {@link #start()}. */
    public synchronized DetectionService after(DetectionTopology.Stage stage) {
        this.stage = stage;
        return this;
    }

    /** What dead letters keep ({@code lookout.dlq.*}; by default no image bytes); call before {@link #start()}. */
    public synchronized DetectionService deadLetters(DeadLetterSettings settings) {
        this.deadLetters = settings;
        return this;
    }

    /** Cameras {@code planner} picks get their frames analysed as tiles too (small people); call before {@link #start()}. */
    public synchronized DetectionService tiled(TilePlanner planner) {
        this.tiles = planner;
        return this;
    }

    /**
     * Topics, model, streams, warm-up; returns once the model is warm for the first batch sizes and the
     * streams are started (not yet necessarily RUNNING). What can overlap does: the topics are checked
     * while the model loads, and Kafka Streams joins its group and restores its stores while the model
     * warms up (its first frames wait in the pool's queue until the workers start). After a crash that
     * overlap is seconds of the outage.
     */
    public synchronized DetectionService start() {
        long t0 = System.nanoTime();
        List<String> ensured = new ArrayList<>(Topics.DETECTOR);
        if (stage != null) {
            ensured.addAll(stage.topics());
        }
        List<String> limited = new ArrayList<>(List.of(Topics.DETECTIONS, Topics.FRAMES_DLQ));
        if (deadLetters.keepBytes()) {
            ensured.add(Topics.FRAMES_DLQ_BYTES);
            limited.add(Topics.FRAMES_DLQ_BYTES);
        }
        CompletableFuture<Map<String, Integer>> topics = CompletableFuture.supplyAsync(() -> {
            TopicAdmin.ensure(clients.settings(), ensured);
            return TopicAdmin.limits(clients.settings(), limited);
        });
        pool = openPool();
        long loaded = System.nanoTime();
        Map<String, Integer> limits;
        try {
            limits = topics.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        scheduling.start(pool);
        Properties config = streamsConfig();
        DetectionTopology topology = new DetectionTopology(topologySettings(limits, config),
                new FrameDecoder(settings.frames()), pool, metrics, clock, scheduling).tiled(tiles);
        streams = new KafkaStreams(ProcessIdPin.attach(topology.build(stage), DetectionTopology.PROCESSOR), config);
        metrics.streamThreadsWatched();
        streams.setStateListener((now, before) -> logReady());
        streams.setUncaughtExceptionHandler(e -> {
            StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse response = onStreamThreadFailure(e);
            if (response == StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD) {
                metrics.streamThreadReplaced();
            }
            return response;
        });
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
        streams.start();
        long warm = System.nanoTime();
        try {
            // the first sizes now (the workers are not running yet), the rest by the workers while idle
            pool.warmUp(settings.warmBeforeReady());
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot warm up the model from " + settings.modelDir().toAbsolutePath()
                    + ": " + e.getMessage(), e);
        }
        pool.start();
        LOG.infof("model %s v%s loaded on %d worker(s) in %d ms, batch sizes 1-%d warmed up in %d ms%s",
                pool.model().name(), pool.model().version(), pool.workers(), (loaded - t0) / 1_000_000,
                pool.warmedBatchSize(), (System.nanoTime() - warm) / 1_000_000,
                pool.warming() ? " (the workers warm up to " + settings.batchMaxSize() + " while idle)" : "");
        modelReady = true;
        logReady();
        return this;
    }

    /** Logs, once, when the detector can first answer frames: the figure start-up measurements read. */
    private void logReady() {
        if (modelReady && streamsState() == KafkaStreams.State.RUNNING && readyLogged.compareAndSet(false, true)) {
            long started = ProcessHandle.current().info().startInstant().map(java.time.Instant::toEpochMilli)
                    .orElse(System.currentTimeMillis());
            LOG.infof("detector ready to answer frames %.1f s after the process started",
                    (System.currentTimeMillis() - started) / 1000.0);
        }
    }

    /**
     * Records are cut to the smaller of the topic's real limit and what the producer may send, so a
     * DLQ copy or a detections record can never be refused by Kafka.
     */
    DetectionTopology.Settings topologySettings(Map<String, Integer> topicLimits, Properties config) {
        int producerLimit = (Integer) config.get(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
        return new DetectionTopology.Settings(settings.maxFrameAge(), settings.scoreThreshold(),
                settings.inferenceTimeout(), Math.min(producerLimit, topicLimits.get(Topics.DETECTIONS)),
                Math.min(producerLimit, topicLimits.get(Topics.FRAMES_DLQ)), settings.clockMaxSkew(), deadLetters.keepBytes(),
                Math.min(producerLimit, topicLimits.getOrDefault(Topics.FRAMES_DLQ_BYTES,
                        topicLimits.get(Topics.FRAMES_DLQ))));
    }

    /**
     * A stream thread that failed is replaced (its uncommitted frames are processed again), except
     * when another replica took this one's static member id: two replicas with one
     * {@code lookout.instance-id} would fence each other forever, so this one stops (liveness DOWN).
     */
    static StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse onStreamThreadFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof FencedInstanceIdException) {
                LOG.errorf("another detector joined with this replica's lookout.instance-id; give every replica "
                        + "its own (LOOKOUT_INSTANCE_ID). Stopping Kafka Streams here: %s", t.getMessage());
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
        }
        LOG.errorf(e, "stream thread failed; replacing it (uncommitted frames are processed again)");
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** Loads one detector per worker; warming up is {@link #start()}'s. */
    private InferencePool openPool() {
        List<Detector> detectors = new ArrayList<>();
        try {
            for (String device : InferencePool.workerDevices(settings.devices(), settings.workersPerDevice())) {
                detectors.add(factory.open(settings.modelDir(), device));
            }
            return new InferencePool(detectors, settings.batchMaxSize(), settings.batchMaxDelay(),
                    settings.batchQueueCapacity(), metrics);
        } catch (Exception e) {
            detectors.forEach(Detector::close);
            throw new IllegalStateException("cannot load the model from " + settings.modelDir().toAbsolutePath()
                    + ": " + e.getMessage(), e);
        }
    }

    Properties streamsConfig() {
        int maxRecord = Topics.maxRecordBytes(Topics.FRAMES_DLQ, clients.settings().topics());
        Map<String, Object> tuning = new HashMap<>(clients.membership(StreamsConfig.MAIN_CONSUMER_PREFIX));
        tuning.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
        Map<String, Object> required = new HashMap<>(Map.of(
                StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId(),
                StreamsConfig.PROCESSING_GUARANTEE_CONFIG, settings.processingGuarantee(),
                StreamsConfig.NUM_STREAM_THREADS_CONFIG, settings.effectiveStreamThreads(),
                StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, settings.commitInterval().toMillis(),
                StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) clients.settings().topics().replication(),
                // a frame in flight waits for inference: allow for a slow model before the group evicts the thread
                StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG),
                (int) Math.max(300_000, settings.inferenceTimeout().toMillis() * 4),
                // dead-lettered frames are republished whole: allow the largest record the DLQ takes
                StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), maxRecord));
        // static membership: a replica restarted after a crash takes its partitions back at once
        // instead of waiting out the dead members' sessions (Streams appends the thread number)
        required.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
                clients.settings().group().instanceId());
        // one state directory per replica name: where the process id (so the transactional ids) is kept
        required.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().resolve(clients.settings().group().instanceId())
                .toAbsolutePath().toString());
        // no record's timestamp may fail a stream thread (Kafka Streams' default extractor does, on a negative one)
        required.put(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, FrameTimestamps.class);
        required.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, LastLineHandlers.Production.class);
        required.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LastLineHandlers.Processing.class);
        required.put(LastLineHandlers.METRICS, metrics);
        scheduling.configure(tuning, required);
        Properties p = new Properties();
        p.putAll(clients.properties(tuning, required));
        return p;
    }

    /**
     * Liveness follows the model watcher (a detector whose watcher stopped would ignore every later
     * publish, promote and rollback); whether the replica serves the registry's serving version is
     * reported, not a condition of readiness (see {@link #ready()}).
     */
    public void followRegistry(BooleanSupplier inStep, BooleanSupplier watcherAlive) {
        followRegistry(inStep, watcherAlive, () -> null);
    }

    /** @param divergence why this replica refused or cannot fetch the registry's serving version, or null */
    public void followRegistry(BooleanSupplier inStep, BooleanSupplier watcherAlive, Supplier<String> divergence) {
        this.servingInStep = inStep;
        this.watcherAlive = watcherAlive;
        this.divergence = divergence;
    }

    public boolean modelReady() {
        return modelReady;
    }

    /** Whether the model serving is the registry's serving version (or the registry names none): a detail. */
    public boolean servingInStep() {
        return servingInStep.getAsBoolean();
    }

    /** Why the registry serves a version this replica refused or cannot fetch; null when it does not. */
    public String registryDivergence() {
        return divergence.get();
    }

    public KafkaStreams.State streamsState() {
        KafkaStreams s = streams;
        return s == null ? null : s.state();
    }

    /**
     * Able to answer frames: the model is loaded and warmed up and Kafka Streams runs (connected,
     * tasks assigned). Not whether it serves the registry's serving version: a replica that refused
     * a broken or forged publish keeps answering with the model it has, and one bad record on
     * lookout.models must not take every replica out of service (that is {@link #registryDivergence()},
     * a health detail, a metric and an alert).
     */
    public boolean ready() {
        return ready(modelReady, streamsState());
    }

    static boolean ready(boolean modelReady, KafkaStreams.State streams) {
        return modelReady && streams == KafkaStreams.State.RUNNING;
    }

    /** False once the streams died for good (ERROR), a start failed, or the model watcher stopped. */
    public boolean alive() {
        KafkaStreams.State state = streamsState();
        return fatal.get() == null && state != KafkaStreams.State.ERROR && state != KafkaStreams.State.PENDING_ERROR
                && watcherAlive.getAsBoolean();
    }

    public boolean watcherAlive() {
        return watcherAlive.getAsBoolean();
    }

    /** How this service loads a model on a device (the hot swap loads new versions the same way). */
    public DetectorFactory factory() {
        return factory;
    }

    public InferencePool pool() {
        return pool;
    }

    /** The detector's meters (one set per process). */
    public DetectionMetrics metrics() {
        return metrics;
    }

    public ModelMetadata model() {
        InferencePool p = pool;
        return p == null ? null : p.model();
    }

    public DetectorSettings settings() {
        return settings;
    }

    @Override
    public synchronized void close() {
        modelReady = false;
        KafkaStreams s = streams;
        if (s != null) {
            LOG.info("stopping Kafka Streams (in-flight frames finish and commit)");
            s.close(Duration.ofSeconds(60));
            streams = null;
        }
        if (streamsMetrics != null) {
            streamsMetrics.close();
            streamsMetrics = null;
        }
        scheduling.close();
        InferencePool p = pool;
        if (p != null) {
            p.close();
        }
    }
}
