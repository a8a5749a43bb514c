package lookout.service;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import lookout.detect.DetectionMetrics;
import lookout.detect.DetectionTopology;
import lookout.detect.Detector;
import lookout.detect.InferencePool;
import lookout.frames.FrameDecoder;
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
        Detector open(java.nio.file.Path modelDir, String device, float scoreThreshold) throws Exception;
    }

    private final ServiceSettings settings;
    private final Map<String, Object> kafka;
    private final MeterRegistry registry;
    private final DetectorFactory factory;
    private final Clock clock;
    private volatile InferencePool pool;
    private volatile KafkaStreams streams;
    private volatile KafkaStreamsMetrics streamsMetrics;
    private volatile boolean modelReady;
    private final AtomicReference<Throwable> fatal = new AtomicReference<>();

    /**
     * @param kafka Kafka client properties shared by admin and streams (bootstrap.servers, security...)
     */
    public DetectionService(ServiceSettings settings, Map<String, Object> kafka, MeterRegistry registry,
            DetectorFactory factory, Clock clock) {
        this.settings = settings;
        this.kafka = Map.copyOf(kafka);
        this.registry = registry;
        this.factory = factory;
        this.clock = clock;
    }

    /** Topics, model, warm-up, streams; returns once the streams are started (not yet necessarily RUNNING). */
    public synchronized DetectionService start() {
        long t0 = System.nanoTime();
        TopicAdmin.ensure(kafka, topics(), Duration.ofSeconds(60));
        pool = openPool();
        LOG.infof("model %s v%s loaded on %d worker(s) and warmed up in %d ms", pool.model().name(),
                pool.model().version(), pool.workers(), (System.nanoTime() - t0) / 1_000_000);
        modelReady = true;
        pool.start();
        DetectionMetrics metrics = new DetectionMetrics(registry);
        FrameDecoder decoder = new FrameDecoder(settings.frameMaxBytes(), settings.frameMaxDimension(),
                settings.frameMaxPixels());
        DetectionTopology topology = new DetectionTopology(
                new DetectionTopology.Settings(settings.maxFrameAge(), settings.scoreThreshold(), settings.inferenceTimeout()),
                decoder, pool, metrics, clock, new ObjectMapper());
        streams = new KafkaStreams(topology.build(), streamsConfig());
        streams.setUncaughtExceptionHandler(e -> {
            LOG.errorf(e, "stream thread failed; replacing it (uncommitted frames are processed again)");
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
        streams.start();
        return this;
    }

    List<NewTopic> topics() {
        String maxMessage = String.valueOf(settings.frameMaxBytes() + 65_536);
        List<NewTopic> topics = new ArrayList<>();
        for (String name : List.of(Topics.FRAMES, Topics.DETECTIONS, Topics.FRAMES_DLQ)) {
            NewTopic t = new NewTopic(name, settings.topicPartitions(), settings.topicReplication());
            if (!name.equals(Topics.DETECTIONS)) {
                t.configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxMessage));
            }
            topics.add(t);
        }
        return topics;
    }

    private InferencePool openPool() {
        List<Detector> detectors = new ArrayList<>();
        try {
            for (String device : InferencePool.workerDevices(settings.devices(), settings.workersPerDevice())) {
                detectors.add(factory.open(settings.modelDir(), device, settings.scoreThreshold()));
            }
            InferencePool p = new InferencePool(detectors, settings.batchMaxSize(), settings.batchMaxDelay(),
                    settings.batchQueueCapacity(), new DetectionMetrics(registry));
            ModelMetadata m = p.model();
            p.warmUp(m.maxSize() != null ? m.maxSize() : 640, m.minSize() != null ? m.minSize() : 480);
            return p;
        } catch (Exception e) {
            detectors.forEach(Detector::close);
            throw new IllegalStateException("cannot load the model from " + settings.modelDir().toAbsolutePath()
                    + ": " + e.getMessage(), e);
        }
    }

    Properties streamsConfig() {
        Properties p = new Properties();
        p.putAll(kafka);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, settings.processingGuarantee());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, settings.effectiveStreamThreads());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, settings.commitInterval().toMillis());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) settings.topicReplication());
        // a frame in flight waits for inference: allow for a slow model before the group evicts the thread
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG),
                (int) Math.max(300_000, settings.inferenceTimeout().toMillis() * 4));
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 10);
        // dead-lettered frames are republished whole: allow the largest frame the decoder admits
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), settings.frameMaxBytes() + 65_536);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
        return p;
    }

    public boolean modelReady() {
        return modelReady;
    }

    public KafkaStreams.State streamsState() {
        KafkaStreams s = streams;
        return s == null ? null : s.state();
    }

    /** Model loaded and warmed up, and Kafka Streams running (connected, tasks assigned). */
    public boolean ready() {
        KafkaStreams.State state = streamsState();
        return modelReady && state == KafkaStreams.State.RUNNING;
    }

    /** False once the streams died for good (ERROR) or a start failed. */
    public boolean alive() {
        KafkaStreams.State state = streamsState();
        return fatal.get() == null && state != KafkaStreams.State.ERROR && state != KafkaStreams.State.PENDING_ERROR;
    }

    public InferencePool pool() {
        return pool;
    }

    public ModelMetadata model() {
        InferencePool p = pool;
        return p == null ? null : p.model();
    }

    public ServiceSettings settings() {
        return settings;
    }

    /**
     * Kafka client properties derived from config: every {@code kafka.*} key minus the prefix, and
     * every environment variable {@code KAFKA_X_Y} whose lower-cased dotted form {@code x.y} is a
     * known Kafka client or Streams property (so KAFKA_HOME or KAFKA_OPTS are not passed on).
     */
    public static Map<String, Object> kafkaProperties(org.eclipse.microprofile.config.Config config, String bootstrap) {
        Map<String, Object> out = new HashMap<>();
        java.util.Set<String> known = new java.util.HashSet<>();
        known.addAll(ProducerConfig.configNames());
        known.addAll(ConsumerConfig.configNames());
        known.addAll(org.apache.kafka.clients.admin.AdminClientConfig.configNames());
        known.addAll(StreamsConfig.configDef().names());
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("KAFKA_")) {
                String name = k.substring(6).toLowerCase(java.util.Locale.ROOT).replace('_', '.');
                if (known.contains(name)) {
                    out.put(name, v);
                }
            }
        });
        for (String name : config.getPropertyNames()) {
            if (name.startsWith("kafka.") && name.length() > 6) {
                config.getOptionalValue(name, String.class).ifPresent(v -> out.put(name.substring(6), v));
            }
        }
        out.put("bootstrap.servers", bootstrap != null ? bootstrap
                : config.getOptionalValue("kafka.bootstrap.servers", String.class).orElse("localhost:9092"));
        return out;
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
        InferencePool p = pool;
        if (p != null) {
            p.close();
        }
    }
}
