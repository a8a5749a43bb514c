package lookout.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import lookout.common.FileTrees;
import lookout.config.DetectorSettings;
import lookout.detect.DetectionMetrics;
import lookout.detect.DetectionTopology;
import lookout.detect.Detector;
import lookout.detect.InferencePool;
import lookout.frames.FrameDecoder;
import lookout.kafka.KafkaClients;
import lookout.kafka.TopicAdmin;
import lookout.kafka.Topics;
import lookout.model.ModelMetadata;

/**
 * The detector role, wired by hand (not by the Quarkus Kafka Streams extension, because only the
 * serve/demo roles may start a topology): creates the topics, loads one detector per pool worker,
 * warms every batch size up, then starts Kafka Streams. {@link #close()} stops the streams first
 * (the in-flight frames finish and commit) and the pool after.
 */
public final class DetectionService implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DetectionService.class);

    /** Opens one detector for one device entry. */
    @FunctionalInterface
    public interface DetectorFactory {
        Detector open(Path modelDir, String device) throws Exception;
    }

    private final DetectorSettings settings;
    private final KafkaClients clients;
    private final MeterRegistry registry;
    private final DetectionMetrics metrics;
    private final DetectorFactory factory;
    private final Clock clock;
    private volatile InferencePool pool;
    private volatile KafkaStreams streams;
    private volatile KafkaStreamsMetrics streamsMetrics;
    private volatile boolean modelReady;
    private volatile BooleanSupplier servingInStep = () -> true;
    private DetectionTopology.Stage stage;
    private Path tempStateDir;
    private final AtomicReference<Throwable> fatal = new AtomicReference<>();

    public DetectionService(DetectorSettings settings, KafkaClients clients, MeterRegistry registry,
            DetectorFactory factory, Clock clock) {
        this.settings = settings;
        this.clients = clients;
        this.registry = registry;
        this.metrics = new DetectionMetrics(registry);
        this.factory = factory;
        this.clock = clock;
    }

    /** Processors to run between detection and lookout.detections (tracking, statistics); call before {@link #start()}. */
    public synchronized DetectionService after(DetectionTopology.Stage stage) {
        this.stage = stage;
        return this;
    }

    /** Topics, model, warm-up, streams; returns once the streams are started (not yet necessarily RUNNING). */
    public synchronized DetectionService start() {
        long t0 = System.nanoTime();
        TopicAdmin.ensure(clients.settings(), Topics.DETECTOR);
        pool = openPool();
        LOG.infof("model %s v%s loaded on %d worker(s) and warmed up in %d ms", pool.model().name(),
                pool.model().version(), pool.workers(), (System.nanoTime() - t0) / 1_000_000);
        modelReady = true;
        pool.start();
        DetectionTopology topology = new DetectionTopology(
                new DetectionTopology.Settings(settings.maxFrameAge(), settings.scoreThreshold(), settings.inferenceTimeout()),
                new FrameDecoder(settings.frames()), pool, metrics, clock);
        streams = new KafkaStreams(topology.build(stage), streamsConfig());
        streams.setUncaughtExceptionHandler(e -> {
            LOG.errorf(e, "stream thread failed; replacing it (uncommitted frames are processed again)");
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
        streams.start();
        return this;
    }

    private InferencePool openPool() {
        List<Detector> detectors = new ArrayList<>();
        try {
            for (String device : InferencePool.workerDevices(settings.devices(), settings.workersPerDevice())) {
                detectors.add(factory.open(settings.modelDir(), device));
            }
            InferencePool p = new InferencePool(detectors, settings.batchMaxSize(), settings.batchMaxDelay(),
                    settings.batchQueueCapacity(), metrics);
            p.warmUp();
            return p;
        } catch (Exception e) {
            detectors.forEach(Detector::close);
            throw new IllegalStateException("cannot load the model from " + settings.modelDir().toAbsolutePath()
                    + ": " + e.getMessage(), e);
        }
    }

    Properties streamsConfig() {
        int maxRecord = Topics.maxRecordBytes(Topics.FRAMES_DLQ, clients.settings().topics());
        Map<String, Object> tuning = Map.of(
                StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 10,
                StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0,
                // the tracker's and statistics' stores: a directory of this process's own, since two
                // instances of one application may not share one (kafka.state.dir / KAFKA_STATE_DIR
                // keeps them across restarts instead of restoring them from their changelogs)
                StreamsConfig.STATE_DIR_CONFIG, stateDir().toString());
        Map<String, Object> required = Map.of(
                StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId(),
                StreamsConfig.PROCESSING_GUARANTEE_CONFIG, settings.processingGuarantee(),
                StreamsConfig.NUM_STREAM_THREADS_CONFIG, settings.effectiveStreamThreads(),
                StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, settings.commitInterval().toMillis(),
                StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) clients.settings().topics().replication(),
                // a frame in flight waits for inference: allow for a slow model before the group evicts the thread
                StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG),
                (int) Math.max(300_000, settings.inferenceTimeout().toMillis() * 4),
                // dead-lettered frames are republished whole: allow the largest record the DLQ takes
                StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), maxRecord);
        Properties p = new Properties();
        p.putAll(clients.properties(tuning, required));
        return p;
    }

    private synchronized Path stateDir() {
        if (tempStateDir == null) {
            try {
                tempStateDir = Files.createTempDirectory("lookout-streams-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a Kafka Streams state directory", e);
            }
        }
        return tempStateDir;
    }

    /** Readiness follows the registry too: see {@link #ready()}. */
    public void followRegistry(BooleanSupplier inStep) {
        this.servingInStep = inStep;
    }

    public boolean modelReady() {
        return modelReady;
    }

    public boolean servingInStep() {
        return servingInStep.getAsBoolean();
    }

    public KafkaStreams.State streamsState() {
        KafkaStreams s = streams;
        return s == null ? null : s.state();
    }

    /**
     * Ready to answer frames as the operator intends: the model is loaded and warmed up, Kafka
     * Streams runs (connected, tasks assigned) and the model serving is the registry's serving
     * version (or the configured one, when the registry names none or is not followed).
     */
    public boolean ready() {
        return ready(modelReady, streamsState(), servingInStep());
    }

    static boolean ready(boolean modelReady, KafkaStreams.State streams, boolean servingInStep) {
        return modelReady && streams == KafkaStreams.State.RUNNING && servingInStep;
    }

    /** False once the streams died for good (ERROR) or a start failed. */
    public boolean alive() {
        KafkaStreams.State state = streamsState();
        return fatal.get() == null && state != KafkaStreams.State.ERROR && state != KafkaStreams.State.PENDING_ERROR;
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

    /** The per-process state directory goes with the process (the changelogs are what survives). */
    private void deleteTempStateDir() {
        try {
            FileTrees.delete(tempStateDir);
        } catch (IOException e) {
            LOG.warnf("could not delete %s: %s", tempStateDir, e.getMessage());
        }
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
        deleteTempStateDir();
        if (streamsMetrics != null) {
            streamsMetrics.close();
            streamsMetrics = null;
        }
        InferencePool p = pool;
        if (p != null) {
            p.close();
        }
    }
}
