package lookout.service;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import lookout.camera.CameraConfigFile;
import lookout.cli.RoleHealth;
import lookout.cli.Shutdown;
import lookout.config.DetectorSettings;
import lookout.config.KafkaSettings;
import lookout.config.LookoutConfig;
import lookout.config.ModelsSettings;
import lookout.config.ReviewSettings;
import lookout.config.StatsSettings;
import lookout.config.TileSettings;
import lookout.inference.DetectorFactory;
import lookout.inference.InferencePool;
import lookout.inference.swap.HotSwap;
import lookout.kafka.KafkaClients;
import lookout.kafka.TopicAdmin;
import lookout.kafka.Topics;
import lookout.live.LiveRuntime;
import lookout.review.ReviewMetrics;
import lookout.review.ReviewRuntime;
import lookout.stats.CameraMetrics;
import lookout.stats.CountingLine;
import lookout.stats.CountingLineCommands;
import lookout.stats.CountingLines;
import lookout.tiles.TilePlanner;
import lookout.trust.SigningKeys;
import lookout.trust.TrustedKeys;

/**
 * Starts the detector service with the operator's view after detection (tracking, per-camera
 * statistics and their counting lines), the live page's feed, the review picker and page (when
 * {@code lookout.review.enabled}) and, when {@code lookout.models.watch} is on, the hot swap
 * that keeps it on the registry's serving version; remembers the running service for the health
 * checks. Only the serve and demo commands call {@link #start}; other roles never start a topology.
 */
@ApplicationScoped
public class ServiceRuntime {
    private static final Logger LOG = Logger.getLogger(ServiceRuntime.class);
    @Inject
    MeterRegistry registry;
    @Inject
    Shutdown shutdown;
    @Inject
    LiveRuntime live;
    @Inject
    RoleHealth health;
    @Inject
    ReviewRuntime reviewPage;

    private volatile DetectionService current;
    private volatile KafkaClients clients;
    private volatile CountingLines lines;

    /** Starts the service with these settings; it is closed on shutdown. Blocks for topics, model loading and warm-up. */
    public DetectionService start(KafkaSettings kafka, DetectorSettings settings) {
        return start(kafka, settings, LookoutConfig.current().review());
    }

    /** As {@link #start(KafkaSettings, DetectorSettings)}, with these review settings (the demo turns review on). */
    public DetectionService start(KafkaSettings kafka, DetectorSettings settings, ReviewSettings review) {
        // registered first: not ready while topics, model loading and warm-up take their time
        health.register("detector", () -> current == null || current.alive(),
                () -> current != null && current.ready());
        KafkaClients clients = new KafkaClients(kafka);
        this.clients = clients;
        TopicAdmin.bindMetrics(registry);
        LookoutConfig config = LookoutConfig.current();
        CountingLines lines = CountingLines.of(countingLines(config.stats()));
        this.lines = lines;
        DetectionService service = new DetectionService(settings, clients, registry, DetectorFactory.DJL,
                Clock.systemUTC());
        TilePlanner tiles = tilePlanner(config.tiles(), service);
        service.tiled(tiles).after(new AnalyticsStage(config.tracker(), config.stats(), settings.clockMaxSkew(), lines,
                        new CameraMetrics(registry), tiles).withReview(review, settings.scoreThreshold(),
                                Topics.maxRecordBytes(Topics.FRAMES_DLQ, kafka.topics()), new ReviewMetrics(registry)))
                .deadLetters(config.deadLetters());
        shutdown.register(service);
        current = service;
        service.start();
        shutdown.register(CountingLineCommands.follow(clients, lines));
        startLive(clients, config, lines);
        reviewPage.start(clients, review);
        ModelsSettings models = config.models();
        if (models.watch()) {
            // registered after the service: closed first
            TrustedKeys trust = SigningKeys.trusted(models);
            if (trust.keys().isEmpty()) {
                LOG.warnf("no trusted model keys could be read (lookout.models.trusted-keys = %s): every model on "
                        + "lookout.models will be refused until one is there (docs/model-trust.md)", models.trustedKeys());
            } else {
                LOG.infof("following lookout.models: models load only when signed by one of the %s", trust.describe());
            }
            HotSwap swap = shutdown.register(HotSwap.start(clients, service.pool(),
                    InferencePool.workerDevices(settings.devices(), settings.workersPerDevice()), service.factory(),
                    service.metrics(),
                    models.cacheDir(), trust));
            service.followRegistry(swap::inStep, swap::alive, swap::divergence);
        } else {
            service.metrics().watcherUp(() -> false);
            service.metrics().modelDivergent(() -> false);
        }
        return service;
    }

    /**
     * The live page alone ({@code lookout live}): follows the frames and detections topics and the
     * counting lines (cameras file, {@code counting-line} commands), analyses nothing.
     */
    public void startLive(KafkaSettings kafka) {
        KafkaClients clients = new KafkaClients(kafka);
        this.clients = clients;
        LookoutConfig config = LookoutConfig.current();
        if (!config.live().enabled()) {
            throw new IllegalStateException("the live role with lookout.live.enabled=false has nothing to do");
        }
        health.register("live", live::alive, live::following);
        TopicAdmin.ensure(clients.settings(), Topics.DETECTOR); // the page follows their partitions
        CountingLines lines = CountingLines.of(countingLines(config.stats()));
        this.lines = lines;
        shutdown.register(CountingLineCommands.follow(clients, lines));
        startLive(clients, config, lines);
    }

    private void startLive(KafkaClients clients, LookoutConfig config, CountingLines lines) {
        live.start(clients, config.live(), config.frameLimits(), camera -> {
            CountingLine line = lines.get(camera);
            return line == null ? null : line.toArray();
        });
    }

    /** The per-camera tiles, or null when they are off for every camera (then nothing is spent on them). */
    static TilePlanner tilePlanner(TileSettings tiles, DetectionService service) {
        boolean any = !TileSettings.OFF.equals(tiles.mode()) || tiles.cameras().values().stream().anyMatch(m -> !TileSettings.OFF.equals(m));
        return any ? new TilePlanner(tiles, () -> service.pool() == null ? null : service.pool().model()) : null;
    }

    /** The Kafka clients the running service uses (the REST control door sends through them), or null. */
    public KafkaClients clients() {
        return clients;
    }

    /** The counting lines of the cameras file, if one is configured. */
    static Map<String, CountingLine> countingLines(StatsSettings stats) {
        Map<String, CountingLine> out = new LinkedHashMap<>();
        Path file = stats.camerasFile();
        if (file == null) {
            return out;
        }
        try {
            CameraConfigFile.countingLines(file).forEach((camera, xyxy) -> out.put(camera, CountingLine.of(xyxy)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read lookout.stats.cameras-file " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** The counting lines the running service counts with (set more with {@code counting-line} commands), or null. */
    public CountingLines countingLines() {
        return lines;
    }

    /** The running service, or null in roles that do not detect. */
    public DetectionService current() {
        return current;
    }
}
