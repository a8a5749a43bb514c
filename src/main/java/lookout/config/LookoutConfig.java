package lookout.config;

import java.net.InetAddress;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * The one reader of configuration. Every default lives in {@code application.properties}; any key
 * can be overridden by an environment variable (upper case, dots and dashes to underscores) or
 * {@code -Dkey=value}. This class only types and groups the keys, so no role can read a key with a
 * default of its own.
 */
public final class LookoutConfig {
    /** A key every application.properties has: tells a config that read it from one that did not. */
    private static final String PROBE = "lookout.devices";
    /** application.properties ranks below env (300) and system properties (400), as in Quarkus. */
    private static final int PROPERTIES_ORDINAL = 250;

    private final Config config;

    private LookoutConfig(Config config) {
        this.config = config;
    }

    public static LookoutConfig of(Config config) {
        return new LookoutConfig(config);
    }

    /**
     * The running app's configuration. Inside Quarkus that is the platform's own (with its
     * profiles); a command built outside Quarkus (unit tests) reads the same application.properties,
     * env and system properties through SmallRye directly.
     */
    public static LookoutConfig current() {
        Config platform = ConfigProvider.getConfig();
        if (platform.getOptionalValue(PROBE, String.class).isPresent()) {
            return new LookoutConfig(platform);
        }
        return standalone(Map.of());
    }

    /**
     * application.properties as a process would see it with these environment variables added (a
     * deployment's env file, e.g. k8s/base/config.env): what to render resources for that deployment from.
     */
    public static LookoutConfig withEnv(Map<String, String> env) {
        return standalone(env);
    }

    private static LookoutConfig standalone(Map<String, String> env) {
        URL properties = LookoutConfig.class.getClassLoader().getResource("application.properties");
        if (properties == null) {
            throw new IllegalStateException("application.properties is not on the classpath");
        }
        try {
            return new LookoutConfig(new SmallRyeConfigBuilder().addDefaultSources().addDefaultInterceptors()
                    .withConverter(Duration.class, 200, new DurationConverter()) // "5ms", "10s" as in Quarkus
                    .withSources(new PropertiesConfigSource(properties, PROPERTIES_ORDINAL))
                    .withSources(new io.smallrye.config.EnvConfigSource(env, 350) { }).build());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read " + properties + ": " + e.getMessage(), e);
        }
    }

    private <T> T get(String key, Class<T> type) {
        return config.getValue(key, type);
    }

    private Path path(String key) {
        return Path.of(get(key, String.class));
    }

    /** The object class Lookout detects, labels, trains and evaluates (a name in the model's classes). */
    public String targetClass() {
        return get("lookout.target-class", String.class);
    }

    /**
     * The Python interpreter of the model toolchain and the bench's comparisons ({@code lookout.python}, env
     * {@code LOOKOUT_PYTHON}; the scripts read the same setting through {@code scripts/py}).
     */
    public String python() {
        return get("lookout.python", String.class);
    }

    /** Where the real datasets are read in place (never copied into the repository). */
    public Path dataDir() {
        return path("lookout.data.dir");
    }

    public FrameLimits frameLimits() {
        return new FrameLimits(get("lookout.frame.max-bytes", Integer.class),
                get("lookout.frame.max-dimension", Integer.class), get("lookout.frame.max-pixels", Long.class));
    }

