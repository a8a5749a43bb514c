package lookout.service;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.MeterRegistry;
import lookout.camera.CameraConfigFile;
import lookout.cli.Shutdown;
import lookout.config.DetectorSettings;
import lookout.config.KafkaSettings;
import lookout.config.LookoutConfig;
import lookout.config.ModelsSettings;
import lookout.config.StatsSettings;
import lookout.config.TileSettings;
import lookout.detect.DjlDetector;
import lookout.detect.InferencePool;
import lookout.detect.TilePlanner;
import lookout.detect.swap.HotSwap;
import lookout.kafka.KafkaClients;
import lookout.live.LiveRuntime;
import lookout.stats.CameraMetrics;
import lookout.stats.CountingLine;
import lookout.stats.CountingLineCommands;
import lookout.stats.CountingLines;

/**
 * Starts the detector service with the operator's view after detection (tracking, per-camera
 * statistics and their counting lines), the live page's feed and, when {@code lookout.models.watch} is on, the hot swap
 * that keeps it on the registry's serving version; remembers the running service for the health
 * checks. Only the serve and demo commands call {@link #start}; other roles never start a topology.
 */
@ApplicationScoped
public class ServiceRuntime {
    @Inject
    MeterRegistry registry;
    @Inject
    Shutdown shutdown;
    @Inject
    LiveRuntime live;

    private volatile DetectionService current;
    private volatile KafkaClients clients;
    private volatile CountingLines lines;

    /** Starts the service with these settings; it is closed on shutdown. Blocks for topics, model loading and warm-up. */
    public DetectionService start(KafkaSettings kafka, DetectorSettings settings) {
        KafkaClients clients = new KafkaClients(kafka);
        this.clients = clients;
        LookoutConfig config = LookoutConfig.current();
        CountingLines lines = CountingLines.of(countingLines(config.stats()));
        this.lines = lines;
        DetectionService service = new DetectionService(settings, clients, registry, DjlDetector::load,
                Clock.systemUTC());
        TilePlanner tiles = tilePlanner(config.tiles(), service);
        service.tiled(tiles).after(new AnalyticsStage(config.tracker(), config.stats(), lines,
                new CameraMetrics(registry), tiles));
        shutdown.register(service);
        current = service;
        service.start();
        shutdown.register(CountingLineCommands.follow(clients, lines));
        live.start(clients, config.live(), camera -> {
            CountingLine line = lines.get(camera);
            return line == null ? null : line.toArray();
        });
        ModelsSettings models = config.models();
        if (models.watch()) {
            // registered after the service: closed first
            HotSwap swap = shutdown.register(HotSwap.start(clients, service.pool(),
                    InferencePool.workerDevices(settings.devices(), settings.workersPerDevice()), service.metrics(),
                    models.cacheDir()));
            service.followRegistry(swap::inStep, swap::alive);
        } else {
            service.metrics().watcherUp(() -> false);
        }
        return service;
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