    public ModelsSettings models() {
        return new ModelsSettings(get("lookout.models.watch", Boolean.class), path("lookout.models.cache-dir"),
                get("lookout.models.chunk-bytes", Integer.class),
                config.getOptionalValue("lookout.models.signing-key", String.class).orElse("").trim(),
                java.util.Arrays.stream(config.getOptionalValue("lookout.models.trusted-keys", String.class).orElse("")
                        .split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList(),
                get("lookout.models.generate-keys", Boolean.class));
    }

    public TopicSettings topics() {
        return new TopicSettings(get("lookout.topics.partitions", Integer.class),
                get("lookout.topics.replication", Short.class), frameLimits().maxBytes(), models().chunkBytes(),
                retention());
    }

    /** How long each topic keeps its records ({@code lookout.topics.<topic>.*}). */
    public TopicRetention retention() {
        return new TopicRetention(
                get("lookout.topics.frames.retention", Duration.class),
                get("lookout.topics.detections.retention", Duration.class),
                get("lookout.topics.camera-stats.retention", Duration.class),
                get("lookout.topics.frames-dlq.retention", Duration.class),
                get("lookout.topics.frames-dlq-bytes.retention", Duration.class),
                get("lookout.topics.events.retention", Duration.class),
                get("lookout.topics.control.retention", Duration.class),
                get("lookout.topics.labels.tombstone-retention", Duration.class),
                get("lookout.topics.labels.max-compaction-lag", Duration.class),
                get("lookout.topics.labels.segment", Duration.class));
    }

    /** Dead letters: whether copies of bad frames' bytes are kept ({@code lookout.dlq.keep-bytes}, off by default). */
    public DeadLetterSettings deadLetters() {
        return new DeadLetterSettings(get("lookout.dlq.keep-bytes", Boolean.class));
    }

    /**
     * Kafka client properties: every environment variable {@code KAFKA_X_Y} whose dotted form
     * {@code x.y} is a known Kafka client or Streams property (so KAFKA_HOME or KAFKA_OPTS are not
     * passed on), then every {@code kafka.*} key minus the prefix.
     */
    public KafkaSettings kafka() {
        Map<String, Object> out = new HashMap<>();
        Set<String> known = new HashSet<>();
        known.addAll(ProducerConfig.configNames());
        known.addAll(ConsumerConfig.configNames());
        known.addAll(AdminClientConfig.configNames());
        known.addAll(StreamsConfig.configDef().names());
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("KAFKA_")) {
                String name = k.substring(6).toLowerCase(Locale.ROOT).replace('_', '.');
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
        out.put(KafkaSettings.BOOTSTRAP_SERVERS, get("kafka.bootstrap.servers", String.class));
        return new KafkaSettings(out, topics(), group());
    }

    /** Empty {@code lookout.instance-id} (the default without a HOSTNAME variable) means this host's name. */
    public GroupSettings group() {
        String id = config.getOptionalValue("lookout.instance-id", String.class).filter(s -> !s.isBlank())
                .orElseGet(LookoutConfig::hostName);
        return new GroupSettings(id, get("lookout.group.session-timeout", Duration.class));
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read this host's name for lookout.instance-id; set LOOKOUT_INSTANCE_ID", e);
        }
    }

    public DetectorSettings detector() {
        return new DetectorSettings(
                path("lookout.model.dir"),
                get("lookout.devices", String.class),
                get("lookout.workers-per-device", Integer.class),
                get("lookout.batch.max-size", Integer.class),
                get("lookout.batch.max-delay", Duration.class),
                get("lookout.batch.queue-capacity", Integer.class),
                get("lookout.max-frame-age", Duration.class),
                get("lookout.score-threshold", Float.class),
                get("lookout.inference-timeout", Duration.class),
                get("lookout.processing-guarantee", String.class),
                get("lookout.stream-threads", Integer.class),
                get("lookout.commit-interval", Duration.class),
                get("lookout.application-id", String.class),
                frameLimits(),
                path("lookout.state-dir"),
                FramePolicy.of(get("lookout.scheduling", String.class), get("lookout.scheduling.every-nth", Integer.class)),
                get("lookout.clock.max-skew", Duration.class),
                get("lookout.batch.warm-before-ready", Integer.class));
    }

    /** The tracker after detection ({@code lookout.track.*}); frame counts are meant for {@link #trackerFrameRate()}. */
    public TrackerSettings tracker() {
        return new TrackerSettings(
                get("lookout.track.high-score", Double.class),
                get("lookout.track.low-score", Double.class),
                get("lookout.track.new-track-score", Double.class),
                get("lookout.track.match-iou", Double.class),
                get("lookout.track.low-match-iou", Double.class),
                get("lookout.track.max-missed-frames", Integer.class),
                get("lookout.track.min-hits", Integer.class),
                get("lookout.track.appearance-weight", Double.class),
                get("lookout.track.appearance-gate", Double.class),
                get("lookout.track.reid-distance", Double.class));
    }

    /** Tiles for cameras whose people are small ({@code lookout.tiles.*}). */
    public TileSettings tiles() {
        return new TileSettings(
                get("lookout.tiles.mode", String.class).trim().toLowerCase(java.util.Locale.ROOT),
                TileSettings.parseCameras(config.getOptionalValue("lookout.tiles.cameras", String.class).orElse("")),
                get("lookout.tiles.grid", String.class),
                get("lookout.tiles.overlap", Double.class),
                get("lookout.tiles.small-person-px", Double.class),
                get("lookout.tiles.min-samples", Integer.class),
                get("lookout.tiles.max-frame-ms", Double.class));
    }

    /** The camera frame rate the tracker's frame counts were chosen for (offline evaluation rescales them). */
    public double trackerFrameRate() {
        return get("lookout.track.frame-rate", Double.class);
    }

    public StatsSettings stats() {
        return new StatsSettings(get("lookout.stats.window", Duration.class), get("lookout.stats.grace", Duration.class),
                get("lookout.stats.line-margin", Double.class), config.getOptionalValue("lookout.stats.cameras-file", String.class).filter(s -> !s.isBlank())
                        .map(Path::of).orElse(null));
    }

    public LiveSettings live() {
        return new LiveSettings(
                get("lookout.live.enabled", Boolean.class),
                get("lookout.live.max-rate", Double.class),
                get("lookout.live.thumbnail-width", Integer.class),
                get("lookout.live.thumbnail-quality", Integer.class),
                get("lookout.live.frame-buffer", Integer.class),
                get("lookout.live.history", Duration.class),
                get("lookout.live.history-step", Duration.class),
                get("lookout.live.frame-buffer-bytes", Long.class),
                get("lookout.live.frame-buffer-total-bytes", Long.class));
    }

    /** Frames picked for review and the review page ({@code lookout.review.*}). */
    public ReviewSettings review() {
        return new ReviewSettings(
                get("lookout.review.enabled", Boolean.class),
                get("lookout.review.budget-per-hour", Integer.class),
                ReviewSettings.parseCameraBudgets(config.getOptionalValue("lookout.review.camera-budgets", String.class)
                        .orElse("")),
                get("lookout.review.min-gap", Duration.class),
                get("lookout.review.min-uncertainty", Double.class),
                get("lookout.review.near-below", Double.class),
                get("lookout.review.near-above", Double.class),
                get("lookout.review.count-jump", Integer.class),
                get("lookout.review.border-margin", Double.class),
                get("lookout.review.min-scene-distance", Double.class),
                get("lookout.review.recent-scenes", Integer.class),
                get("lookout.review.idle-flush", Duration.class),
                get("lookout.review.max-pending", Integer.class));
    }

    public TrainerSettings trainer() {
        return new TrainerSettings(
                get("lookout.trainer.holdout-fraction", Double.class),
                get("lookout.trainer.tolerance", Double.class),
                get("lookout.trainer.epochs", Integer.class),
                get("lookout.trainer.lr", Double.class),
                get("lookout.trainer.batch-size", Integer.class),
                get("lookout.trainer.device", String.class),
                get("lookout.trainer.score-batch-size", Integer.class),
                get("lookout.trainer.auto-promote", Boolean.class),
                get("lookout.trainer.keep-versions", Integer.class),
                path("lookout.trainer.work-dir"),
                path("lookout.model.dir"),
                new RetrainPolicySettings(get("lookout.trainer.policy.new-labels", Integer.class),
                        get("lookout.trainer.policy.interval", Duration.class),
                        get("lookout.trainer.policy.check-interval", Duration.class),
                        get("lookout.trainer.policy.new-reviewed-labels", Integer.class)),
                get("lookout.trainer.general-tolerance", Double.class),
                get("lookout.trainer.general-holdout-max", Integer.class),
                get("lookout.trainer.replay-ratio", Double.class),
                get("lookout.trainer.replay-max", Integer.class),
                get("lookout.trainer.max-grad-norm", Double.class),
                get("lookout.trainer.camera-models", Boolean.class),
                get("lookout.trainer.camera-confidence", Double.class),
                get("lookout.trainer.camera-first", Boolean.class));
    }

    public CameraSettings camera() {
        return new CameraSettings(
                get("lookout.camera.queue-capacity", Integer.class),
                get("lookout.camera.read-timeout", Duration.class),
                get("lookout.camera.reconnect.initial-delay", Duration.class),
                get("lookout.camera.reconnect.max-delay", Duration.class),
                get("lookout.camera.max-lag", Duration.class),
                get("lookout.camera.max-clock-skew", Duration.class),
                get("lookout.camera.folder-fps", Double.class),
                get("lookout.camera.jpeg-quality", Integer.class),
                get("lookout.camera.status-interval", Integer.class),
                get("lookout.camera.ffmpeg-log-level", String.class),
                true,
                config.getOptionalValue("lookout.camera.tls-ca-file", String.class).filter(s -> !s.isBlank())
                        .map(Path::of).orElse(null));
    }

    /** The HTTP port of serve and demo (health, metrics, the live page). */
    public int httpPort() {
        return get("quarkus.http.port", Integer.class);
    }

    /** The management port of serve and demo (health, metrics). */
    public int managementPort() {
        return get("quarkus.management.port", Integer.class);
    }

    public RestSettings rest() {
        return new RestSettings(get("lookout.rest.enabled", Boolean.class));
    }

    /** The users file and the failed-login limits of the HTTP side (pages, streams, REST, metrics). */
    public AuthSettings auth() {
        return new AuthSettings(path("lookout.auth.users-file"),
                get("lookout.auth.login.max-failures-per-user", Integer.class),
                get("lookout.auth.login.max-failures-per-address", Integer.class),
                get("lookout.auth.login.window", Duration.class),
                get("lookout.auth.credential-cache", Duration.class));
    }

    /** Live pages (event streams) open at once in this process; one more is answered 503. */
    public int liveMaxPages() {
        return get("lookout.live.max-pages", Integer.class);
    }
}
